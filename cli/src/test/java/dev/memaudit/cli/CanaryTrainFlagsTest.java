package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's optimizer flags reach the training run and membership.json; bench train runs. */
class CanaryTrainFlagsTest {
    @TempDir Path tmp;

    private static Path sample() {
        Path p = Path.of("").toAbsolutePath();
        while (!p.resolve("corpora-sample").toFile().isDirectory()) {
            p = p.getParent();
        }
        return p.resolve("corpora-sample");
    }

    @Test
    void optimizerFlagsAreUsedAndRecorded() throws Exception {
        Path out = tmp.resolve("model");
        Cli.Result r =
                Cli.run(
                                "canary",
                                "train",
                                "--corpus",
                                sample().toString(),
                                "--out",
                                out.toString(),
                                "--fast",
                                "--steps",
                                "3",
                                "--batch",
                                "4",
                                "--micro-batch",
                                "2",
                                "--weight-decay",
                                "0.1",
                                "--warmup-steps",
                                "2",
                                "--min-lr-fraction",
                                "0.05",
                                "--clip-norm",
                                "0.5")
                        .exits(0);
        assertThat(r.out()).contains("3 steps (0 updates skipped)");
        JsonNode s =
                new ObjectMapper()
                        .readTree(out.resolve("membership.json").toFile())
                        .get("settings");
        assertThat(s.get("batch_size").asInt()).isEqualTo(4);
        assertThat(s.get("micro_batch").asInt()).isEqualTo(2);
        assertThat(s.get("weight_decay").asDouble()).isEqualTo(0.1);
        assertThat(s.get("warmup_steps").asInt()).isEqualTo(2);
        assertThat(s.get("min_learning_rate_fraction").asDouble()).isEqualTo(0.05);
        assertThat(s.get("clip_norm").asDouble()).isEqualTo(0.5);
    }

    @Test
    void aMicroBatchThatDoesNotDivideTheBatchIsAUsageError() {
        Cli.Result r =
                Cli.run(
                                "canary",
                                "train",
                                "--corpus",
                                sample().toString(),
                                "--out",
                                tmp.resolve("m").toString(),
                                "--fast",
                                "--batch",
                                "4",
                                "--micro-batch",
                                "3")
                        .exits(2);
        assertThat(r.err())
                .contains("micro-batch must be 0 (whole batch) or divide the batch size 4, got 3");
    }

    @Test
    void membersWithDosesAreTrainedAtThoseDosesAndBadOnesAreUsageErrors() throws Exception {
        Path out = tmp.resolve("dosed");
        Cli.Result r =
                Cli.run(
                                "canary",
                                "train",
                                "--corpus",
                                sample().toString(),
                                "--out",
                                out.toString(),
                                "--fast",
                                "--steps",
                                "2",
                                "--members",
                                "harbour-lights:3,the-salt-ledger:1")
                        .exits(0);
        assertThat(r.out()).contains("harbour-lights:3, the-salt-ledger:1");
        JsonNode m = new ObjectMapper().readTree(out.resolve("membership.json").toFile());
        assertThat(m.get("members").get(0).get("id").asText()).isEqualTo("harbour-lights");
        assertThat(m.get("members").get(0).get("dose").asInt()).isEqualTo(3);
        assertThat(m.get("members").get(1).get("id").asText()).isEqualTo("the-salt-ledger");
        assertThat(m.get("members").get(1).get("dose").asInt()).isEqualTo(1);
        String corpus = sample().toString();
        String dir = tmp.resolve("x").toString();
        assertThat(
                        Cli.run(
                                        "canary",
                                        "train",
                                        "--corpus",
                                        corpus,
                                        "--out",
                                        dir,
                                        "--fast",
                                        "--members",
                                        "harbour-lights:lots")
                                .exits(2)
                                .err())
                .contains(
                        "--members: harbour-lights:lots: the dose after ':' must be a whole number");
        assertThat(
                        Cli.run(
                                        "canary",
                                        "train",
                                        "--corpus",
                                        corpus,
                                        "--out",
                                        dir,
                                        "--fast",
                                        "--members",
                                        "harbour-lights",
                                        "--doses",
                                        "0,4")
                                .exits(2)
                                .err())
                .contains("give --members or --doses, not both");
        assertThat(
                        Cli.run(
                                        "canary",
                                        "train",
                                        "--corpus",
                                        corpus,
                                        "--out",
                                        dir,
                                        "--fast",
                                        "--doses",
                                        "0,-1")
                                .exits(2)
                                .err())
                .contains("doses must be a non-empty list of counts ≥ 0");
    }

    @Test
    void benchTrainPrintsMemoryAndThroughput() {
        Cli.Result r = Cli.run("bench", "train", "--tiny").exits(0);
        assertThat(r.out())
                .containsPattern(
                        "step 10: RSS \\d+\\.\\d MiB as the run left it; after a GC: RSS \\d")
                .containsPattern(
                        "step 30: RSS \\d+\\.\\d MiB as the run left it; after a GC: RSS \\d")
                .contains("memory without the readings' collections (the loop's own only): RSS")
                .contains("live arrays 12 → 12")
                .contains("% of the matmul peak");
        Cli.run("bench", "train", "--tiny", "--check-step", "30").exits(2);
    }
}
