package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.WorksFile;
import dev.memaudit.core.records.scan.ScanCoverage;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.build.IndexBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage across outputs (works.json {@code scan.coverage}) against a brute-force computation that
 * tries every diagonal of every output against every work it is compared with: blocks of 5 and of
 * min-words words, prompt-overlap trimming, near passages' matched words, the longest covered
 * block, long passages counted without overlap.
 */
class CoverageTest {
    @TempDir static Path dir;
    static List<String[]> works = new ArrayList<>();
    static Path index;

    @BeforeAll
    static void build() throws Exception {
        SplittableRandom r = new SplittableRandom(2026);
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        for (int w = 0; w < 2; w++) {
            String[] words = new String[3000];
            for (int i = 0; i < words.length; i++) {
                words[i] = "w" + Integer.toString(r.nextInt(4000), 36);
            }
            works.add(words);
            Files.writeString(corpus.resolve("work" + w + ".txt"), String.join(" ", words));
        }
        index = dir.resolve("index");
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, index, new IndexBuilder.Options(8, true, 1));
    }

    private static String slice(int work, int from, int to) {
        return String.join(" ", Arrays.copyOfRange(works.get(work), from, to));
    }

    private static String filler(SplittableRandom r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(" f").append(Integer.toString(r.nextInt(100_000), 36));
        }
        return sb.append(' ').toString();
    }

    @Test
    void coverageMatchesABruteForceOverEveryDiagonal() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        Map<String, ObjectNode> outputs = new LinkedHashMap<>();
        // prompted from work0: its first 10 copied words are also in the prompt (trimmed)
        ObjectNode a = Records.MAPPER.createObjectNode();
        a.put("prompt", "Continue: " + slice(0, 100, 140));
        a.put("work_id", "work0");
        a.put(
                "text",
                slice(0, 130, 200)
                        + filler(r, 20)
                        + slice(0, 500, 506) // a 6-word fragment: counts at k = 5 only
                        + filler(r, 20)
                        + slice(1, 40, 70));
        outputs.put("a", a);
        // no prompt; a 15-word span of work0 makes its 7-word fragment count too; a near copy of
        // work1 with edits after 10, 14 and 30 copied words
        String[] nearCopy = Arrays.copyOfRange(works.get(1), 1000, 1040);
        nearCopy[10] = "xsub1";
        nearCopy[14] = "xsub2";
        nearCopy[30] = "xsub3";
        ObjectNode b = Records.MAPPER.createObjectNode();
        b.put(
                "text",
                slice(0, 1000, 1015)
                        + filler(r, 10)
                        + slice(0, 2000, 2007)
                        + filler(r, 10)
                        + String.join(" ", nearCopy)
                        + filler(r, 5));
        outputs.put("b", b);
        // compared with no work: a 7-word fragment alone is not looked for
        ObjectNode c = Records.MAPPER.createObjectNode();
        c.put("text", filler(r, 10) + slice(1, 2500, 2507) + filler(r, 10));
        outputs.put("c", c);
        Path jsonl = dir.resolve("outputs.jsonl");
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ObjectNode> e : outputs.entrySet()) {
            ObjectNode line = Records.MAPPER.createObjectNode().put("id", e.getKey());
            line.setAll(e.getValue());
            sb.append(Records.MAPPER.writeValueAsString(line)).append('\n');
        }
        Files.writeString(jsonl, sb);
        Path out = dir.resolve("scan");
        new ScanService(Clock.systemUTC(), m -> {})
                .scan(index, jsonl, out, new ScanService.Options(12, 1, null).near(0.8), List.of());
        WorksFile file = Records.read(out.resolve("works.json"), WorksFile.class);
        List<Span> spans = Records.readAll(out.resolve("spans.jsonl"), Span.class);

        for (int w = 0; w < 2; w++) {
            String id = "work" + w;
            long[] work = WordNormalizer.normalize(String.join(" ", works.get(w))).hashes();
            BitSet k5 = new BitSet();
            BitSet min = new BitSet();
            int compared = 0;
            int trimmedOutputs = 0;
            for (Map.Entry<String, ObjectNode> e : outputs.entrySet()) {
                ObjectNode o = e.getValue();
                boolean hit =
                        spans.stream()
                                .anyMatch(
                                        s ->
                                                s.outputId().equals(e.getKey())
                                                        && s.workId().equals(id));
                boolean prompted = o.has("work_id") && o.get("work_id").asText().equals(id);
                if (!hit && !prompted) {
                    continue;
                }
                compared++;
                NormalizedWords ow = WordNormalizer.normalize(o.get("text").asText());
                boolean[] trimmed = new boolean[ow.size()];
                if (o.has("prompt")) {
                    trimmedOutputs++;
                    trimmed = trim(ow.hashes(), ow.size(), o.get("prompt").asText());
                }
                bruteForce(ow.hashes(), ow.size(), trimmed, work, 5, k5);
                bruteForce(ow.hashes(), ow.size(), trimmed, work, 12, min);
            }
            ScanCoverage cov = file.works().get(id).scan().coverage();
            assertThat(cov.outputs()).as(id).isEqualTo(compared);
            assertThat(cov.outputsTrimmed()).as(id).isEqualTo(trimmedOutputs);
            assertThat(cov.workWords()).isEqualTo(3000);
            check(id + " k", cov.exactK(), k5);
            check(id + " min", cov.exactMinWords(), min);
            if (w == 1) {
                BitSet near = new BitSet();
                for (int i = 0; i < 40; i++) {
                    if (i != 10 && i != 14 && i != 30) {
                        near.set(1000 + i);
                    }
                }
                BitSet nk = (BitSet) k5.clone();
                nk.or(near);
                BitSet nm = (BitSet) min.clone();
                nm.or(near);
                // the 3 words between the edits after 10 and 14 are below k: near adds them
                assertThat(nk.cardinality()).isEqualTo(k5.cardinality() + 3);
                check(id + " near k", cov.nearK(), nk);
                check(id + " near min", cov.nearMinWords(), nm);
            } else {
                check(id + " near k", cov.nearK(), k5);
            }
        }
        ScanCoverage w0 = file.works().get("work0").scan().coverage();
        // the prompt overlap (words 130..140) is trimmed; the 6- and 7-word fragments count at k
        assertThat(w0.exactK().words()).isEqualTo(60 + 6 + 15 + 7);
        assertThat(w0.exactMinWords().words()).isEqualTo(60 + 15);
        assertThat(w0.exactK().longestBlockWords()).isEqualTo(60);
        assertThat(w0.passagesOver20()).isEqualTo(1); // the 70 raw words of a, untrimmed
        assertThat(w0.passagesOver50()).isEqualTo(1);
        ScanCoverage w1 = file.works().get("work1").scan().coverage();
        assertThat(w1.outputs()).isEqualTo(2); // c is compared with neither work
        assertThat(w1.passagesOver20()).isEqualTo(1); // the 30 words of a; b's runs are shorter
        assertThat(w1.nearPassagesOver20()).isEqualTo(2); // and b's 40-word near passage
        assertThat(w1.nearPassagesOver50()).isZero();
    }

    private static void check(String what, ScanCoverage.Block got, BitSet want) {
        assertThat(got.words()).as(what).isEqualTo(want.cardinality());
        int longest = 0;
        for (int i = want.nextSetBit(0); i >= 0; i = want.nextSetBit(want.nextClearBit(i))) {
            longest = Math.max(longest, want.nextClearBit(i) - i);
        }
        assertThat(got.longestBlockWords()).as(what).isEqualTo(longest);
        assertThat(got.share()).as(what).isEqualTo(want.cardinality() / 3000.0);
    }

    /** Output words inside a 5-gram (compared word by word) that the prompt also holds. */
    private static boolean[] trim(long[] out, int n, String prompt) {
        NormalizedWords p = WordNormalizer.normalize(prompt);
        Set<List<Long>> grams = new HashSet<>();
        for (int i = 0; i + 5 <= p.size(); i++) {
            grams.add(Arrays.stream(Arrays.copyOfRange(p.hashes(), i, i + 5)).boxed().toList());
        }
        boolean[] t = new boolean[n];
        for (int i = 0; i + 5 <= n; i++) {
            if (grams.contains(Arrays.stream(Arrays.copyOfRange(out, i, i + 5)).boxed().toList())) {
                Arrays.fill(t, i, i + 5, true);
            }
        }
        return t;
    }

    /** Every diagonal: runs of equal, untrimmed words of at least {@code k} cover work words. */
    private static void bruteForce(
            long[] out, int n, boolean[] trimmed, long[] work, int k, BitSet covered) {
        for (int d = -n; d < work.length; d++) {
            int run = 0;
            for (int i = 0; i <= n; i++) {
                int j = i + d;
                boolean eq = i < n && j >= 0 && j < work.length && !trimmed[i] && out[i] == work[j];
                if (eq) {
                    run++;
                } else {
                    if (run >= k) {
                        covered.set(i - run + d, i + d);
                    }
                    run = 0;
                }
            }
        }
    }
}
