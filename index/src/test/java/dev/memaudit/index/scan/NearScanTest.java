package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.build.IndexBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Near-verbatim passages: planted copies of 20-150 words with substituted, inserted and deleted
 * words are found at their exact code-point offsets in both texts, with the edit distance a
 * brute-force word aligner gives; text that shares only stock phrases and common words with the
 * works yields none; a hyphenated compound rewrapped as two words is no edit.
 */
class NearScanTest {
    private static final String[] FUNCTION =
            "the of and to a in that is was he for it with as his on be at by this had not"
                    .split(" ");

    @TempDir static Path dir;
    static NgramIndex index;
    static List<String> works = new ArrayList<>();
    static List<String> stock = new ArrayList<>();

    @BeforeAll
    static void build() throws Exception {
        SplittableRandom r = new SplittableRandom(1202);
        for (int p = 0; p < 12; p++) {
            stock.add(prose(r, 9 + r.nextInt(2), "k"));
        }
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        for (int w = 0; w < 4; w++) {
            StringBuilder sb = new StringBuilder();
            while (sb.length() < 60_000) {
                sb.append(prose(r, 5 + r.nextInt(25), "c")).append(". ");
                if (r.nextInt(60) == 0) {
                    sb.append(stock.get(r.nextInt(stock.size()))).append(", ");
                }
                if (r.nextInt(15) == 0) {
                    sb.append("a sharp soap-\nworks smell ");
                }
            }
            works.add(sb.toString());
            Files.writeString(corpus.resolve("work" + w + ".txt"), sb);
        }
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, dir.resolve("index"), new IndexBuilder.Options(8, true, 2));
        index = NgramIndex.open(dir.resolve("index"));
    }

    @AfterAll
    static void close() throws Exception {
        index.close();
    }

    /** Words of a vocabulary prefixed {@code prefix} (1,500 of them), mixed with function words. */
    private static String prose(SplittableRandom r, int n, String prefix) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ");
            sb.append(
                    r.nextInt(3) == 0
                            ? FUNCTION[r.nextInt(FUNCTION.length)]
                            : prefix + Integer.toString(r.nextInt(1500), 36));
        }
        return sb.toString();
    }

    private static OutputScanner scanner() {
        return OutputScanner.of(index, new ScanService.Options(12, 1, null).near(0.8));
    }

    private static List<Span> scan(String text) {
        return scanner().scan(new ScanService.Output(1, "o", text, null)).spans();
    }

    record Plant(
            String text, int outStart, int outEnd, int workOrdinal, int workStart, int workEnd) {}

    @Test
    void editedCopiesAreFoundAtTheirOffsetsWithTheBruteForceEditDistance() {
        SplittableRandom r = new SplittableRandom(7);
        int checked = 0;
        for (double rate : new double[] {0.03, 0.06, 0.10}) {
            for (int len : new int[] {20, 30, 60, 150}) {
                for (int rep = 0; rep < 4; rep++) {
                    Plant p = plant(r, len, rate);
                    List<Span> near =
                            scan(p.text()).stream()
                                    .filter(
                                            s ->
                                                    s.workId()
                                                            .equals(
                                                                    index.store()
                                                                            .id(p.workOrdinal())))
                                    .filter(s -> s.near() || s.words() >= len)
                                    .toList();
                    String what = "len " + len + " rate " + rate + " rep " + rep + ": " + p.text();
                    assertThat(near).as(what).hasSize(1);
                    Span s = near.get(0);
                    assertThat(s.outputCharStart()).as(what).isEqualTo(p.outStart());
                    assertThat(s.outputCharEnd()).as(what).isEqualTo(p.outEnd());
                    assertThat(s.workCharStart()).as(what).isEqualTo(p.workStart());
                    assertThat(s.workCharEnd()).as(what).isEqualTo(p.workEnd());
                    long[] a = words(CodePoints.substring(p.text(), p.outStart(), p.outEnd()));
                    long[] b =
                            words(
                                    CodePoints.substring(
                                            works.get(p.workOrdinal()),
                                            p.workStart(),
                                            p.workEnd()));
                    int lev = levenshtein(a, b);
                    assertThat(s.editDistance()).as(s.alignment() + " " + what).isEqualTo(lev);
                    assertThat(s.wordsOutput()).isEqualTo(a.length);
                    assertThat(s.wordsWork()).isEqualTo(b.length);
                    assertThat(s.similarity())
                            .isCloseTo(
                                    1.0 - lev / (double) Math.max(a.length, b.length),
                                    org.assertj.core.data.Offset.offset(1e-12));
                    assertThat(replay(s.alignment(), a, b)).as(what).isTrue();
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(48);
    }

    /**
     * Filler (its own vocabulary), then a passage of {@code len} words of a work with about {@code
     * rate} of its words edited (never the first or last five, never two in a row, and leaving an
     * unedited run of at least the index's 8-word gram: a passage needs one to be found), then
     * filler.
     */
    private static Plant plant(SplittableRandom r, int len, double rate) {
        int ord = r.nextInt(works.size());
        String work = works.get(ord);
        NormalizedWords ww = WordNormalizer.normalize(work);
        int from = r.nextInt(ww.size() - len);
        StringBuilder out = new StringBuilder(prose(r, 15, "f")).append(". ");
        int outStart = out.codePointCount(0, out.length());
        int edits = Math.max(1, (int) Math.round(len * rate));
        boolean[] edited;
        do {
            edited = new boolean[len];
            for (int e = 0; e < edits; ) {
                int k = 5 + r.nextInt(len - 10);
                if (!edited[k] && !edited[k - 1] && !edited[k + 1]) {
                    edited[k] = true;
                    e++;
                }
            }
        } while (longestUnedited(edited) < 8);
        for (int k = 0; k < len; k++) {
            String word = CodePoints.substring(work, ww.starts()[from + k], ww.ends()[from + k]);
            if (k > 0) {
                out.append(' ');
            }
            if (!edited[k]) {
                out.append(word);
                continue;
            }
            switch (r.nextInt(3)) {
                case 0 -> out.append("zsub").append(r.nextInt(1000)); // substituted
                case 1 -> out.append(word).append(" zins").append(r.nextInt(1000)); // inserted
                default -> out.setLength(out.length() - 1); // deleted (drop the space too)
            }
        }
        int outEnd = out.codePointCount(0, out.length());
        out.append(". ").append(prose(r, 15, "f"));
        return new Plant(
                out.toString(),
                outStart,
                outEnd,
                ord,
                ww.starts()[from],
                ww.ends()[from + len - 1]);
    }

    private static int longestUnedited(boolean[] edited) {
        int best = 0;
        int run = 0;
        for (boolean e : edited) {
            run = e ? 0 : run + 1;
            best = Math.max(best, run);
        }
        return best;
    }

    @Test
    void stockPhrasesAndCommonWordsMakeNoPassage() {
        SplittableRandom r = new SplittableRandom(99);
        long words = 0;
        int found = 0;
        OutputScanner scanner = scanner();
        for (int o = 0; o < 300; o++) {
            StringBuilder sb = new StringBuilder();
            for (int part = 0; part < 8; part++) {
                sb.append(prose(r, 5 + r.nextInt(20), "d")).append(' ');
                String phrase = stock.get(r.nextInt(stock.size()));
                sb.append(phrase).append(' ');
                // common words after the phrase, as a work might continue it
                for (int i = 0; i < 4; i++) {
                    sb.append(FUNCTION[r.nextInt(4)]).append(' ');
                }
            }
            String text = sb.toString();
            words += WordNormalizer.normalize(text).size();
            found += scanner.scan(new ScanService.Output(o, "d" + o, text, null)).spans().size();
        }
        assertThat(words).isGreaterThan(50_000);
        assertThat(found).as("passages in decoy text").isZero();
    }

    @Test
    void aHyphenatedCompoundRewrappedAsTwoWordsIsNoEdit() {
        String work = works.get(0);
        int at = work.indexOf("a sharp soap-\nworks smell ");
        // 20 words before and after the compound, rewrapped as "soap- works"
        NormalizedWords ww = WordNormalizer.normalize(work);
        int cp = work.codePointCount(0, at);
        int k = Arrays.binarySearch(ww.starts(), 0, ww.size(), cp);
        assertThat(k).isGreaterThan(20);
        String before = CodePoints.substring(work, ww.starts()[k - 20], cp);
        int compound = k + 2; // "a", "sharp", then soapworks
        String after = CodePoints.substring(work, ww.ends()[compound], ww.ends()[compound + 20]);
        for (String rewrapped : new String[] {"soap- works", "soap works"}) {
            String out = "fzz fyy. " + before + "a sharp " + rewrapped + after + ". fqq";
            List<Span> spans = scan(out).stream().filter(Span::near).toList();
            assertThat(spans).as(rewrapped).hasSize(1);
            Span s = spans.get(0);
            assertThat(s.editDistance()).isZero();
            assertThat(s.similarity()).isEqualTo(1.0);
            assertThat(s.alignment()).contains("1J");
            assertThat(s.wordsOutput()).isEqualTo(s.wordsWork() + 1);
            assertThat(s.workCharStart()).isEqualTo(ww.starts()[k - 20]);
            assertThat(s.workCharEnd()).isEqualTo(ww.ends()[compound + 20]);
        }
        // and "soap-works" / "soapworks" are the same word already: one exact span
        for (String same : new String[] {"soap-works", "soapworks"}) {
            String out = "fzz fyy. " + before + "a sharp " + same + after + ". fqq";
            List<Span> spans = scan(out);
            assertThat(spans).as(same).hasSize(1);
            assertThat(spans.get(0).match()).isEqualTo(Span.EXACT);
            assertThat(spans.get(0).words()).isEqualTo(43);
        }
    }

    @Test
    void exactOnlyFindsNoNearPassages() {
        SplittableRandom r = new SplittableRandom(3);
        Plant p = plant(r, 60, 0.1);
        OutputScanner.Result exact =
                OutputScanner.of(index, new ScanService.Options(12, 1, null))
                        .scan(new ScanService.Output(1, "o", p.text(), null));
        assertThat(exact.spans()).noneMatch(Span::near);
        // not looked for: null, never a count of 0
        assertThat(exact.summary().nearPassages()).isNull();
        assertThat(exact.summary().nearCoveredWords()).isNull();
        assertThat(scan(p.text())).anyMatch(Span::near);
    }

    private static long[] words(String text) {
        NormalizedWords w = WordNormalizer.normalize(text);
        return Arrays.copyOf(w.hashes(), w.size());
    }

    /** Word-level Levenshtein distance by the full table: the brute-force reference. */
    static int levenshtein(long[] a, long[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length; j++) {
                int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }

    /** Whether the alignment string consumes both word sequences exactly, matches being equal. */
    static boolean replay(String alignment, long[] a, long[] b) {
        int i = 0;
        int j = 0;
        var m = java.util.regex.Pattern.compile("(\\d+)([=XIDJP])").matcher(alignment);
        int consumed = 0;
        while (m.find()) {
            consumed += m.group().length();
            int n = Integer.parseInt(m.group(1));
            for (int k = 0; k < n; k++) {
                switch (m.group(2).charAt(0)) {
                    case '=' -> {
                        if (a[i++] != b[j++]) {
                            return false;
                        }
                    }
                    case 'X' -> {
                        i++;
                        j++;
                    }
                    case 'I' -> i++;
                    case 'D' -> j++;
                    case 'J' -> {
                        i += 2;
                        j++;
                    }
                    default -> {
                        i++;
                        j += 2;
                    }
                }
            }
        }
        return consumed == alignment.length() && i == a.length && j == b.length;
    }
}
