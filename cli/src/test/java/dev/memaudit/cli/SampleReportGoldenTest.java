package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.io.ToolVersion;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.extractor.extract.AttemptSelection;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.extractor.extract.Scheme;
import dev.memaudit.extractor.ppl.PplInputs;
import dev.memaudit.extractor.ppl.PplStage;
import dev.memaudit.extractor.ppl.PplText;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.canary.BpeTrainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a deterministic run of corpora-sample, compared line by line with the golden file
 * {@value #GOLDEN} after volatile fields are normalized ({@link #normalize}): an unintended change
 * of the report's content or markup fails here.
 *
 * <p>The run: {@code index build} of corpora-sample, {@code scan} of its sample outputs, then
 * extract and ppl with {@link MemorizingModel} (plain Java, bit-reproducible on every machine,
 * which canary training and the DJL runtime are not) remembering four of the works, so every
 * section of the report has real content: spans, p_z maps, exact and failed attempts, significant
 * and non-significant membership statistics, the ppl self-checks. {@code report} is run through the
 * CLI.
 *
 * <p>After an intended change of the report, rewrite the golden file and review its diff: {@code
 * ./mvnw -B -q -pl cli -am test -Dtest=SampleReportGoldenTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.update=true}.
 */
class SampleReportGoldenTest {
    static final String GOLDEN = "cli/src/test/golden/sample-report.html";

    /**
     * The works the model remembers: a CRLF poem cycle, an HTML fable, a JSONL line, and the first
     * half of an EPUB story (so one p_z map has both memorized and unknown stretches).
     */
    static final List<String> MEMBERS =
            List.of("kiln-weather", "the-orchard-tax", "brass-and-birch", "harbour-lights");

    static final String HALF_REMEMBERED = "harbour-lights";

    /**
     * The works the extraction attacks: the members, a work that quotes a member (The Salt Ledger
     * quotes 52 words of Kiln Weather) and two others; the rest show how a work outside the
     * extraction run is reported.
     */
    static final List<String> EXTRACTED =
            List.of(
                    "brass-and-birch",
                    "harbour-lights",
                    "kiln-weather",
                    "last-night-ferry",
                    "the-orchard-tax",
                    "the-salt-ledger",
                    "tin-roof-hymns");

    @TempDir Path tmp;

    @Test
    void theSampleReportMatchesItsGoldenFile() throws IOException {
        Path sample = Cli.repoRoot().resolve("corpora-sample");
        Path index = tmp.resolve("index");
        Path run = tmp.resolve("run");
        Cli.run("index", "build", "--corpus", sample.toString(), "--index", index.toString())
                .exits(0);
        Cli.run(
                        "scan",
                        "--index",
                        index.toString(),
                        "--outputs",
                        sample.resolve("outputs/sample-outputs.jsonl").toString(),
                        "--out",
                        run.resolve("scan").toString(),
                        "--controls",
                        sample.resolve("corpus.yaml").toString(),
                        "--threads",
                        "2")
                .exits(0);
        PplInputs.Loaded works = PplInputs.works(index, null);
        List<String> workTexts = new ArrayList<>();
        List<String> memberTexts = new ArrayList<>();
        for (PplText t : works.texts()) {
            workTexts.add(t.text());
            if (MEMBERS.contains(t.id())) {
                String text = t.text();
                memberTexts.add(
                        t.id().equals(HALF_REMEMBERED)
                                ? text.substring(
                                        0,
                                        text.offsetByCodePoints(
                                                0, text.codePointCount(0, text.length()) / 2))
                                : text);
            }
        }
        assertThat(memberTexts).hasSize(MEMBERS.size());
        // like a canary's: the tokenizer is trained on the works (so works and controls differ in
        // characters per token, which the report flags)
        Path tokenizer = tmp.resolve("tokenizer.json");
        BpeTrainer.train(workTexts, 512).write(tokenizer);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (MemorizingModel model =
                        new MemorizingModel(ModelTokenizer.load(tokenizer), memberTexts);
                NgramIndex idx = NgramIndex.open(index)) {
            ExtractService.Options options =
                    new ExtractService.Options(
                                    32,
                                    32,
                                    32,
                                    List.of(Scheme.parse("t0.7_k20")),
                                    16,
                                    2,
                                    Scheme.T1,
                                    AttemptSelection.parse("top:3"),
                                    7,
                                    256,
                                    12,
                                    0.8,
                                    EXTRACTED)
                            .withNear(0.1, 4, 4L * 32);
            new ExtractService(Clock.systemUTC(), err, false)
                    .run(
                            model,
                            idx,
                            options,
                            run.resolve("extract"),
                            false,
                            List.of(
                                    "extract",
                                    "--model",
                                    "memorizing-test-model",
                                    "--index",
                                    index.toString(),
                                    "--works",
                                    String.join(",", EXTRACTED),
                                    "--prefix-tokens",
                                    "32",
                                    "--suffix-tokens",
                                    "32",
                                    "--scheme",
                                    "t0.7_k20",
                                    "--attempts",
                                    "2",
                                    "--attempt-windows",
                                    "top:3",
                                    "--seed",
                                    "7",
                                    "--reconstruct-max-tokens",
                                    "256",
                                    "--near-beam",
                                    "4",
                                    "--out",
                                    run.resolve("extract").toString()));
            PplInputs.Loaded controls = PplInputs.controls(sample.resolve("corpus.yaml"));
            List<PplText> texts = new ArrayList<>(works.texts());
            texts.addAll(controls.texts());
            Map<String, String> hashes = new TreeMap<>(works.hashes());
            hashes.putAll(controls.hashes());
            PplConfig config =
                    PplConfig.ofIndex(
                            model.describe(),
                            null,
                            index.toString(),
                            works.indexUid(),
                            sample.resolve("corpus.yaml").toString(),
                            List.of(),
                            128,
                            false,
                            PplStatsSettings.defaults().withSeed(3));
            PplStage.run(
                    run.resolve("ppl"),
                    false,
                    model,
                    null,
                    texts,
                    config,
                    8,
                    hashes,
                    List.of(
                            "ppl",
                            "--model",
                            "memorizing-test-model",
                            "--index",
                            index.toString(),
                            "--controls",
                            sample.resolve("corpus.yaml").toString(),
                            "--seed",
                            "3",
                            "--out",
                            run.resolve("ppl").toString()),
                    err,
                    false);
        }
        Path report = tmp.resolve("report");
        Cli.run(
                        "report",
                        "--run",
                        run.toString(),
                        "--out",
                        report.toString(),
                        "--index",
                        index.toString())
                .exits(0)
                .noStackTrace();
        String html =
                normalize(
                        Files.readString(report.resolve("report.html"), StandardCharsets.UTF_8),
                        Map.of(
                                tmp.toAbsolutePath().normalize().toString(),
                                "tmp",
                                Cli.repoRoot().toAbsolutePath().normalize().toString(),
                                "repo",
                                works.indexUid(),
                                "index-uid",
                                Sha256.of(index.resolve(IndexLayout.MANIFEST)),
                                "sha256 of the index manifest",
                                ToolVersion.get(),
                                "version",
                                // the Platform row as a whole: a bare java.version ("17") would
                                // also match numbers
                                System.getProperty("java.version")
                                        + " · "
                                        + System.getProperty("os.name")
                                        + " "
                                        + System.getProperty("os.arch"),
                                "platform"));
        compareWithGolden(html, Cli.repoRoot().resolve(GOLDEN));
    }

    /**
     * The report with what changes from run to run or machine to machine replaced by placeholders
     * ({@code <name>}, escaped as the report escapes text): each of {@code volatiles} (the
     * temporary folder, the repository's location, the index uid, random per build, the SHA-256 of
     * the index manifest, which holds that uid and the corpus path, the tool version, the JVM and
     * OS), the byte count after the index manifest's hash, and every UTC instant. Work, control and
     * output files are hashed as committed, so their hashes stay.
     */
    static String normalize(String html, Map<String, String> volatiles) {
        String s = html;
        // longest first: the repository path may hold the temporary folder or the other way round
        List<Map.Entry<String, String>> byLength = new ArrayList<>(volatiles.entrySet());
        byLength.sort((a, b) -> b.getKey().length() - a.getKey().length());
        for (Map.Entry<String, String> v : byLength) {
            s = s.replace(v.getKey(), "&lt;" + v.getValue() + "&gt;");
        }
        s =
                s.replaceAll(
                        "(&lt;sha256 of the index manifest&gt;\\D*?)\\d+",
                        "$1&lt;bytes of the index manifest&gt;");
        return s.replaceAll("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z", "&lt;utc&gt;");
    }

    /** Fails with the first differing lines, or rewrites the golden file under -Dgolden.update. */
    static void compareWithGolden(String actual, Path golden) throws IOException {
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.isRegularFile(golden)) {
            fail("no golden file %s: create it with -Dgolden.update=true and review it", golden);
        }
        String expected = Files.readString(golden, StandardCharsets.UTF_8);
        if (expected.equals(actual)) {
            return;
        }
        String[] want = expected.split("\n", -1);
        String[] got = actual.split("\n", -1);
        int line = 0;
        while (line < want.length && line < got.length && want[line].equals(got[line])) {
            line++;
        }
        // the first three differing lines (after an inserted or removed line, all that follow)
        StringBuilder diff = new StringBuilder();
        int shown = 0;
        for (int i = line; i < Math.max(want.length, got.length) && shown < 3; i++) {
            String w = i < want.length ? want[i] : null;
            String g = i < got.length ? got[i] : null;
            if (w != null && w.equals(g)) {
                continue;
            }
            shown++;
            int column = firstDifference(w == null ? "" : w, g == null ? "" : g);
            diff.append(String.format("line %d, column %d%n", i + 1, column + 1));
            diff.append("  golden: ").append(w == null ? "<none>" : around(w, column));
            diff.append(System.lineSeparator());
            diff.append("  report: ").append(g == null ? "<none>" : around(g, column));
            diff.append(System.lineSeparator());
        }
        fail(
                "report.html (%d lines) differs from the golden file %s (%d lines) from line %d"
                        + " on:%n%s"
                        + "If the change is intended, rewrite the golden file with"
                        + " -Dgolden.update=true (./mvnw -B -q -pl cli -am test"
                        + " -Dtest=SampleReportGoldenTest -Dsurefire.failIfNoSpecifiedTests=false"
                        + " -Dgolden.update=true) and review its diff.",
                got.length, golden, want.length, line + 1, diff);
    }

    private static int firstDifference(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    /** Up to 100 characters before {@code column} and 200 from it ({@code …} where cut). */
    private static String around(String line, int column) {
        int from = Math.max(0, column - 100);
        int to = Math.min(line.length(), column + 200);
        return (from > 0 ? "…" : "") + line.substring(from, to) + (to < line.length() ? "…" : "");
    }
}
