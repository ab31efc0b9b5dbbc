package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.extractor.testing.SampleCanary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memaudit ppl} on the shared sample canary: the works the canary was trained on are
 * significant, the others are not, the self-checks run and are reported, and too little control
 * text gives no p-value.
 *
 * <p>Canary: {@code SampleCanary}, member-only (non-members are out of distribution for it): a
 * pipeline check, not evidence of a method's power in a real audit.
 */
class PplSampleCanaryIT {
    @TempDir static Path tmp;
    static Path model;
    static Path index;
    static Path run;
    static Cli.Result first;

    @BeforeAll
    static void runPpl() {
        model = SampleCanary.modelDir();
        Path corpus = Cli.repoRoot().resolve("corpora-sample");
        index = tmp.resolve("index");
        Cli.run("index", "build", "--corpus", corpus.toString(), "--index", index.toString())
                .exits(0);
        run = tmp.resolve("ppl");
        first =
                Cli.run(
                        "ppl",
                        "--model",
                        model.toString(),
                        "--index",
                        index.toString(),
                        "--controls",
                        corpus.toString(),
                        "--out",
                        run.toString(),
                        "--seed",
                        "7");
    }

    static Set<String> ids(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.path("id").asText()));
        return out;
    }

    @Test
    void membersAreSignificantAndNonMembersAreNot() throws IOException {
        first.exits(0).noStackTrace();
        JsonNode membership = Cli.readJson(model.resolve("membership.json"));
        Set<String> members = ids(membership.path("members"));
        Set<String> nonMembers = ids(membership.path("non_members"));
        assertThat(members).isNotEmpty();
        JsonNode works = Cli.readJson(run.resolve("works.json")).path("works");
        assertThat(works.size()).isEqualTo(members.size() + nonMembers.size());
        for (Map.Entry<String, JsonNode> e : works.properties()) {
            JsonNode ppl = e.getValue().path("ppl");
            assertThat(ppl.path("status").asText()).as(e.getKey()).isEqualTo("ok");
            double pHolm = ppl.path("aggregate").path("p_holm").asDouble();
            if (members.contains(e.getKey())) {
                assertThat(pHolm).as("member %s", e.getKey()).isLessThan(0.01);
                assertThat(ppl.path("features").path("nll").path("gap").asDouble())
                        .as("member %s NLL gap", e.getKey())
                        .isLessThan(-1);
            } else {
                assertThat(pHolm).as("non-member %s", e.getKey()).isGreaterThan(0.05);
            }
        }
        assertThat(first.out()).contains("significant (Holm)").contains("self-check:");
    }

    @Test
    void selfChecksAndConventionsAreInPplJson() throws IOException {
        JsonNode ppl = Cli.readJson(run.resolve("ppl.json"));
        assertThat(ppl.path("control_split").path("status").asText()).isEqualTo("ok");
        assertThat(ppl.path("control_split").path("significant").asBoolean()).isFalse();
        assertThat(ppl.path("control_leave_one_out").path("tested").asInt()).isEqualTo(5);
        assertThat(ppl.path("warnings").isArray()).isTrue();
        assertThat(ppl.path("conventions").path("nll").asText()).contains("lower is member-like");
        assertThat(ppl.path("features").toString()).contains("min_k_pp_20");
        assertThat(Files.exists(run.resolve("manifest.json"))).isTrue();
        JsonNode manifest = Cli.readJson(run.resolve("manifest.json"));
        assertThat(manifest.path("command").asText()).isEqualTo("ppl");
        assertThat(manifest.path("inputs").has("model:model.safetensors")).isTrue();
        // the names the report reads work texts by
        assertThat(manifest.path("inputs").has("work/kiln-weather")).isTrue();
        assertThat(manifest.path("inputs").has("control/the-winter-census")).isTrue();
        assertThat(manifest.path("config").path("index_uid").asText()).hasSize(32);
        assertThat(manifest.path("backend").isObject()).isTrue();
        assertThat(manifest.path("outputs").has("chunks.jsonl")).isTrue();
    }

    @Test
    void resumingAFinishedRunScoresNothingAndGivesTheSameStatistics() throws IOException {
        JsonNode before = Cli.readJson(run.resolve("works.json"));
        Cli.Result again =
                Cli.run(
                        "ppl",
                        "--model",
                        model.toString(),
                        "--index",
                        index.toString(),
                        "--controls",
                        Cli.repoRoot().resolve("corpora-sample").toString(),
                        "--out",
                        run.toString(),
                        "--seed",
                        "7",
                        "--resume");
        again.exits(0);
        assertThat(again.out()).contains("(0 scored now,");
        assertThat(Cli.readJson(run.resolve("works.json"))).isEqualTo(before);
    }

    @Test
    void tooLittleControlTextSaysSoInsteadOfAPValue() throws IOException {
        Path controls = tmp.resolve("one-control");
        Files.createDirectories(controls);
        Files.copy(
                Cli.repoRoot().resolve("corpora-sample/controls/the-winter-census.txt"),
                controls.resolve("the-winter-census.txt"));
        Path out = tmp.resolve("ppl-one-control");
        Cli.run(
                        "ppl",
                        "--model",
                        model.toString(),
                        "--index",
                        index.toString(),
                        "--controls",
                        controls.toString(),
                        "--out",
                        out.toString(),
                        "--works",
                        "kiln-weather")
                .exits(0);
        JsonNode ppl =
                Cli.readJson(out.resolve("works.json"))
                        .path("works")
                        .path("kiln-weather")
                        .path("ppl");
        assertThat(ppl.path("status").asText()).isEqualTo("not enough control text");
        assertThat(ppl.path("aggregate").path("p").isNull()).isTrue();
        assertThat(Cli.readJson(out.resolve("ppl.json")).path("warnings").toString())
                .contains("not enough control text");
    }
}
