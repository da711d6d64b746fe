package io.safetyguard.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark {@code local-cluster}: a master and workers inside the test JVM (the driver) and one
 * executor JVM per worker, launched by the worker as on a real cluster ({@code java -cp
 * SPARK_HOME/jars/* ... CoarseGrainedExecutorBackend}). The guard code and the llama.cpp natives
 * reach the executors only through the shaded job jar ({@code spark.jars}), loaded by Spark's
 * executor class loader, as with {@code spark-submit}.
 *
 * <p>SPARK_HOME is assembled under {@code target/}: {@code jars/} links to the jars of this test's
 * class path except SafetyGuard's own (Spark, Scala, Hadoop: what a Spark distribution ships), and
 * an empty {@code launcher/target/scala-2.13} that Spark's command builder checks for when no
 * SPARK_SCALA_VERSION is set. Maven's failsafe sets SPARK_HOME to it for the workers.
 */
public final class SparkTestCluster {

    static final String QUIET_LOGGING = String.join(
            "\n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.stderr.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.target = SYSTEM_ERR",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n",
            "");

    private SparkTestCluster() {}

    /** A session on {@code executors} executor JVMs of one core and 1 GiB each. */
    public static SparkSession start(int executors) throws IOException {
        Path home = sparkHome();
        Path jobJar = Path.of(System.getProperty("safetyguard.spark.jobJar", "target/missing-job.jar"));
        assertThat(jobJar).as("the shaded job jar (built in the package phase)").isRegularFile();
        String nativeCache = System.getProperty(
                "safetyguard.native.cache", home.resolveSibling("native-cache").toString());
        return SparkSession.builder()
                .master("local-cluster[" + executors + ",1,1024]")
                .appName("guard-spark test")
                .config("spark.jars", jobJar.toAbsolutePath().toString())
                .config("spark.executor.memory", "768m")
                .config("spark.executor.extraJavaOptions", "-Dsafetyguard.native.cache=" + nativeCache)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "4")
                .config("spark.sql.adaptive.enabled", "false")
                .getOrCreate();
    }

    /** The SPARK_HOME failsafe points the workers at, filled from this JVM's class path. */
    static Path sparkHome() throws IOException {
        String env = System.getenv("SPARK_HOME");
        Path home = Path.of(Optional.ofNullable(env).orElse(System.getProperty("safetyguard.spark.home", "")));
        assertThat(env)
                .as("SPARK_HOME (set by failsafe to target/spark-home; run the Spark tests through Maven)")
                .isNotBlank();
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
        // the executors' logging: warnings only (conf/ is on their class path)
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/log4j2.properties"), QUIET_LOGGING);
        List<String> linked = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            String name = jar.getFileName().toString();
            if (!name.endsWith(".jar") || name.startsWith("guard-") || !Files.isRegularFile(jar)) {
                continue; // SafetyGuard's classes come from the job jar, like on a cluster
            }
            Path link = jars.resolve(name);
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, jar.toAbsolutePath());
            }
            linked.add(name);
        }
        assertThat(linked).anyMatch(n -> n.startsWith("spark-core_2.13"));
        return home;
    }

    /** The executor JVMs this test JVM started (through its workers). */
    public static List<ProcessHandle> executorProcesses() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .toList();
    }
}
