package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.testing.FixedLogitsModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Bits to extract, b = −log2 Π_t (1/r_t if r_t ≤ m else P(x_t)) with m = 20, on hand-computed
 * examples: through a real local model whose next-token distribution is fixed, and on the ranks and
 * log-probs a remote server returns.
 */
class BitsToExtractTest {
    private static final int M = WindowRecord.BITS_RANK_CUTOFF;

    /**
     * Weights w_i of a 24-token vocabulary, logits ln w_i, so P(i) = w_i / 128:
     *
     * <pre>
     * token 0         weight 64    P = 1/2     rank 1
     * tokens 1, 2     weight 11.5  (tied)      rank 2 both: one token strictly above
     * tokens 3 .. 22  weight 2     (tied)      rank 4 all: tokens 0, 1, 2 strictly above
     * token 23        weight 1     P = 1/128   rank 24 > m: 23 tokens strictly above
     * sum 64 + 23 + 40 + 1 = 128
     * </pre>
     */
    private static float[] logits() {
        float[] l = new float[24];
        l[0] = (float) Math.log(64);
        l[1] = l[2] = (float) Math.log(11.5);
        for (int i = 3; i <= 22; i++) {
            l[i] = (float) Math.log(2);
        }
        l[23] = 0f; // ln 1
        return l;
    }

    private static TokenizedWork work(int[] tokens) {
        int n = tokens.length;
        int[] starts = new int[n];
        int[] ends = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = i;
            ends[i] = i + 1;
        }
        return new TokenizedWork("w", "x".repeat(n), tokens, starts, ends);
    }

    @Test
    void aLocalModelsBitsMatchTheHandComputedSum() {
        try (DjlLanguageModel model = FixedLogitsModel.of(logits(), 16)) {
            // prefix [7], suffix [0, 1, 2, 5, 23]:
            //   0: rank 1 → 1/1, log2 1 = 0 bits
            //   1: rank 2 → 1/2, 1 bit
            //   2: rank 2 (tied with 1, which greedy would emit: the tie shares the better rank)
            //      → 1 bit
            //   5: rank 4 (three tokens strictly above, 19 tied with it) → 1/4, 2 bits
            //  23: rank 24 > 20 → P = 1/128, 7 bits
            // b = 0 + 1 + 1 + 2 + 7 = 11 bits, p = 2^-11; one token beyond m
            TokenizedWork w = work(new int[] {7, 0, 1, 2, 5, 23});
            List<Window> windows = new WindowPlanner(1, 5, 5).windows(w);
            assertThat(windows).hasSize(1);
            WindowRecord r = new WindowScorer(model, List.of()).score(w, windows).get(0);
            assertThat(r.bitsToExtract()).isCloseTo(11.0, within(1e-5));
            assertThat(r.bitsRanksBeyondM()).isEqualTo(1);
            assertThat(r.bitsNotMeasured()).isNull();
            // against p_z under t1 of the same suffix: 1/2 · (11.5/128)² · 2/128 · 1/128, far less
            double t1Bits = -Math.log(r.pZ().get("t1")) / Math.log(2);
            assertThat(t1Bits)
                    .isCloseTo(1 + 2 * (7 - Math.log(11.5) / Math.log(2)) + 6 + 7, within(1e-4));
            assertThat(t1Bits).isGreaterThan(r.bitsToExtract());
        }
    }

    @Test
    void everyTopRankedTokenCostsZeroBits() {
        try (DjlLanguageModel model = FixedLogitsModel.of(logits(), 16)) {
            TokenizedWork w = work(new int[] {3, 0, 0, 0});
            List<Window> windows = new WindowPlanner(1, 3, 3).windows(w);
            WindowRecord r = new WindowScorer(model, List.of()).score(w, windows).get(0);
            assertThat(r.bitsToExtract()).isEqualTo(0.0);
            assertThat(r.bitsRanksBeyondM()).isZero();
        }
    }

    @Test
    void rankMIsStillTriedAndRankMPlusOneIsCharged() {
        // positions 0 and 3 are outside [1, 3)
        float[] lp = {Float.NaN, (float) Math.log(0.01), (float) Math.log(0.001), 0f};
        // rank 20 = m: 1/20, log2 20 bits, whatever P is
        WindowScorer.Bits atM =
                WindowScorer.bitsToExtract(new int[] {0, 20, 1, 0}, lp, 1, 3, Integer.MAX_VALUE, M);
        assertThat(atM.bits()).isCloseTo(Math.log(20) / Math.log(2), within(1e-12));
        assertThat(atM.ranksBeyondM()).isZero();
        // rank 21 > m: −log2 0.01
        WindowScorer.Bits past =
                WindowScorer.bitsToExtract(new int[] {0, 21, 1, 0}, lp, 1, 3, Integer.MAX_VALUE, M);
        assertThat(past.bits()).isCloseTo(-Math.log((float) 0.01) / Math.log(2), within(1e-5));
        assertThat(past.ranksBeyondM()).isEqualTo(1);
        assertThat(past.notMeasured()).isNull();
    }

    @Test
    void aServerListOfAtLeastMTellsRankAboveMAndItsLogprobIsCharged() {
        // echo with a top-20 list: rank 0 = not in the list, so above 20; P(x) = e^-5 echoed
        float[] lp = {Float.NaN, (float) Math.log(0.5), -5f};
        WindowScorer.Bits b = WindowScorer.bitsToExtract(new int[] {0, 2, 0}, lp, 1, 3, 20, M);
        // 1 bit + 5 / ln 2 bits
        assertThat(b.bits()).isCloseTo(1 + 5 / Math.log(2), within(1e-6));
        assertThat(b.ranksBeyondM()).isEqualTo(1);
        assertThat(b.notMeasured()).isNull();
    }

    @Test
    void aServerListShorterThanMLeavesTheBitsNotMeasuredNeverZero() {
        float[] lp = {Float.NaN, 0f, -9f};
        // top-5 list: token 1 is rank 1, token 2 outside the list: rank 6..∞, ≤ 20 or not unknown
        WindowScorer.Bits b = WindowScorer.bitsToExtract(new int[] {0, 1, 0}, lp, 1, 3, 5, M);
        assertThat(b.bits()).isNaN();
        assertThat(b.notMeasured()).contains("suffix token 1").contains("top 5").contains("m = 20");
        // inside the short list every rank is known: measured
        WindowScorer.Bits listed = WindowScorer.bitsToExtract(new int[] {0, 1, 4}, lp, 1, 3, 5, M);
        assertThat(listed.bits()).isCloseTo(2.0, within(1e-12));
        // a rank a local model should always give, missing, is not measured either
        assertThat(
                        WindowScorer.bitsToExtract(
                                        new int[] {0, 1, 0}, lp, 1, 3, Integer.MAX_VALUE, M)
                                .notMeasured())
                .contains("no rank");
        // rank above m with a NaN log-prob: not measured
        assertThat(
                        WindowScorer.bitsToExtract(
                                        new int[] {0, 30, 1},
                                        new float[] {Float.NaN, Float.NaN, 0f},
                                        1,
                                        3,
                                        Integer.MAX_VALUE,
                                        M)
                                .notMeasured())
                .contains("no finite log-prob");
    }

    @Test
    void theRecordLeavesUnmeasuredBitsAbsentWithTheReason() {
        Window w = new Window(0, 0, 1, 3, 0, 1, 1, 3);
        Map<String, Double> lp = new LinkedHashMap<>();
        lp.put("greedy", Double.NEGATIVE_INFINITY);
        lp.put("t1", -3.0);
        WindowRecord r =
                WindowScorer.record(
                        "w", w, lp, Map.of(), false, 0, WindowScorer.Bits.notMeasured("why"));
        assertThat(r.bitsToExtract()).isNull();
        assertThat(r.bitsRanksBeyondM()).isNull();
        assertThat(r.bitsNotMeasured()).isEqualTo("why");
        // bits are not a scheme: not_measured stays about p_z
        assertThat(r.notMeasuredOrEmpty()).isEmpty();
    }

    private static WindowRecord window(int index, WindowScorer.Bits bits) {
        // 40 tokens of 1 code point each; window i: prefix [4i, 4i + 2), suffix [4i + 2, 4i + 4)
        Window w =
                new Window(
                        index,
                        4 * index,
                        4 * index + 2,
                        4 * index + 4,
                        4 * index,
                        4 * index + 2,
                        4 * index + 2,
                        4 * index + 4);
        Map<String, Double> lp = new LinkedHashMap<>();
        lp.put("greedy", Double.NEGATIVE_INFINITY);
        lp.put("t1", -3.0);
        return WindowScorer.record("w" + index / 10, w, lp, Map.of(), false, 0, bits);
    }

    @Test
    void theWorksEasiestWindowHasTheFewestBitsAndItsSuffixText() {
        String text = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"; // 40 code points
        List<WindowRecord> ws =
                List.of(
                        window(0, new WindowScorer.Bits(9.5, 1, null)),
                        window(1, WindowScorer.Bits.notMeasured("suffix token 1 beyond top 5")),
                        window(2, new WindowScorer.Bits(4.25, 0, null)),
                        window(3, new WindowScorer.Bits(4.25, 0, null)));
        ExtractWork e =
                WorkSummary.of(40, ws, 0, new WorkSummary.Attempts(), "t1", null, "t", text);
        // 4.25 bits, window 2 before its tie window 3; suffix [10, 12) = "kl"
        assertThat(e.easiestWindow())
                .isEqualTo(new ExtractWork.EasiestWindow("w0", 2, 10, 12, 4.25, 0, "kl"));
        assertThat(e.bitsNotMeasuredWindows()).isEqualTo(1);
        assertThat(e.bitsNotMeasured()).isEqualTo("window 1: suffix token 1 beyond top 5");
    }

    @Test
    void noMeasuredWindowGivesNoEasiestWindowNotZeroBits() {
        List<WindowRecord> ws = List.of(window(0, WindowScorer.Bits.notMeasured("short list")));
        ExtractWork e =
                WorkSummary.of(
                        40, ws, 0, new WorkSummary.Attempts(), "t1", null, "t", "x".repeat(40));
        assertThat(e.easiestWindow()).isNull();
        assertThat(e.bitsNotMeasuredWindows()).isEqualTo(1);

        Map<String, ExtractWork> byWork = new TreeMap<>();
        byWork.put("a", e);
        assertThat(ExtractService.easiestOfRun(byWork)).isNull();
    }

    @Test
    void theRunsEasiestWindowIsTheFewestBitsOverTheWorks() {
        String text = "x".repeat(100);
        ExtractWork a =
                WorkSummary.of(
                        40,
                        List.of(window(0, new WindowScorer.Bits(8.0, 0, null))),
                        0,
                        new WorkSummary.Attempts(),
                        "t1",
                        null,
                        "t",
                        text);
        ExtractWork b =
                WorkSummary.of(
                        40,
                        List.of(window(10, new WindowScorer.Bits(3.0, 0, null))),
                        0,
                        new WorkSummary.Attempts(),
                        "t1",
                        null,
                        "t",
                        text);
        ExtractWork c =
                WorkSummary.of(
                        40,
                        List.of(window(20, new WindowScorer.Bits(3.0, 0, null))),
                        0,
                        new WorkSummary.Attempts(),
                        "t1",
                        null,
                        "t",
                        text);
        Map<String, ExtractWork> byWork = new TreeMap<>(Map.of("w0", a, "w1", b, "w2", c));
        // 3 bits in w1 and w2: the lower work id keeps the tie
        assertThat(ExtractService.easiestOfRun(byWork).workId()).isEqualTo("w1");
        assertThat(ExtractService.easiestOfRun(byWork).bits()).isEqualTo(3.0);
    }
}
