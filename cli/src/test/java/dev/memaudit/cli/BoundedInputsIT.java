package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.testing.LargeFixtures;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 6 at full scale: {@code index build} in a child JVM with {@code -Xmx1g}, as a
 * user's build runs, over a corpus holding an EPUB of 3 MB that expands to 3 GiB (twice: with true
 * headers, and with headers that claim 1,000 bytes), a JSONL work whose first line is 2 GiB, a 1
 * GiB HTML file, a 2 GiB text file, a 150 MB text file too large to index in 1 GB of heap, and
 * ordinary works. Each oversized work fails with its limit, part and size; the build exits 0 with
 * every other work indexed and scannable; a scan of outputs with a 2 GiB line does the same. The
 * same fixtures with the limits raised end the child with OutOfMemoryError: they are real bombs.
 *
 * <p>The big files are sparse or deflated in a few seconds (see {@link LargeFixtures}): a few MB of
 * disk in all but the 150 MB text.
 */
class BoundedInputsIT {
    private static final long GIB = 1L << 30;

    @TempDir Path tmp;

    static final String PASSAGE = Cli.words(777, 40).replace('\n', ' ').strip();

    /** A JSONL line's start; the line goes on for 2 GiB and ends with {@code "}}. */
    static final byte[] GIANT_HEAD =
            "{\"id\": \"giant\", \"text\": \"".getBytes(StandardCharsets.UTF_8);

    /** Bytes of the giant line, as readers report it. */
    static final String GIANT_BYTES =
            String.format(Locale.ROOT, "%,d", GIANT_HEAD.length + 2 * GIB + 2);

    /** One finished child JVM. */
    record Child(int code, String out, String err) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(out);
        }
    }

    private Child child(String xmx, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                java,
                                "-Xmx" + xmx,
                                "-XX:+UseParallelGC",
                                "-Dai.djl.offline=true",
                                "-cp",
                                System.getProperty("java.class.path"),
                                Main.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "child", ".out");
        Path err = Files.createTempFile(tmp, "child", ".err");
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("DJL_OFFLINE", "true");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        int code = pb.start().waitFor();
        return new Child(code, Files.readString(out), Files.readString(err));
    }

    private static Path epub(Path file, LargeFixtures.Entry chapterTwo) throws IOException {
        return LargeFixtures.zip(
                file,
                List.of(
                        LargeFixtures.Entry.stored("mimetype", "application/epub+zip"),
                        LargeFixtures.Entry.of(
                                "META-INF/container.xml",
                                "<container><rootfiles><rootfile full-path=\"OEBPS/book.opf\"/>"
                                        + "</rootfiles></container>"),
                        LargeFixtures.Entry.of(
                                "OEBPS/book.opf",
                                "<package><manifest><item id=\"a\" href=\"one.xhtml\"/>"
                                        + "<item id=\"b\" href=\"two.xhtml\"/></manifest>"
                                        + "<spine><itemref idref=\"a\"/><itemref idref=\"b\"/>"
                                        + "</spine></package>"),
                        LargeFixtures.Entry.of(
                                "OEBPS/one.xhtml",
                                "<html><body><p>" + Cli.words(11, 300) + "</p></body></html>"),
                        chapterTwo));
    }

    private static LargeFixtures.Entry bombChapter() {
        return LargeFixtures.Entry.zeros("OEBPS/two.xhtml", "<html><body><p>", 3 * GIB);
    }

    /** About {@code megabytes} MB of made-up words, streamed to disk. */
    private static Path words(Path file, int megabytes) throws IOException {
        Files.createDirectories(file.getParent());
        String block = Cli.words(99, 20_000) + "\n";
        byte[] bytes = block.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (long written = 0;
                    written < (long) megabytes * 1_000_000;
                    written += bytes.length) {
                out.write(bytes);
            }
        }
        return file;
    }

    private Path corpus() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("corpus"));
        Path works = dir; // folder mode: the id of a work is its file name without extension
        Cli.write(works.resolve("alpha.txt"), Cli.words(1, 300) + " " + PASSAGE + "\n");
        Cli.write(works.resolve("beta.md"), "# Beta\n\n" + Cli.words(3, 400));
        epub(works.resolve("bomb.epub"), bombChapter());
        epub(works.resolve("liar.epub"), bombChapter().declaring(1000));
        LargeFixtures.sparse(
                works.resolve("giant-line.jsonl"),
                GIANT_HEAD,
                2 * GIB,
                ("\"}\n{\"id\": \"after-giant\", \"text\": \""
                                + Cli.words(5, 200).replace('\n', ' ')
                                + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8));
        LargeFixtures.sparse(
                works.resolve("huge-page.html"),
                ("<html><body><p>" + "A real paragraph of the page. ".repeat(270))
                        .getBytes(StandardCharsets.US_ASCII),
                GIB,
                "</p></body></html>".getBytes(StandardCharsets.US_ASCII));
        LargeFixtures.sparse(
                works.resolve("huge-text.txt"),
                "a line of text ".getBytes(StandardCharsets.US_ASCII),
                2 * GIB,
                "\n".getBytes(StandardCharsets.US_ASCII));
        words(works.resolve("heavy.txt"), 150);
        return dir;
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
    void oversizedWorksFailWithTheirLimitWhileTheBuildGoesOnInOneGigabyteOfHeap() throws Exception {
        Path corpus = corpus();
        Path index = tmp.resolve("index");
        long t0 = System.nanoTime();
        Child build =
                child(
                        "1g",
                        "index",
                        "build",
                        "--corpus",
                        corpus.toString(),
                        "--index",
                        index.toString(),
                        "--format",
                        "json");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(build.code()).as(build.err()).isZero();
        assertThat(build.err()).doesNotContain("\tat ").doesNotContain("OutOfMemoryError");
        JsonNode report = build.json();
        System.err.printf(
                Locale.ROOT,
                "BoundedInputsIT: build in %.1f s, heap peak <= %,d MB (-Xmx1g), counts %s%n",
                seconds,
                report.get("heap_peak_bytes").asLong() >> 20,
                report.get("counts"));
        for (String id : List.of("alpha", "beta", "after-giant")) {
            assertThat(outcome(report, id).get("status").asText()).as(id).isEqualTo("INDEXED");
        }
        JsonNode bomb = outcome(report, "bomb");
        assertThat(bomb.get("limit").asText()).isEqualTo("max_document_bytes");
        assertThat(bomb.get("source").asText()).isEqualTo("bomb.epub");
        assertThat(bomb.get("reason").asText())
                .startsWith("entry OEBPS/two.xhtml declares 3 GiB expanded (");
        JsonNode liar = outcome(report, "liar");
        assertThat(liar.get("limit").asText()).isEqualTo("max_document_bytes");
        assertThat(liar.get("reason").asText())
                .startsWith("entry OEBPS/two.xhtml expands past 64 MiB (");
        JsonNode giant = failedLineOf(report, "giant-line.jsonl");
        assertThat(giant.get("line").asInt()).isEqualTo(1);
        assertThat(giant.get("limit").asText()).isEqualTo("max_line_bytes");
        assertThat(giant.get("reason").asText())
                .startsWith(
                        "line 1 is "
                                + GIANT_BYTES
                                + " bytes (2.0 GiB) long, over the limit of 64 MiB");
        JsonNode page = outcome(report, "huge-page");
        assertThat(page.get("limit").asText()).isEqualTo("max_document_bytes");
        assertThat(page.get("reason").asText())
                .startsWith("the file is 1,073,749,957 bytes (1.0 GiB), over the limit of 64 MiB");
        JsonNode text = outcome(report, "huge-text");
        assertThat(text.get("limit").asText()).isEqualTo("max_work_bytes");
        assertThat(text.get("reason").asText())
                .startsWith("the file is 2,147,483,664 bytes (2.0 GiB), over the limit of 512 MiB");
        JsonNode heavy = outcome(report, "heavy");
        assertThat(heavy.get("status").asText()).isEqualTo("FAILED");
        assertThat(heavy.get("reason").asText())
                .startsWith("indexing it needs about ")
                .contains("MB of heap")
                .contains("-Xmx");
        assertThat(report.get("counts").get("indexed").asInt()).isEqualTo(3);
        assertThat(report.get("counts").get("failed").asInt()).isEqualTo(6);
        assertThat(report.get("heap_peak_bytes").asLong()).isLessThan(GIB);
        JsonNode recorded = Cli.readJsonl(index.resolve("builds.jsonl")).get(0);
        assertThat(outcome(recorded, "bomb").get("limit").asText()).isEqualTo("max_document_bytes");

        // outputs with a 2 GiB line: that line is reported, the next one scanned
        Path outputs =
                LargeFixtures.sparse(
                        tmp.resolve("outputs.jsonl"),
                        GIANT_HEAD,
                        2 * GIB,
                        ("\"}\n{\"id\": \"copy\", \"text\": \"quoting " + PASSAGE + "\"}\n")
                                .getBytes(StandardCharsets.UTF_8));
        Child scan =
                child(
                        "1g",
                        "scan",
                        "--index",
                        index.toString(),
                        "--outputs",
                        outputs.toString(),
                        "--out",
                        tmp.resolve("scan").toString());
        assertThat(scan.code()).as(scan.err()).isZero();
        assertThat(scan.out()).contains("scanned 1 outputs").contains("1 problem line(s)");
        assertThat(scan.err())
                .contains(
                        ":1: line is "
                                + GIANT_BYTES
                                + " bytes long, over the limit of 67,108,864 bytes");
        assertThat(Cli.readJsonl(tmp.resolve("scan/spans.jsonl")))
                .extracting(s -> s.get("work_id").asText())
                .containsExactly("alpha");
    }

    @Test
    void withTheLimitsRaisedTheSameFixturesExhaustTheHeap() throws Exception {
        // the control: without its limits, each fixture ends the build as issue 13 describes
        Path bombCorpus = Files.createDirectories(tmp.resolve("bomb-corpus"));
        epub(bombCorpus.resolve("liar.epub"), bombChapter().declaring(1000));
        Child bomb =
                child(
                        "1g",
                        "index",
                        "build",
                        "--corpus",
                        bombCorpus.toString(),
                        "--index",
                        tmp.resolve("i1").toString(),
                        "--limit",
                        "max_document_bytes=2047MiB",
                        "--limit",
                        "max_work_bytes=2047MiB",
                        "--limit",
                        "max_compression_ratio=1000000");
        assertThat(bomb.code()).isNotZero();
        assertThat(bomb.err()).contains("OutOfMemoryError");

        Path lineCorpus = Files.createDirectories(tmp.resolve("line-corpus"));
        LargeFixtures.sparse(
                lineCorpus.resolve("giant-line.jsonl"),
                GIANT_HEAD,
                2 * GIB,
                "\"}\n".getBytes(StandardCharsets.UTF_8));
        Child line =
                child(
                        "1g",
                        "index",
                        "build",
                        "--corpus",
                        lineCorpus.toString(),
                        "--index",
                        tmp.resolve("i2").toString(),
                        "--limit",
                        "max_line_bytes=2047MiB");
        assertThat(line.code()).isNotZero();
        assertThat(line.err()).contains("OutOfMemoryError");
    }

    /** The failed outcome of a line of {@code source} (its works have their own outcomes). */
    private static JsonNode failedLineOf(JsonNode report, String source) {
        for (JsonNode o : report.get("outcomes")) {
            if (source.equals(o.path("source").asText()) && o.has("line")) {
                return o;
            }
        }
        throw new AssertionError("no outcome for " + source + " in " + report.toPrettyString());
    }
}
