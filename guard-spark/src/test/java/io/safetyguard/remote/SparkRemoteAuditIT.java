package io.safetyguard.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.spark.GuardJob;
import io.safetyguard.spark.GuardSpark;
import io.safetyguard.spark.SparkAuditResult;
import io.safetyguard.spark.SparkTestCluster;
import io.safetyguard.spark.TestImages;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark audit with the executors as clients of a real llama-server on loopback (built from the
 * pinned llama.cpp by guard-remote's build; skipped, saying how to get one, when it was not built). In
 * this package for guard-remote's test helper {@link LlamaServerProcess}.
 */
class SparkRemoteAuditIT {

    @TempDir
    Path dir;

    @Test
    void executorsJudgeThroughTheServer() throws Exception {
        Path binary = LlamaServerProcess.binary();
        TestImages images = TestImages.write(dir.resolve("images"), 16, 4, 7);
        try (LlamaServerProcess server = LlamaServerProcess.start(
                binary, TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("model")), 2, dir)) {
            SparkSession spark = SparkTestCluster.start(2);
            try {
                GuardJob job = GuardJob.builder()
                        .endpoints(List.of(server.url()))
                        .endpointConcurrency(1) // two executors, one request each: the server's two slots
                        .greedy(true)
                        .verdictOnly(true)
                        .maxNewTokens(120)
                        .partitions(4)
                        .build();
                Path out = dir.resolve("out");
                SparkAuditResult result = GuardSpark.audit(
                        spark.read()
                                .format("binaryFile")
                                .option("recursiveFileLookup", "true")
                                .option("pathGlobFilter", "*.{png,jpg}")
                                .load(images.dir().toString()),
                        job,
                        out.toString(),
                        false,
                        1);

                List<Row> rows = spark.read()
                        .parquet(out.resolve(GuardSpark.PARQUET_DIR).toString())
                        .collectAsList();
                assertThat(rows).hasSize(images.all().size());
                Set<String> paths =
                        rows.stream().map(r -> r.<String>getAs("path")).collect(Collectors.toSet());
                assertThat(paths).hasSize(images.all().size());
                assertThat(result.modelId()).startsWith("remote:");
                assertThat(result.judged())
                        .isEqualTo(images.unique().size() + images.corrupt().size() + 1);
                assertThat(result.errors()).isEqualTo(images.corrupt().size() + 1);
                assertThat(result.safe() + result.unsafe())
                        .isEqualTo(images.unique().size() + images.duplicates().size());
                for (Row r : rows) {
                    assertThat(r.<String>getAs("model_id")).isEqualTo(result.modelId());
                }
            } finally {
                spark.stop();
            }
        }
    }
}
