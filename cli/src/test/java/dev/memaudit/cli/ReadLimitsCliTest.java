package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.testing.LargeFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading limits through the command line: a work over a limit is a failed outcome naming the limit
 * (printed, counted, recorded in builds.jsonl with the limits used) while the build goes on; {@code
 * --limit} overrides corpus.yaml; bad keys and values are usage errors; scan skips an output over
 * {@code --max-output-bytes} and scans the rest. Small fixtures; the real scale (a 3 GB zip bomb, a
 * 2 GB line, a 1 GB HTML file under -Xmx1g) is {@code BoundedInputsIT}.
 */
class ReadLimitsCliTest {
    @TempDir Path tmp;

    static final String PASSAGE = Cli.words(4242, 40).strip();

    /** Two good works and an EPUB whose second chapter is 4 MiB of zeros in about 4 KiB. */
    static Path corpusWithSmallBomb(Path dir, String yamlLimits) throws IOException {
        Cli.write(dir.resolve("works/alpha.txt"), Cli.words(1, 300) + PASSAGE + "\n");
        Cli.write(dir.resolve("works/beta.md"), "# Beta\n\n" + Cli.words(3, 400));
        LargeFixtures.zip(
                dir.resolve("works/bomb.epub"),
                List.of(
                        LargeFixtures.Entry.stored("mimetype", "application/epub+zip"),
                        LargeFixtures.Entry.of(
                                "META-INF/container.xml",
                                "<container><rootfiles><rootfile full-path=\"EPUB/book.opf\"/>"
                                        + "</rootfiles></container>"),
                        LargeFixtures.Entry.of(
                                "EPUB/book.opf",
                                "<package><manifest><item id=\"a\" href=\"one.xhtml\"/>"
                                        + "<item id=\"b\" href=\"bomb.xhtml\"/></manifest>"
                                        + "<spine><itemref idref=\"a\"/><itemref idref=\"b\"/>"
                                        + "</spine></package>"),
                        LargeFixtures.Entry.of(
                                "EPUB/one.xhtml",
                                "<html><body><p>" + Cli.words(5, 200) + "</p></body></html>"),
                        LargeFixtures.Entry.zeros("EPUB/bomb.xhtml", "<html><body><p>", 4L << 20)));
        Cli.write(
                dir.resolve("corpus.yaml"),
                """
                works:
                  - {id: alpha, path: works/alpha.txt}
                  - {id: beta, path: works/beta.md}
                  - {id: bomb, path: works/bomb.epub}
                """
                        + yamlLimits);
        return dir;
    }

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

    private static JsonNode outcome(JsonNode report, String id) {
        for (JsonNode o : report.get("outcomes")) {
            if (id.equals(o.path("id").asText())) {
                return o;
            }
        }
        throw new AssertionError("no outcome for " + id + " in " + report.toPrettyString());
    }

    @Test
    void aWorkOverALimitFailsNamingItAndTheBuildGoesOn() throws Exception {
        Path corpus = corpusWithSmallBomb(tmp.resolve("corpus"), "");
        Path index = tmp.resolve("index");
        Cli.Result r = build(corpus, index).exits(0).noStackTrace();
        JsonNode report = r.json();
        JsonNode bomb = outcome(report, "bomb");
        assertThat(bomb.get("status").asText()).isEqualTo("FAILED");
        assertThat(bomb.get("limit").asText()).isEqualTo("max_compression_ratio");
        assertThat(bomb.get("source").asText()).isEqualTo("works/bomb.epub");
        assertThat(bomb.get("reason").asText())
                .startsWith("entry EPUB/bomb.xhtml expands more than 100 times: ")
                .contains("max_compression_ratio")
                .contains("--limit max_compression_ratio=");
        assertThat(outcome(report, "alpha").get("status").asText()).isEqualTo("INDEXED");
        assertThat(outcome(report, "alpha").has("limit")).isFalse();
        assertThat(outcome(report, "beta").get("status").asText()).isEqualTo("INDEXED");
        assertThat(report.get("counts").get("failed").asInt()).isEqualTo(1);
        assertThat(report.get("limits").get("max_compression_ratio").asLong()).isEqualTo(100);
        assertThat(r.err())
                .contains(
                        "memaudit: works/bomb.epub: failed: entry EPUB/bomb.xhtml expands more"
                                + " than 100 times");
        // builds.jsonl keeps the failure, its limit and the limits of the build
        List<JsonNode> builds = Cli.readJsonl(index.resolve("builds.jsonl"));
        JsonNode last = builds.get(builds.size() - 1);
        assertThat(outcome(last, "bomb").get("limit").asText()).isEqualTo("max_compression_ratio");
        assertThat(last.get("limits").get("max_work_bytes").asLong()).isEqualTo(512L << 20);

        // the other works are searchable
        Path outputs =
                Cli.write(
                        tmp.resolve("outputs.jsonl"),
                        "{\"id\": \"o1\", \"text\": \"it said "
                                + PASSAGE.replace("\n", " ")
                                + " and more\"}\n");
        Cli.run(
                        "scan",
                        "--index",
                        index.toString(),
                        "--outputs",
                        outputs.toString(),
                        "--out",
                        tmp.resolve("scan").toString())
                .exits(0);
        assertThat(Cli.readJsonl(tmp.resolve("scan/spans.jsonl")))
                .extracting(s -> s.get("work_id").asText())
                .containsExactly("alpha");
    }

    @Test
    void theFlagOverridesCorpusYamlWhichOverridesTheDefault() throws Exception {
        // corpus.yaml allows the bomb's ratio; the flag lowers the entry size below it
        Path corpus =
                corpusWithSmallBomb(
                        tmp.resolve("corpus"), "limits:\n  max_compression_ratio: 1000000\n");
        JsonNode allowed = build(corpus, tmp.resolve("i1")).exits(0).json();
        assertThat(outcome(allowed, "bomb").get("status").asText()).isEqualTo("INDEXED");
        assertThat(allowed.get("limits").get("max_compression_ratio").asLong())
                .isEqualTo(1_000_000);

        JsonNode lowered =
                build(corpus, tmp.resolve("i2"), "--limit", "max_document_bytes=1MiB")
                        .exits(0)
                        .json();
        JsonNode bomb = outcome(lowered, "bomb");
        assertThat(bomb.get("limit").asText()).isEqualTo("max_document_bytes");
        assertThat(bomb.get("reason").asText())
                .startsWith("entry EPUB/bomb.xhtml declares 4 MiB expanded (")
                .contains("compressed), over the limit of 1 MiB (max_document_bytes;");
        assertThat(lowered.get("limits").get("max_document_bytes").asLong()).isEqualTo(1L << 20);
        assertThat(lowered.get("limits").get("max_compression_ratio").asLong())
                .isEqualTo(1_000_000);
    }

    @Test
    void strictCommitsNothingWhenAWorkIsOverALimit() throws Exception {
        Path corpus = corpusWithSmallBomb(tmp.resolve("corpus"), "");
        Cli.Result r = build(corpus, tmp.resolve("index"), "--strict").exits(3).noStackTrace();
        assertThat(r.err()).contains("--strict: 1 work(s) were not indexed");
        assertThat(tmp.resolve("index")).doesNotExist();
    }

    @Test
    void badLimitFlagsAreUsageErrorsNamingKeyAndRange() throws Exception {
        Path corpus = corpusWithSmallBomb(tmp.resolve("corpus"), "");
        Cli.Result r =
                build(
                                corpus,
                                tmp.resolve("index"),
                                "--limit",
                                "max_bytes=1",
                                "--limit",
                                "max_depth=2",
                                "--limit",
                                "max_work_bytes=big")
                        .exits(2)
                        .noStackTrace();
        assertThat(r.err())
                .contains(
                        "--limit: unknown key 'max_bytes' (allowed: max_work_bytes,"
                                + " max_document_bytes, max_compression_ratio, max_line_bytes,"
                                + " max_depth, max_elements)")
                .contains("--limit max_depth must be between 8 and 100,000, got 2")
                .contains("--limit max_work_bytes must be a size in bytes");
        assertThat(tmp.resolve("index")).doesNotExist();
    }

    @Test
    void scanSkipsAnOutputOverTheLimitAndScansTheRest() throws Exception {
        Path corpus = corpusWithSmallBomb(tmp.resolve("corpus"), "");
        Path index = tmp.resolve("index");
        build(corpus, index).exits(0);
        Path outputs =
                Cli.write(
                        tmp.resolve("outputs.jsonl"),
                        "{\"id\": \"big\", \"text\": \""
                                + Cli.words(9, 400).replace("\n", " ")
                                + "\"}\n"
                                + "{\"id\": \"copy\", \"text\": \"as written: "
                                + PASSAGE.replace("\n", " ")
                                + "\"}\n");
        Cli.Result r =
                Cli.run(
                                "scan",
                                "--index",
                                index.toString(),
                                "--outputs",
                                outputs.toString(),
                                "--out",
                                tmp.resolve("scan").toString(),
                                "--max-output-bytes",
                                "1KiB")
                        .exits(0)
                        .noStackTrace();
        assertThat(r.out()).contains("scanned 1 outputs").contains("1 problem line(s)");
        JsonNode scan = Cli.readJson(tmp.resolve("scan/scan.json"));
        assertThat(scan.toString())
                .contains("over the limit of 1,024 bytes; not scanned (scan --max-output-bytes)");
        assertThat(Cli.readJsonl(tmp.resolve("scan/spans.jsonl")))
                .extracting(s -> s.get("output_id").asText())
                .containsExactly("copy");
        assertThat(Cli.readJson(tmp.resolve("scan/manifest.json")).toString())
                .contains("\"max_output_bytes\":1024");

        Cli.Result bad =
                Cli.run(
                                "scan",
                                "--index",
                                index.toString(),
                                "--outputs",
                                outputs.toString(),
                                "--out",
                                tmp.resolve("scan2").toString(),
                                "--max-output-bytes",
                                "lots")
                        .exits(2);
        assertThat(bad.err()).contains("--max-output-bytes must be a size in bytes");
        assertThat(Files.exists(tmp.resolve("scan2/spans.jsonl"))).isFalse();
    }

    @Test
    void aTxtOutputOverTheLimitIsSkippedAndTheOthersScanned() throws Exception {
        Path corpus = corpusWithSmallBomb(tmp.resolve("corpus"), "");
        Path index = tmp.resolve("index");
        build(corpus, index).exits(0);
        Path outputs = Files.createDirectories(tmp.resolve("outputs"));
        Cli.write(outputs.resolve("big.txt"), Cli.words(9, 400));
        Cli.write(outputs.resolve("copy.txt"), "as written: " + PASSAGE);
        Cli.Result r =
                Cli.run(
                                "scan",
                                "--index",
                                index.toString(),
                                "--outputs",
                                outputs.toString(),
                                "--out",
                                tmp.resolve("scan").toString(),
                                "--max-output-bytes",
                                "1KiB")
                        .exits(0)
                        .noStackTrace();
        assertThat(r.err())
                .contains("big.txt: file is ")
                .contains("bytes long, over the limit of 1,024 bytes; not scanned");
        assertThat(Cli.readJsonl(tmp.resolve("scan/spans.jsonl")))
                .extracting(s -> s.get("output_id").asText())
                .containsExactly("copy");
    }
}
