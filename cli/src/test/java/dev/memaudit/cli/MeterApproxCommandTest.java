package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.testing.TinyModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code memaudit meter approx} on a tiny random model and a three-work index. */
class MeterApproxCommandTest {
    @TempDir static Path tmp;
    static Path model;
    static Path index;
    static Path behaviours;

    private static final String[] WORDS = {
        "harbour", "lantern", "salt", "rope", "gull", "tide", "stone", "keeper", "night", "wind",
        "boat", "shore", "fog", "bell", "light", "wave", "anchor", "mast", "deck", "storm"
    };

    private static String text(int seed, int words) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            b.append(WORDS[r.nextInt(WORDS.length)]).append(i % 12 == 11 ? ".\n" : " ");
        }
        return b.toString();
    }

    @BeforeAll
    static void setUp() throws IOException {
        model = tmp.resolve("model");
        TinyModels.write(model, TinyModels.config(Architecture.GPT2, "", 300), 4, 0.2);
        Path corpus = tmp.resolve("corpus");
        Files.createDirectories(corpus);
        for (int i = 1; i <= 3; i++) {
            Files.writeString(corpus.resolve("w" + i + ".txt"), text(i, 160));
        }
        index = tmp.resolve("index");
        Cli.run("index", "build", "--corpus", corpus.toString(), "--index", index.toString())
                .exits(0);
        behaviours = tmp.resolve("behaviours.jsonl");
        Files.writeString(
                behaviours,
                String.join(
                                "\n",
                                "{\"id\":\"b-own\",\"prompt\":\"harbour lantern\",\"text\":\"salt rope"
                                        + " gull tide\",\"kind\":\"own\",\"work_id\":\"w1\"}",
                                "{\"id\":\"b-given\",\"text\":\"the keeper rang the bell at night\"}",
                                "{\"id\":\"b-unrelated\",\"text\":\"quantum chromodynamics of"
                                        + " quarks\",\"kind\":\"unrelated\"}")
                        + "\n",
                StandardCharsets.UTF_8);
    }

    private static List<String> args(Path out, String method, String... more) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "meter",
                                "approx",
                                "--model",
                                model.toString(),
                                "--index",
                                index.toString(),
                                "--works",
                                "w1,w2",
                                "--behaviours",
                                behaviours.toString(),
                                "--method",
                                method,
                                "--out",
                                out.toString(),
                                "--chunk-tokens",
                                "32",
                                "--chunks-per-work",
                                "3",
                                "--retain-chunks",
                                "2",
                                "--steps",
                                "2",
                                "--projection-dim",
                                "256"));
        a.addAll(List.of(more));
        return a;
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            out.add(Json.MAPPER.readTree(l));
        }
        return out;
    }

    private static final Set<String> FIELDS =
            Set.of(
                    "schema_version",
                    "method",
                    "work_id",
                    "behaviour_id",
                    "behaviour_kind",
                    "tokens",
                    "delta_logprob",
                    "delta_per_token",
                    "z",
                    "p",
                    "logprob_with",
                    "logprob_without");

    @Test
    void unlearnWritesInfluenceWithBothLogprobs() throws IOException {
        Path out = tmp.resolve("unlearn");
        Cli.run(args(out, "unlearn", "--learning-rate", "0.5")).exits(0).noStackTrace();
        List<JsonNode> recs = lines(out.resolve("influence.jsonl"));
        assertThat(recs).hasSize(6);
        Set<String> works = new TreeSet<>();
        for (JsonNode r : recs) {
            Set<String> names = new TreeSet<>();
            r.fieldNames().forEachRemaining(names::add);
            assertThat(names).isEqualTo(new TreeSet<>(FIELDS));
            assertThat(r.get("method").asText()).isEqualTo("unlearn");
            assertThat(r.get("z").isNull()).isTrue();
            assertThat(r.get("p").isNull()).isTrue();
            double with = r.get("logprob_with").asDouble();
            double without = r.get("logprob_without").asDouble();
            assertThat(with).isNegative();
            assertThat(r.get("delta_logprob").asDouble()).isCloseTo(with - without, within(1e-6));
            assertThat(r.get("delta_per_token").asDouble())
                    .isCloseTo(
                            r.get("delta_logprob").asDouble() / r.get("tokens").asInt(),
                            within(1e-9));
            works.add(r.get("work_id").asText());
        }
        assertThat(works).containsExactly("w1", "w2");
        // every work starts from the checkpoint: the original log p is the same for both
        assertThat(recs.get(0).get("logprob_with").asDouble())
                .isEqualTo(recs.get(3).get("logprob_with").asDouble());
        JsonNode summary = Json.MAPPER.readTree(out.resolve("approx.json").toFile());
        assertThat(summary.get("method").asText()).isEqualTo("unlearn");
        JsonNode w1 = summary.get("works").get(0);
        assertThat(w1.get("work_id").asText()).isEqualTo("w1");
        assertThat(w1.get("gradient_norms")).hasSize(2);
        assertThat(w1.get("forget_nll_after").asDouble())
                .isGreaterThan(w1.get("forget_nll_before").asDouble());
        assertThat(w1.get("retain_nll_before").isNull()).isFalse();
        JsonNode manifest = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        JsonNode config = manifest.get("config");
        assertThat(config.get("method").asText()).isEqualTo("unlearn");
        assertThat(config.get("steps").asInt()).isEqualTo(2);
        assertThat(config.get("learning_rate").asDouble()).isEqualTo(0.5);
        assertThat(config.get("retain").asText()).isEqualTo("index");
        assertThat(config.get("projection_dim").isNull()).isTrue();
    }

    @Test
    void gradientWritesFirstOrderEstimatesWithoutLogprobs() throws IOException {
        Path out = tmp.resolve("gradient");
        Cli.Result r = Cli.run(args(out, "gradient")).exits(0).noStackTrace();
        assertThat(r.out()).contains("w1").contains("w2");
        List<JsonNode> recs = lines(out.resolve("influence.jsonl"));
        assertThat(recs).hasSize(6);
        for (JsonNode n : recs) {
            assertThat(n.get("method").asText()).isEqualTo("gradient");
            assertThat(n.get("logprob_with").isNull()).isTrue();
            assertThat(n.get("logprob_without").isNull()).isTrue();
            assertThat(n.get("z").isNull()).isTrue();
            assertThat(Double.isFinite(n.get("delta_logprob").asDouble())).isTrue();
        }
        // a different work gives a different estimate for the same behaviour
        assertThat(recs.get(0).get("delta_logprob").asDouble())
                .isNotEqualTo(recs.get(3).get("delta_logprob").asDouble());
        JsonNode config = Json.MAPPER.readTree(out.resolve("manifest.json").toFile()).get("config");
        assertThat(config.get("projection_dim").asInt()).isEqualTo(256);
        assertThat(config.get("seed").asLong()).isEqualTo(42);
        assertThat(config.get("steps").isNull()).isTrue();
    }

    @Test
    void anUnknownWorkIsRefusedNamingIt() {
        Path out = tmp.resolve("unknown");
        List<String> a = args(out, "gradient");
        a.set(a.indexOf("w1,w2"), "w1,nope");
        Cli.Result r = Cli.run(a);
        r.noStackTrace();
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("nope");
        assertThat(out.resolve("influence.jsonl")).doesNotExist();
    }

    @Test
    void aBadMethodIsAUsageError() {
        Path out = tmp.resolve("bad-method");
        Cli.Result r = Cli.run(args(out, "retrain"));
        r.exits(2).noStackTrace();
        assertThat(r.err()).contains("--method must be unlearn or gradient, got retrain");
        assertThat(out).doesNotExist();
    }

    @Test
    void badSettingsAreUsageErrors() {
        Cli.Result r =
                Cli.run(args(tmp.resolve("bad-settings"), "unlearn", "--retain-weight", "-1"));
        r.exits(2).noStackTrace();
        assertThat(r.err()).contains("retain weight must be ≥ 0, got -1.0");
    }

    @Test
    void benchMeterPrintsTheCostOfBothMethods() {
        Cli.Result r = Cli.run("bench", "meter", "--tiny").exits(0).noStackTrace();
        assertThat(r.out())
                .contains("unlearn")
                .contains("gradient")
                .contains("s per work and behaviour")
                .contains("peak RSS");
    }
}
