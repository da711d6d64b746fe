package io.safetyguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The verbatim LlavaGuard reference files. Read from {@code $safetyguard.shared.dir/llavaguard/}
 * (set by the parent pom) when present, else from the copies under {@code golden/} in the test
 * resources, so the golden tests never skip silently.
 */
final class GoldenFiles {

  static final String PROPERTY = "safetyguard.shared.dir";
  static final String V12 = "llavaguard-default-policy-v1.2.txt";
  static final String V10 = "llavaguard-default-policy-v1.0.txt";
  static final String BLOCKS = "llavaguard-policy-blocks-v1.2.json";

  private GoldenFiles() {}

  /** The shared reference directory, if the property names one that holds the files. */
  static Optional<Path> sharedDir() {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank()) {
      return Optional.empty();
    }
    Path p = Path.of(dir, "llavaguard");
    return Files.isRegularFile(p.resolve(V12)) ? Optional.of(p) : Optional.empty();
  }

  static byte[] bytes(String name) {
    Optional<Path> shared = sharedDir();
    try {
      if (shared.isPresent()) {
        return Files.readAllBytes(shared.get().resolve(name));
      }
      return bundledBytes(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bundledBytes(String name) {
    try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new AssertionError("golden file " + name + " is neither in "
            + System.getProperty(PROPERTY) + " nor in src/test/resources/golden/");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }

  static JsonNode blocks() {
    try {
      return new ObjectMapper().readTree(bytes(BLOCKS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
