package io.safetyguard.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The verbatim LlavaGuard reference files, from {@code src/test/resources/golden/}: the default
 * policy texts v1.2 and v1.0 and the v1.2 building blocks, byte for byte as published in
 * ml-research/LlavaGuard (see {@code docs/reference.md} §2, §3.2, §3.3 and NOTICE). They are
 * independent of the preset texts in main, so a drift in either shows up here.
 */
final class GoldenFiles {

    static final String V12 = "llavaguard-default-policy-v1.2.txt";
    static final String V10 = "llavaguard-default-policy-v1.0.txt";
    static final String BLOCKS = "llavaguard-policy-blocks-v1.2.json";

    private GoldenFiles() {}

    static byte[] bytes(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new AssertionError("golden file " + name + " is not in src/test/resources/golden/");
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
