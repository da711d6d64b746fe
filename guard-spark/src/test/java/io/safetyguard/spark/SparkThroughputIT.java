package io.safetyguard.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images per second of the Spark audit with one and with two executor JVMs (one core and one
 * llama.cpp thread each), on the tiny model, in one run. A measurement, not a check: it prints the
 * figures and asserts only that every image was judged. Off by default (about 2 x N seconds);
 * {@code -Dsafetyguard.spark.bench=true}, N images with {@code -Dsafetyguard.spark.bench.images=N}.
 */
class SparkThroughputIT {

    @TempDir
    Path dir;

    @Test
    void imagesPerSecondWithOneAndTwoExecutors() throws Exception {
        Assumptions.assumeTrue(
                Boolean.getBoolean("safetyguard.spark.bench"),
                "the throughput run is off; -Dsafetyguard.spark.bench=true");
        int n = Integer.getInteger("safetyguard.spark.bench.images", 60);
        TinyModelPair pair = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("model"));
        TestImages images = TestImages.write(dir.resolve("images"), n, 0, 11);
        GuardJob job = GuardJob.builder()
                .model(pair.model().toString(), pair.mmproj().toString())
                .threads(1)
                .greedy(true)
                .verdictOnly(true)
                .maxNewTokens(120)
                .partitions(8)
                .build();
        StringBuilder table = new StringBuilder("| executors | images | model load (s) | judging (s) | images/s |\n");
        double[] rate = new double[3];
        for (int executors = 1; executors <= 2; executors++) {
            SparkSession spark = SparkTestCluster.start(executors);
            try {
                long t0 = System.nanoTime();
                GuardSpark.modelId(
                        spark, job, HadoopFiles.of(spark.sparkContext().hadoopConfiguration()));
                double load = (System.nanoTime() - t0) / 1e9;
                // the probe loaded the model on one executor; the second executor's load falls into the judging time
                long t1 = System.nanoTime();
                SparkAuditResult r = GuardSpark.audit(
                        spark.read()
                                .format("binaryFile")
                                .option("pathGlobFilter", "img-*.png")
                                .load(images.dir().toString()),
                        job,
                        dir.resolve("out-" + executors).toString(),
                        false,
                        1);
                double seconds = (System.nanoTime() - t1) / 1e9;
                assertThat(r.judged()).isEqualTo(n);
                rate[executors] = n / seconds;
                table.append(String.format(
                        Locale.ROOT,
                        "| %d | %d | %.1f | %.1f | %.2f |%n",
                        executors,
                        n,
                        load,
                        seconds,
                        rate[executors]));
            } finally {
                spark.stop();
            }
        }
        System.out.print(table);
        System.out.printf(
                Locale.ROOT,
                "ratio 2/1 executors: %.2fx; load average at the end: %s%n",
                rate[2] / rate[1],
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
    }
}
