package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adding to, updating and refusing to update an existing index, through {@link Main#run}. */
class IncrementalIndexTest {
    @TempDir Path tmp;

    static final String OLD_PASSAGE = Cli.words(501, 30).strip().replace("\n", " ");
    static final String NEW_PASSAGE = Cli.words(502, 30).strip().replace("\n", " ");
    static final String OTHER_PASSAGE = Cli.words(503, 30).strip().replace("\n", " ");

    private Cli.Result build(Path corpus, Path index, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "index",
                                "build",
                                "--corpus",
                                corpus.toString(),
                                "--index",
                                index.toString(),
                                "--format",
                                "json"));
        args.addAll(List.of(more));
        return Cli.run(args);
    }

    /** Work id -> lower-case status, from a build's JSON report. */
    private static Map<String, String> statuses(JsonNode report) {
        Map<String, String> m = new TreeMap<>();
        report.get("outcomes")
                .forEach(o -> m.put(o.get("id").asText(), o.get("status").asText().toLowerCase()));
        return m;
    }

    private static JsonNode info(Path index) throws IOException {
        Cli.Result r = Cli.run("index", "info", "--index", index.toString(), "--format", "json");
        r.exits(0).noStackTrace();
        JsonNode json = r.json();
        assertThat(json.get("verified").asBoolean()).isTrue();
        return json.get("manifest");
    }

    private static List<String> workIds(JsonNode manifest) {
        List<String> ids = new ArrayList<>();
        manifest.get("works").forEach(w -> ids.add(w.get("id").asText()));
        return ids;
    }

    /** Scans one output per passage and returns the ids of outputs that hit {@code workId}. */
    private List<String> outputsHitting(Path index, String workId, Map<String, String> outputs)
            throws IOException {
        StringBuilder jsonl = new StringBuilder();
        outputs.forEach(
                (id, text) ->
                        jsonl.append("{\"id\": \"")
                                .append(id)
                                .append("\", \"text\": \"")
                                .append(text)
                                .append("\"}\n"));
        Path file =
                Cli.write(tmp.resolve("outputs-" + System.nanoTime() + ".jsonl"), jsonl.toString());
        Path run = tmp.resolve("run-" + System.nanoTime());
        Cli.run(
                        "scan",
                        "--index",
                        index.toString(),
                        "--outputs",
                        file.toString(),
                        "--out",
                        run.toString())
                .exits(0)
                .noStackTrace();
        List<String> hits = new ArrayList<>();
        for (JsonNode s : Cli.readJsonl(run.resolve("spans.jsonl"))) {
            if (s.get("work_id").asText().equals(workId)) {
                hits.add(s.get("output_id").asText());
            }
        }
        return hits;
    }

    @Test
    void rebuildUnchangedKeepsEveryWorkAndAModifiedWorkIsReplaced() throws IOException {
        Path corpus = tmp.resolve("corpus");
        Path alpha =
                Cli.write(
                        corpus.resolve("alpha.txt"),
                        Cli.words(1, 200) + OLD_PASSAGE + "\n" + Cli.words(2, 200));
        Cli.write(corpus.resolve("beta.txt"), Cli.words(3, 300));
        Path index = tmp.resolve("index");

        Cli.Result first = build(corpus, index).exits(0).noStackTrace();
        assertThat(statuses(first.json()))
                .containsOnly(Map.entry("alpha", "indexed"), Map.entry("beta", "indexed"));
        assertThat(first.json().get("generation").asLong()).isEqualTo(1);
        JsonNode before = info(index);

        Cli.Result again = build(corpus, index).exits(0).noStackTrace();
        assertThat(statuses(again.json()))
                .containsOnly(Map.entry("alpha", "unchanged"), Map.entry("beta", "unchanged"));
        assertThat(again.json().get("counts").toString()).contains("\"unchanged\":2");
        JsonNode unchanged = info(index);
        assertThat(workIds(unchanged)).containsExactlyInAnyOrderElementsOf(workIds(before));
        assertThat(unchanged.get("index_uid")).isEqualTo(before.get("index_uid"));
        assertThat(unchanged.get("total_words")).isEqualTo(before.get("total_words"));

        Map<String, String> probes =
                Map.of("old", "Quote: " + OLD_PASSAGE, "new", "Quote: " + NEW_PASSAGE);
        assertThat(outputsHitting(index, "alpha", probes)).containsExactly("old");

        // replace the passage in alpha: the scan finds the new text and no longer the old
        Cli.write(alpha, Cli.words(1, 200) + NEW_PASSAGE + "\n" + Cli.words(2, 200));
        Cli.Result modified = build(corpus, index).exits(0).noStackTrace();
        assertThat(statuses(modified.json()))
                .containsOnly(Map.entry("alpha", "indexed"), Map.entry("beta", "unchanged"));
        JsonNode after = info(index);
        assertThat(after.get("generation").asLong())
                .isGreaterThan(unchanged.get("generation").asLong());
        assertThat(workIds(after)).containsExactlyInAnyOrder("alpha", "beta");
        String oldSha = shaOf(before, "alpha");
        assertThat(shaOf(after, "alpha")).isNotEqualTo(oldSha);
        assertThat(outputsHitting(index, "alpha", probes)).containsExactly("new");
    }

    @Test
    void aSecondCorpusIsAddedAlongsideTheFirst() throws IOException {
        Path corpusA = tmp.resolve("a");
        Cli.write(corpusA.resolve("alpha.txt"), Cli.words(11, 200) + OLD_PASSAGE + "\n");
        Cli.write(corpusA.resolve("beta.txt"), Cli.words(12, 200));
        Path corpusB = tmp.resolve("b");
        Cli.write(
                corpusB.resolve("gamma.md"),
                "# Gamma\n\n" + Cli.words(13, 200) + OTHER_PASSAGE + "\n");
        Cli.write(
                corpusB.resolve("delta.html"),
                "<html><body><p>" + Cli.words(14, 200) + "</p></body></html>");
        Path index = tmp.resolve("index");

        build(corpusA, index).exits(0).noStackTrace();
        Cli.Result second = build(corpusB, index).exits(0).noStackTrace();
        assertThat(statuses(second.json()))
                .containsEntry("gamma", "indexed")
                .containsEntry("delta", "indexed");
        assertThat(second.json().get("works").asInt()).isEqualTo(4);

        JsonNode manifest = info(index);
        assertThat(workIds(manifest)).containsExactlyInAnyOrder("alpha", "beta", "gamma", "delta");
        assertThat(manifest.get("generation").asLong()).isEqualTo(2);
        Cli.Result text = Cli.run("index", "info", "--index", index.toString()).exits(0);
        assertThat(text.out()).contains("4 works").contains("alpha").contains("gamma");

        Map<String, String> probes =
                Map.of("a", "Quote: " + OLD_PASSAGE, "b", "Quote: " + OTHER_PASSAGE);
        assertThat(outputsHitting(index, "alpha", probes)).containsExactly("a");
        assertThat(outputsHitting(index, "gamma", probes)).containsExactly("b");
    }

    @Test
    void strictBuildWithABadWorkCommitsNothing() throws IOException {
        Path corpus = tmp.resolve("corpus");
        Cli.write(corpus.resolve("alpha.txt"), Cli.words(21, 200) + OLD_PASSAGE + "\n");
        Path index = tmp.resolve("index");
        build(corpus, index).exits(0).noStackTrace();
        JsonNode before = info(index);
        List<String> filesBefore = listing(index);

        // a new good work, a changed work and a bad work: with --strict none of it lands
        Cli.write(corpus.resolve("alpha.txt"), Cli.words(21, 200) + NEW_PASSAGE + "\n");
        Cli.write(corpus.resolve("gamma.txt"), Cli.words(22, 200));
        Files.write(corpus.resolve("zeta.txt"), new byte[] {'a', 0, 'b', 0, 0, 1, 2, 3});

        Cli.Result strict =
                Cli.run(
                        "index",
                        "build",
                        "--corpus",
                        corpus.toString(),
                        "--index",
                        index.toString(),
                        "--strict");
        strict.exits(3).noStackTrace();
        assertThat(strict.err()).contains("--strict").contains("zeta.txt");

        JsonNode after = info(index);
        assertThat(after.get("generation")).isEqualTo(before.get("generation"));
        assertThat(after.get("updated")).isEqualTo(before.get("updated"));
        assertThat(workIds(after)).containsExactly("alpha");
        assertThat(shaOf(after, "alpha")).isEqualTo(shaOf(before, "alpha"));
        assertThat(listing(index)).as("files of the index").isEqualTo(filesBefore);
        Map<String, String> probes =
                Map.of("old", "Quote: " + OLD_PASSAGE, "new", "Quote: " + NEW_PASSAGE);
        assertThat(outputsHitting(index, "alpha", probes)).containsExactly("old");

        // without --strict the same corpus goes in, the bad work counted as failed
        Cli.Result lenient = build(corpus, index).exits(0).noStackTrace();
        assertThat(statuses(lenient.json()))
                .containsEntry("alpha", "indexed")
                .containsEntry("gamma", "indexed")
                .containsEntry("zeta", "failed");
        assertThat(workIds(info(index))).containsExactlyInAnyOrder("alpha", "gamma");
    }

    private static String shaOf(JsonNode manifest, String id) {
        for (JsonNode w : manifest.get("works")) {
            if (w.get("id").asText().equals(id)) {
                return w.get("source_sha256").asText();
            }
        }
        throw new AssertionError("no work " + id);
    }

    /** Relative paths of the regular files under {@code dir}, except the append-only build log. */
    private static List<String> listing(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString())
                    .filter(p -> !p.equals("builds.jsonl"))
                    .filter(p -> !p.endsWith("write.lock"))
                    .sorted()
                    .toList();
        }
    }
}
