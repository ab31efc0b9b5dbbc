package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.LoadedWork;
import dev.memaudit.index.source.Role;
import dev.memaudit.index.source.WorkEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code index build} + {@code scan} over corpora-sample through {@link Main#run}, checked against
 * corpora-sample/outputs/README.md, with every span's offsets verified independently of the
 * scanner: the two code-point ranges must normalize to the same word hashes.
 */
class SampleCorpusScanTest {
    @TempDir static Path tmp;

    static Path sample;
    static Path index;
    static Path run;
    static Cli.Result build;
    static Cli.Result scan;

    /** Every record of spans.jsonl. */
    static List<JsonNode> allSpans;

    /** The exact spans, but those of the near-verbatim case out-22 (checked on its own). */
    static List<JsonNode> spans;

    static final String NEAR_CASE = "out-22-near-postwoman";
    static Map<String, String> outputTexts = new HashMap<>();
    static Map<String, String> workTexts = new HashMap<>();
    static Set<String> corpusWorkIds = new TreeSet<>();

    /** Output id -> expected work ids (README table); absent or empty: no span. */
    static final Map<String, Set<String>> EXPECTED_WORKS = new LinkedHashMap<>();

    /** Output id -> expected {@code exact} flag of every span of the output (README). */
    static final Map<String, Boolean> EXPECTED_EXACT = new LinkedHashMap<>();

    /** Output id -> copied run length in words per the README (whitespace words, ±2 tolerated). */
    static final Map<String, Integer> README_WORDS = new LinkedHashMap<>();

    static {
        expect("out-01-exact-harbour", true, 48, "harbour-lights");
        expect("out-02-exact-orchard", true, -1, "the-orchard-tax");
        expect("out-03-dehyphenated-cartographer", false, 40, "the-cartographers-daughter");
        expect("out-04-curly-quotes-cartographer", false, 27, "the-cartographers-daughter");
        expect("out-05-uppercase-letters", false, 30, "letters-to-the-weather-office");
        expect("out-06-refrain", false, 35, "tin-roof-hymns");
        expect("out-07-shared-passage", false, 52, "kiln-weather", "the-salt-ledger");
        expect("out-08-nonbmp-glyph", true, 46, "the-missing-glyph");
        expect("out-09-emoji-ferry", true, 39, "last-night-ferry");
        expect("out-10-jsonl-referee", true, 34, "the-quiet-referee");
        expect("out-15-script-injection", true, 40, "the-night-kitchen");
        expect("out-16-formula-injection", true, 35, "field-guide-to-small-machines");
        expect("out-19-two-works", true, -1, "tidal-island-notes", "on-keeping-bees-in-cities");
        expect("out-21-crlf-poem-lf", false, 86, "kiln-weather");
        for (String id :
                List.of(
                        "out-11-below-threshold",
                        "out-12-clean-lighthouse",
                        "out-13-clean-summary",
                        "out-14-clean-recipe",
                        "out-17-empty",
                        "out-18-clean-emoji")) {
            EXPECTED_WORKS.put(id, Set.of());
        }
    }

    private static void expect(String output, boolean exact, int words, String... works) {
        EXPECTED_WORKS.put(output, Set.of(works));
        EXPECTED_EXACT.put(output, exact);
        if (words > 0) {
            README_WORDS.put(output, words);
        }
    }

    @BeforeAll
    static void buildAndScan() throws IOException {
        sample = Cli.repoRoot().resolve("corpora-sample");
        index = tmp.resolve("index");
        run = tmp.resolve("run");
        build =
                Cli.run(
                        "index",
                        "build",
                        "--corpus",
                        sample.toString(),
                        "--index",
                        index.toString());
        scan =
                Cli.run(
                        "scan",
                        "--index",
                        index.toString(),
                        "--outputs",
                        sample.resolve("outputs/sample-outputs.jsonl").toString(),
                        "--out",
                        run.toString());
        for (JsonNode o : Cli.readJsonl(sample.resolve("outputs/sample-outputs.jsonl"))) {
            outputTexts.put(o.get("id").asText(), o.get("text").asText());
        }
        CorpusManifest manifest = CorpusManifest.load(sample);
        List<WorkEntry> entries = new ArrayList<>(manifest.works());
        entries.addAll(manifest.controls());
        List<String> problems = new ArrayList<>();
        new CorpusLoader()
                .load(
                        entries,
                        (LoadedWork w) -> {
                            workTexts.put(w.id(), w.text());
                            if (w.role() == Role.WORK) {
                                corpusWorkIds.add(w.id());
                            }
                        },
                        p -> problems.add(p.toString()));
        assertThat(problems).as("sample corpus loads cleanly").isEmpty();
        allSpans =
                Files.exists(run.resolve("spans.jsonl"))
                        ? Cli.readJsonl(run.resolve("spans.jsonl"))
                        : List.of();
        spans =
                allSpans.stream()
                        .filter(s -> s.get("match").asText().equals("exact"))
                        .filter(s -> !s.get("output_id").asText().equals(NEAR_CASE))
                        .toList();
    }

    @Test
    void aSecondScanUsesTheRecordedCheckPrintsItsTimingsAndFindsTheSameSpans() throws IOException {
        Path again = tmp.resolve("run-timed");
        Cli.Result timed =
                Cli.run(
                                "scan",
                                "--index",
                                index.toString(),
                                "--outputs",
                                sample.resolve("outputs/sample-outputs.jsonl").toString(),
                                "--out",
                                again.toString(),
                                "--timings")
                        .exits(0)
                        .noStackTrace();
        assertThat(timed.err())
                .contains("timings (wall clock)")
                .contains("jvm start, command line")
                .contains("index open: works store (checksum recorded)")
                .contains("scan outputs")
                .contains("total");
        assertThat(Files.readString(again.resolve("spans.jsonl")))
                .isEqualTo(Files.readString(run.resolve("spans.jsonl")));
        assertThat(Cli.run("index", "info", "--index", index.toString()).exits(0).out())
                .contains("checksums as recorded by an earlier full check");
        assertThat(Cli.run("index", "info", "--check", "--index", index.toString()).exits(0).out())
                .contains("(verified)\n".replace("\n", System.lineSeparator()));
    }

    @Test
    void buildAndScanSucceedWithoutProblems() {
        build.exits(0).noStackTrace();
        scan.exits(0).noStackTrace();
        assertThat(build.out()).contains("generation 1");
        assertThat(scan.out()).contains("0 problem line(s)");
    }

    @Test
    void eachOutputHitsExactlyTheWorksTheReadmeLists() {
        Map<String, Set<String>> found = new TreeMap<>();
        for (JsonNode s : spans) {
            found.computeIfAbsent(s.get("output_id").asText(), k -> new TreeSet<>())
                    .add(s.get("work_id").asText());
        }
        for (var e : EXPECTED_WORKS.entrySet()) {
            assertThat(found.getOrDefault(e.getKey(), Set.of()))
                    .as("works hit by %s", e.getKey())
                    .containsExactlyInAnyOrderElementsOf(e.getValue());
        }
        // every output that hits anything is accounted for (out-20 only loosely: the PDF work)
        Set<String> unexpected = new TreeSet<>(found.keySet());
        unexpected.removeAll(EXPECTED_WORKS.keySet());
        assertThat(unexpected).containsExactly("out-20-long-pdf");
        assertThat(found.get("out-20-long-pdf")).containsExactly("the-salt-ledger");
    }

    @Test
    void eachCopiedRunIsOneSpanPerOccurrence() {
        Map<String, List<JsonNode>> byPair = new TreeMap<>();
        for (JsonNode s : spans) {
            byPair.computeIfAbsent(
                            s.get("output_id").asText() + " -> " + s.get("work_id").asText(),
                            k -> new ArrayList<>())
                    .add(s);
        }
        for (var e : byPair.entrySet()) {
            if (e.getKey().startsWith("out-06-refrain")) {
                continue;
            }
            assertThat(e.getValue()).as("spans of %s", e.getKey()).hasSize(1);
        }
        // the refrain occurs three times in the work: three spans, same output range, three
        // distinct work ranges
        List<JsonNode> refrain = byPair.get("out-06-refrain -> tin-roof-hymns");
        assertThat(refrain).hasSize(3);
        assertThat(refrain.stream().map(s -> s.get("work_char_start").asInt()).distinct())
                .hasSize(3);
        assertThat(refrain.stream().map(s -> s.get("output_char_start").asInt()).distinct())
                .hasSize(1);
        assertThat(refrain.stream().map(s -> s.get("words").asInt()).distinct()).hasSize(1);
    }

    @Test
    void spanLengthsMatchTheReadme() {
        for (JsonNode s : spans) {
            String out = s.get("output_id").asText();
            assertThat(s.get("words").asInt()).as("words of %s", s).isGreaterThanOrEqualTo(12);
            Integer readme = README_WORDS.get(out);
            if (readme != null) {
                assertThat(s.get("words").asInt())
                        .as("words of %s (README says %d)", s, readme)
                        .isBetween(readme - 3, readme + 3);
            }
        }
        // out-19: two runs of 30 and 28 words
        assertThat(
                        spans.stream()
                                .filter(s -> s.get("output_id").asText().equals("out-19-two-works"))
                                .mapToInt(s -> s.get("words").asInt())
                                .sorted()
                                .toArray())
                .satisfies(
                        w -> {
                            assertThat(w).hasSize(2);
                            assertThat(w[0]).isBetween(25, 31);
                            assertThat(w[1]).isBetween(27, 33);
                        });
    }

    /**
     * out-22 copies "The Postwoman" of tidal-island-notes with "letters" changed to "post", "long"
     * inserted and "fine" changed to "close": one near passage from "Morag" to "none of it" (the
     * three words before the first change come in through the relaxed tail around the long core),
     * beside the two exact spans of at least 12 words between the changes.
     */
    @Test
    void theNearCaseIsOneNearPassageWithItsEditsBesideItsExactSpans() {
        List<JsonNode> near =
                allSpans.stream().filter(s -> s.get("match").asText().equals("near")).toList();
        assertThat(near).hasSize(1);
        JsonNode p = near.get(0);
        assertThat(p.get("output_id").asText()).isEqualTo(NEAR_CASE);
        assertThat(p.get("work_id").asText()).isEqualTo("tidal-island-notes");
        assertThat(p.get("edit_distance").asInt()).isEqualTo(3);
        assertThat(p.get("alignment").asText()).isEqualTo("3=1X24=1I11=1X17=");
        assertThat(p.get("words_output").asInt()).isEqualTo(58);
        assertThat(p.get("words_work").asInt()).isEqualTo(57);
        assertThat(p.get("similarity").asDouble()).isCloseTo(1 - 3 / 58.0, within(1e-12));
        String out =
                Cli.cpSub(
                        outputTexts.get(NEAR_CASE),
                        p.get("output_char_start").asInt(),
                        p.get("output_char_end").asInt());
        String work =
                Cli.cpSub(
                        workTexts.get("tidal-island-notes"),
                        p.get("work_char_start").asInt(),
                        p.get("work_char_end").asInt());
        assertThat(out).startsWith("Morag brings the post").endsWith("tells none of it");
        assertThat(work).startsWith("Morag brings the letters").endsWith("tells none of it");
        assertThat(work).contains("cut it fine enough").doesNotContain("long years");
        List<Integer> exact =
                allSpans.stream()
                        .filter(s -> s.get("output_id").asText().equals(NEAR_CASE))
                        .filter(s -> s.get("match").asText().equals("exact"))
                        .map(s -> s.get("words").asInt())
                        .sorted()
                        .toList();
        assertThat(exact).containsExactly(17, 24);
    }

    @Test
    void exactFlagsMatchTheReadme() {
        for (JsonNode s : spans) {
            Boolean expected = EXPECTED_EXACT.get(s.get("output_id").asText());
            if (expected != null) {
                assertThat(s.get("exact").asBoolean()).as("exact of %s", s).isEqualTo(expected);
            }
        }
    }

    @Test
    void everySpanIsTheSameWordsInBothTextsAtTheGivenOffsets() {
        assertThat(spans).isNotEmpty();
        for (JsonNode s : spans) {
            String output = outputTexts.get(s.get("output_id").asText());
            String work = workTexts.get(s.get("work_id").asText());
            assertThat(output).as("output of %s", s).isNotNull();
            assertThat(work).as("work text of %s", s).isNotNull();
            int os = s.get("output_char_start").asInt();
            int oe = s.get("output_char_end").asInt();
            int ws = s.get("work_char_start").asInt();
            int we = s.get("work_char_end").asInt();
            assertThat(os).as("%s", s).isGreaterThanOrEqualTo(0).isLessThan(oe);
            assertThat(oe)
                    .as("%s", s)
                    .isLessThanOrEqualTo(output.codePointCount(0, output.length()));
            assertThat(ws).as("%s", s).isGreaterThanOrEqualTo(0).isLessThan(we);
            assertThat(we).as("%s", s).isLessThanOrEqualTo(work.codePointCount(0, work.length()));
            String outSub = Cli.cpSub(output, os, oe);
            String workSub = Cli.cpSub(work, ws, we);
            NormalizedWords a = WordNormalizer.normalize(outSub);
            NormalizedWords b = WordNormalizer.normalize(workSub);
            long[] ha = Arrays.copyOf(a.hashes(), a.size());
            long[] hb = Arrays.copyOf(b.hashes(), b.size());
            assertThat(ha)
                    .as("normalized words of output %s vs work %s for %s", outSub, workSub, s)
                    .isEqualTo(hb);
            assertThat(ha).as("words of %s", s).hasSize(s.get("words").asInt());
            // the span starts and ends on a word of both texts (no stray punctuation or spaces)
            assertThat(a.starts()[0]).as("output side starts on a word: %s", s).isZero();
            assertThat(b.starts()[0]).as("work side starts on a word: %s", s).isZero();
            assertThat(a.ends()[a.size() - 1])
                    .as("output side ends on a word: %s", s)
                    .isEqualTo(outSub.codePointCount(0, outSub.length()));
            assertThat(b.ends()[b.size() - 1])
                    .as("work side ends on a word: %s", s)
                    .isEqualTo(workSub.codePointCount(0, workSub.length()));
            assertThat(s.get("exact").asBoolean())
                    .as("exact of %s: [%s] vs [%s]", s, outSub, workSub)
                    .isEqualTo(outSub.equals(workSub));
        }
    }

    @Test
    void nonBmpGlyphIsInsideTheSpanAtCodePointOffsets() {
        JsonNode s =
                spans.stream()
                        .filter(x -> x.get("output_id").asText().equals("out-08-nonbmp-glyph"))
                        .findFirst()
                        .orElseThrow();
        String out = outputTexts.get("out-08-nonbmp-glyph");
        String sub =
                Cli.cpSub(
                        out, s.get("output_char_start").asInt(), s.get("output_char_end").asInt());
        assertThat(sub).contains(new String(Character.toChars(0x2000B)));
        // the leading emoji of out-09 is not part of its span
        JsonNode ferry =
                spans.stream()
                        .filter(x -> x.get("output_id").asText().equals("out-09-emoji-ferry"))
                        .findFirst()
                        .orElseThrow();
        String fsub =
                Cli.cpSub(
                        outputTexts.get("out-09-emoji-ferry"),
                        ferry.get("output_char_start").asInt(),
                        ferry.get("output_char_end").asInt());
        assertThat(fsub).doesNotContain(new String(Character.toChars(0x1F4F0)));
        assertThat(fsub).startsWith("One of them, a porter called Dara Quilty");
    }

    @Test
    void runFilesHoldSaneValues() throws Exception {
        for (String f :
                List.of(
                        "spans.jsonl",
                        "outputs.jsonl",
                        "works.json",
                        "scan.json",
                        "manifest.json")) {
            assertThat(run.resolve(f)).as(f).isRegularFile();
        }
        // scan.json
        JsonNode summary = Cli.readJson(run.resolve("scan.json"));
        assertThat(summary.get("schema_version").asInt()).isEqualTo(2);
        assertThat(summary.get("outputs_scanned").asLong()).isEqualTo(21);
        assertThat(summary.get("outputs_empty").asLong()).isEqualTo(1);
        assertThat(summary.get("problem_count").asInt()).isZero();
        long exact = allSpans.stream().filter(s -> s.get("match").asText().equals("exact")).count();
        assertThat(summary.get("spans").asLong()).isEqualTo(exact);
        assertThat(summary.get("near_passages").asLong()).isEqualTo(allSpans.size() - exact);
        long withSpans =
                allSpans.stream()
                        .filter(s -> s.get("match").asText().equals("exact"))
                        .map(s -> s.get("output_id").asText())
                        .distinct()
                        .count();
        assertThat(summary.get("outputs_with_spans").asLong()).isEqualTo(withSpans);
        assertThat(summary.get("words_scanned").asLong()).isPositive();
        assertThat(summary.get("seconds").asDouble()).isPositive();

        // index info lists the works the corpus has
        Cli.Result info = Cli.run("index", "info", "--index", index.toString(), "--format", "json");
        info.exits(0);
        Set<String> indexed = new TreeSet<>();
        info.json().get("manifest").get("works").forEach(w -> indexed.add(w.get("id").asText()));
        assertThat(indexed)
                .containsAll(EXPECTED_WORKS.values().stream().flatMap(Set::stream).toList());
        assertThat(summary.get("works_in_index").asInt()).isEqualTo(indexed.size());

        // outputs.jsonl: one line per output, in input order
        List<JsonNode> outputs = Cli.readJsonl(run.resolve("outputs.jsonl"));
        assertThat(outputs).hasSize(22);
        Map<String, JsonNode> byId = new HashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            JsonNode o = outputs.get(i);
            byId.put(o.get("output_id").asText(), o);
            assertThat(o.get("line").asLong()).isEqualTo(i + 1);
            assertThat(o.get("covered_char_share").asDouble()).isBetween(0.0, 1.0);
            assertThat(o.get("covered_word_share").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(byId.get("out-17-empty").get("status").asText()).isEqualTo("empty");
        JsonNode orchard = byId.get("out-02-exact-orchard");
        assertThat(orchard.get("status").asText()).isEqualTo("scanned");
        assertThat(orchard.get("spans").asInt()).isEqualTo(1);
        assertThat(orchard.get("longest_span_work_id").asText()).isEqualTo("the-orchard-tax");
        assertThat(orchard.get("covered_word_share").asDouble()).isGreaterThan(0.9);
        assertThat(byId.get("out-06-refrain").get("spans").asInt()).isEqualTo(3);
        assertThat(byId.get("out-14-clean-recipe").get("spans").asInt()).isZero();
        assertThat(byId.get("out-14-clean-recipe").get("covered_chars").asLong()).isZero();
        JsonNode harbour = byId.get("out-01-exact-harbour");
        assertThat(harbour.get("covered_char_share").asDouble()).isBetween(0.3, 0.95);
        assertThat(harbour.get("chars").asInt())
                .isEqualTo(
                        outputTexts
                                .get("out-01-exact-harbour")
                                .codePointCount(
                                        0, outputTexts.get("out-01-exact-harbour").length()));

        // works.json: every indexed work, with per-work scan figures
        JsonNode works = Cli.readJson(run.resolve("works.json")).get("works");
        Set<String> inWorksJson = new TreeSet<>();
        works.fieldNames().forEachRemaining(inWorksJson::add);
        assertThat(inWorksJson).isEqualTo(indexed);
        // the works under audit (from the JSONL file: one work per line); controls are not indexed
        assertThat(inWorksJson).isEqualTo(corpusWorkIds).hasSize(15);
        JsonNode kiln = works.get("kiln-weather").get("scan");
        assertThat(kiln.get("outputs_hitting").asInt()).isEqualTo(2); // out-07 and out-21
        assertThat(kiln.get("chars_reproduced").asLong()).isPositive();
        assertThat(kiln.get("share_reproduced").asDouble()).isBetween(0.0, 1.0);
        assertThat(kiln.get("longest_span_output_id").asText()).isEqualTo("out-21-crlf-poem-lf");
        JsonNode hymns = works.get("tin-roof-hymns").get("scan");
        assertThat(hymns.get("outputs_hitting").asInt()).isEqualTo(1);
        assertThat(hymns.get("spans").asInt()).isEqualTo(3);
        assertThat(works.get("brass-and-birch").get("scan").get("spans").asInt()).isZero();

        // manifest.json: hashes of the outputs file and of spans.jsonl
        JsonNode manifest = Cli.readJson(run.resolve("manifest.json"));
        assertThat(manifest.get("command").asText()).isEqualTo("scan");
        assertThat(
                        manifest.get("inputs")
                                .get("outputs/sample-outputs.jsonl")
                                .get("sha256")
                                .asText())
                .isEqualTo(sha256(sample.resolve("outputs/sample-outputs.jsonl")));
        assertThat(manifest.get("outputs").get("spans.jsonl").get("sha256").asText())
                .isEqualTo(sha256(run.resolve("spans.jsonl")));
        assertThat(manifest.get("config").get("min_words").asInt()).isEqualTo(12);
        assertThat(manifest.get("config").get("ngram").asInt()).isEqualTo(8);
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
