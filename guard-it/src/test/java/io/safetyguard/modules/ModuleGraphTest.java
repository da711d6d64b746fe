package io.safetyguard.modules;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.cli.GuardCli;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.ExampleGuards;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.micrometer.SafetyGuardMetrics;
import io.safetyguard.policy.Policy;
import io.safetyguard.remote.RemoteSafetyModel;
import io.safetyguard.spark.GuardJob;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import javax.imageio.spi.ImageReaderSpi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JPMS graph of the published modules, as built: they and their dependencies resolve, each
 * exports exactly its API packages, and llama.cpp's internals reach only the sibling modules named
 * here. The tests themselves run on the class path; this resolves the modules' own descriptors.
 */
class ModuleGraphTest {

    /** A class in each published module, so the build puts it on this test's path. */
    private static final Map<String, Class<?>> MODULES = Map.of(
            "io.safetyguard.policy", Policy.class,
            "io.safetyguard.core", SafetyGuard.class,
            "io.safetyguard.llamacpp", LlamaCppModel.class,
            "io.safetyguard.llamacpp.tools", TinyModelGenerator.class,
            "io.safetyguard.remote", RemoteSafetyModel.class,
            "io.safetyguard.micrometer", SafetyGuardMetrics.class,
            "io.safetyguard.examples", ExampleGuards.class,
            "io.safetyguard.cli", GuardCli.class);

    /** The API: packages exported to everyone. */
    private static final Map<String, Set<String>> API = Map.of(
            "io.safetyguard.policy", Set.of("io.safetyguard.policy"),
            "io.safetyguard.core",
                    Set.of(
                            "io.safetyguard.core",
                            "io.safetyguard.core.frames",
                            "io.safetyguard.core.image",
                            "io.safetyguard.core.metadata",
                            "io.safetyguard.core.reaction",
                            "io.safetyguard.core.spi"),
            "io.safetyguard.llamacpp", Set.of("io.safetyguard.llamacpp"),
            "io.safetyguard.llamacpp.tools",
                    Set.of(
                            "io.safetyguard.llamacpp.tools.convert",
                            "io.safetyguard.llamacpp.tools.gguf",
                            "io.safetyguard.llamacpp.tools.quantize",
                            "io.safetyguard.llamacpp.tools.tiny"),
            "io.safetyguard.remote", Set.of("io.safetyguard.remote"),
            "io.safetyguard.micrometer", Set.of("io.safetyguard.micrometer"),
            "io.safetyguard.examples",
                    Set.of(
                            "io.safetyguard.examples",
                            "io.safetyguard.examples.desktop",
                            "io.safetyguard.examples.filter",
                            "io.safetyguard.examples.t2i"),
            "io.safetyguard.cli", Set.of());

    /** Internal packages and the only modules they are exported to. */
    private static final Map<String, Map<String, Set<String>>> QUALIFIED = Map.of(
            "io.safetyguard.llamacpp",
            Map.of(
                    "io.safetyguard.llamacpp.internal", Set.of("io.safetyguard.llamacpp.tools"),
                    "io.safetyguard.llamacpp.internal.gguf",
                            Set.of("io.safetyguard.llamacpp.tools", "io.safetyguard.cli"),
                    // the mmproj quantizer calls ggml's row quantizer through ClipContext
                    "io.safetyguard.llamacpp.internal.jni", Set.of("io.safetyguard.llamacpp.tools"),
                    "io.safetyguard.llamacpp.internal.vision", Set.of("io.safetyguard.cli")));

    private static ModuleFinder finder;
    private static Configuration graph;

    @BeforeAll
    static void resolve() {
        finder = ModuleFinder.of(modulePath().toArray(Path[]::new));
        // resolveAndBind: also pulls in service providers, as the boot layer of `java -p` would
        graph = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), MODULES.keySet());
    }

    @Test
    void everyModuleAndItsDependenciesResolveFromTheBuiltDescriptors() throws Exception {
        for (Map.Entry<String, Class<?>> m : MODULES.entrySet()) {
            ResolvedModule resolved = graph.findModule(m.getKey()).orElseThrow();
            assertThat(resolved.reference().descriptor().isAutomatic())
                    .as(m.getKey())
                    .isFalse();
            assertThat(Path.of(resolved.reference().location().orElseThrow()))
                    .as(
                            "%s is the module that holds %s",
                            m.getKey(), m.getValue().getName())
                    .isEqualTo(location(m.getValue()));
        }
        // instantiating a layer also fails on split packages and on cycles
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(graph, ClassLoader.getPlatformClassLoader());
        assertThat(layer.findModule("io.safetyguard.cli")).isPresent();
    }

    @Test
    void eachModuleExportsExactlyItsApiAndQualifiesItsInternals() {
        Map<String, Set<String>> api = new TreeMap<>();
        Map<String, Map<String, Set<String>>> qualified = new TreeMap<>();
        for (String name : MODULES.keySet()) {
            ModuleDescriptor d =
                    graph.findModule(name).orElseThrow().reference().descriptor();
            api.put(
                    name,
                    d.exports().stream()
                            .filter(e -> !e.isQualified())
                            .map(Exports::source)
                            .collect(Collectors.toCollection(TreeSet::new)));
            Map<String, Set<String>> q = d.exports().stream()
                    .filter(Exports::isQualified)
                    .collect(Collectors.toMap(Exports::source, Exports::targets));
            if (!q.isEmpty()) {
                qualified.put(name, q);
            }
        }
        assertThat(api).isEqualTo(API);
        assertThat(qualified).isEqualTo(QUALIFIED);
    }

    @Test
    void reflectionIsOpenedOnlyToTheLibrariesThatNeedIt() {
        Set<String> allowed = Set.of("com.fasterxml.jackson.databind", "info.picocli");
        for (String name : MODULES.keySet()) {
            ModuleDescriptor d =
                    graph.findModule(name).orElseThrow().reference().descriptor();
            assertThat(d.isOpen()).as(name).isFalse();
            d.opens()
                    .forEach(o -> assertThat(o.targets())
                            .as("%s opens %s to", name, o.source())
                            .isNotEmpty()
                            .isSubsetOf(allowed));
        }
    }

    /**
     * HdrHistogram: a runtime dependency of micrometer-core (guard-micrometer), loaded only when a host
     * asks Micrometer for client-side percentiles; no SafetyGuard module requires it, and its jar has
     * no Automatic-Module-Name (the name "HdrHistogram" comes from the file name, without the version).
     */
    private static final Set<String> DERIVED_NAME_ALLOWED = Set.of("HdrHistogram");

    /**
     * guard-spark stays on the class path (Spark and Scala are not modules; spark-submit loads the job
     * jar through a class loader): no module-info, a stable automatic name, and no published module
     * requires it.
     */
    @Test
    void theSparkModuleIsAClassPathModuleThatNamesItself() throws Exception {
        Path location = Path.of(GuardJob.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        if (Files.isDirectory(location)) {
            assertThat(location.resolve("module-info.class")).doesNotExist();
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                assertThat(jar.getEntry("module-info.class")).isNull();
                assertThat(jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
                        .isEqualTo("io.safetyguard.spark");
            }
        }
        // (as an automatic module on this path it is resolved with the others; none of ours may require it)
        for (ResolvedModule m : graph.modules()) {
            if (m.name().startsWith("io.safetyguard.")
                    && !m.reference().descriptor().isAutomatic()) {
                assertThat(m.reference().descriptor().requires())
                        .as(m.name())
                        .noneMatch(r -> r.name().equals("io.safetyguard.spark"));
            }
        }
    }

    @Test
    void automaticModulesAmongTheDependenciesNameThemselves() throws IOException {
        // A jar without module-info or Automatic-Module-Name gets a name from its file name,
        // which changes with the version scheme; none of the dependencies may rely on that.
        List<String> derived = new ArrayList<>();
        for (ResolvedModule m : graph.modules()) {
            ModuleReference ref = m.reference();
            if (ref.descriptor().isAutomatic()
                    && ref.location().isPresent()
                    && !DERIVED_NAME_ALLOWED.contains(m.name())) {
                Path file = Path.of(ref.location().get());
                if (Files.isRegularFile(file)) {
                    try (JarFile jar = new JarFile(file.toFile())) {
                        var manifest = jar.getManifest();
                        if (manifest == null
                                || manifest.getMainAttributes().getValue("Automatic-Module-Name") == null) {
                            derived.add(m.name() + " (" + file.getFileName() + ")");
                        }
                    }
                }
            }
        }
        assertThat(derived).isEmpty();
    }

    @Test
    void theImageIoPluginsCoreReliesOnAreServiceProvidersInTheGraph() {
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(graph, ClassLoader.getPlatformClassLoader());
        Set<String> formats = new TreeSet<>();
        for (ImageReaderSpi spi : ServiceLoader.load(layer, ImageReaderSpi.class)) {
            if (spi.getClass().getModule().getName().startsWith("com.twelvemonkeys")) {
                formats.addAll(List.of(spi.getFormatNames()));
            }
        }
        assertThat(formats.stream().map(String::toLowerCase).toList()).contains("jpeg", "webp");
    }

    /**
     * The test framework's jars (Maven repository paths): on this test's class path but no part of
     * what SafetyGuard ships. They must stay off the module path, since resolving any automatic
     * module (TwelveMonkeys) resolves every observable one, and Jazzer's jars split a package.
     */
    private static final List<String> TEST_TOOLS = List.of(
            "/org/junit/",
            "/org/opentest4j/",
            "/org/apiguardian/",
            "/org/assertj/",
            "/net/bytebuddy/",
            "/com/code-intelligence/");

    /**
     * This test's class path less the test framework, other modules' test classes (the contract suite's
     * test-jars of guard-core and guard-remote, which repeat those modules' packages) and the entries
     * that are no module (this module's test classes).
     */
    private static boolean isTestClasses(String path) {
        return path.endsWith("-tests.jar") || path.endsWith("/test-classes") || path.endsWith("/test-classes/");
    }

    private static List<Path> modulePath() {
        List<Path> path = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String unix = p.toAbsolutePath().toString().replace('\\', '/');
            if (TEST_TOOLS.stream().anyMatch(unix::contains) || isTestClasses(unix)) {
                continue;
            }
            try {
                if (!ModuleFinder.of(p).findAll().isEmpty()) {
                    path.add(p);
                }
            } catch (FindException e) {
                // no valid module (e.g. a jar whose file name gives no module name): left out, so a
                // module that needs it fails to resolve below
            }
        }
        return path;
    }

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
