package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The commonness control on a model whose next token depends on the previous one only, so every
 * score is known by hand: P(t | p) = 0.7 when t = p + 1 (mod 4), else 0.1.
 */
class PriorScorerTest {
    static final double HIT = Math.log(0.7);
    static final double MISS = Math.log(0.1);

    /** The model of the class comment, over token ids 0..3. */
    static final class NextTokenModel implements LanguageModel {
        int rows;

        static double lp(int prev, int t) {
            return t == (prev + 1) % 4 ? HIT : MISS;
        }

        @Override
        public List<ScoredSequence> score(
                List<int[]> sequences, boolean fullDistributionStats, GenerationSettings scheme) {
            List<ScoredSequence> out = new ArrayList<>();
            for (int[] ids : sequences) {
                rows++;
                float[] lp = new float[ids.length];
                int[] ranks = new int[ids.length];
                lp[0] = Float.NaN;
                for (int i = 1; i < ids.length; i++) {
                    lp[i] = (float) lp(ids[i - 1], ids[i]);
                    ranks[i] = lp[i] == (float) HIT ? 1 : 2;
                }
                out.add(new ScoredSequence(ids, lp, ranks, null, null, null, null));
            }
            return out;
        }

        @Override
        public ModelTokenizer tokenizer() {
            return null; // the test hands over token ids
        }

        @Override
        public String describe() {
            return "next-token";
        }

        @Override
        public int vocabSize() {
            return 4;
        }

        @Override
        public int maxSequenceLength() {
            return 64;
        }

        @Override
        public List<Generation> generate(
                List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings) {
            throw new UnsupportedOperationException("not needed");
        }

        @Override
        public void close() {}
    }

    static TokenizedWork work(String id, int... ids) {
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            starts[i] = i;
            ends[i] = i + 1;
        }
        return new TokenizedWork(id, "x".repeat(ids.length), ids, starts, ends);
    }

    /** ln P of suffix [s0, s1] after a prefix ending in {@code last}. */
    static double suffix(int last, int s0, int s1) {
        return NextTokenModel.lp(last, s0) + NextTokenModel.lp(s0, s1);
    }

    @Test
    void theRatioIsTheOwnScoreOverTheMeanProbabilityAfterTheDrawnPrefixes() {
        NextTokenModel model = new NextTokenModel();
        // window 0: prefix [0, 1], suffix [2, 3]: own ln P = 2 ln 0.7
        TokenizedWork w = work("w", 0, 1, 2, 3, 0, 1, 2, 3);
        List<Window> windows = new WindowPlanner(2, 2, 4).windows(w);
        List<PriorScorer.Source> sources =
                List.of(
                        new PriorScorer.Source("w", w.ids()), // the work itself: never drawn
                        new PriorScorer.Source("a", new int[] {3, 3, 3}), // after 3: 0.1 × 0.7
                        new PriorScorer.Source("b", new int[] {0, 1}), // after 1: 0.7 × 0.7
                        new PriorScorer.Source("short", new int[] {2})); // shorter than a prefix
        PriorScorer prior = new PriorScorer(model, sources, 8, 42, 3);
        List<WindowRecord> plain = new WindowScorer(model, List.of()).score(w, windows);
        List<WindowRecord> out = prior.attach(w, windows, plain);

        assertThat(out).hasSize(2);
        assertThat(model.rows).isEqualTo(2 + 2 * 8); // the windows, then K per window
        WindowRecord.Prior p = out.get(0).prior();
        assertThat(p.prefixes()).isEqualTo(8);
        assertThat(p.from()).hasSize(8).allMatch(f -> f.matches("(a@[01]|b@0)"));
        // by hand, from the drawn prefixes
        double[] lps =
                p.from().stream()
                        .mapToDouble(f -> f.startsWith("a") ? suffix(3, 2, 3) : suffix(1, 2, 3))
                        .toArray();
        double mean = 0;
        double meanP = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (double lp : lps) {
            mean += lp / 8;
            meanP += Math.exp(lp) / 8;
            max = Math.max(max, lp);
        }
        assertThat(p.ownLogProb()).isCloseTo(2 * HIT, within(1e-6));
        assertThat(p.meanLogProb()).isCloseTo(mean, within(1e-6));
        assertThat(p.maxLogProb()).isCloseTo(max, within(1e-6));
        assertThat(p.logMeanExp()).isCloseTo(Math.log(meanP), within(1e-6));
        assertThat(p.logRatio()).isCloseTo(2 * HIT - Math.log(meanP), within(1e-6));
        // both sources drawn (seed 42): the ratio lies strictly between its two extremes
        assertThat(p.from()).anyMatch(f -> f.startsWith("a")).anyMatch(f -> f.startsWith("b"));
        assertThat(p.logRatio()).isGreaterThan(0.0).isLessThan(Math.log(0.7 / 0.1));
        // everything else in the record is the window's own
        assertThat(PriorScorer.withPrior(out.get(0), null)).isEqualTo(plain.get(0));
    }

    @Test
    void aSuffixTheModelSaysAfterAnyPrefixHasLogRatioZero() {
        NextTokenModel model = new NextTokenModel();
        TokenizedWork w = work("w", 0, 1, 2, 3);
        List<Window> windows = new WindowPlanner(2, 2, 4).windows(w);
        // every unrelated prefix ends in 1, as the window's own does
        PriorScorer prior =
                new PriorScorer(
                        model,
                        List.of(new PriorScorer.Source("b", new int[] {3, 1, 0, 1})),
                        4,
                        7,
                        16);
        WindowRecord.Prior p =
                prior.attach(w, windows, new WindowScorer(model, List.of()).score(w, windows))
                        .get(0)
                        .prior();
        // b@0 [3, 1] and b@2 [0, 1] end in 1; b@1 [1, 0] ends in 0: P(2 | 0) = 0.1
        double[] lps =
                p.from().stream()
                        .mapToDouble(f -> f.equals("b@1") ? suffix(0, 2, 3) : suffix(1, 2, 3))
                        .toArray();
        double meanP = 0;
        for (double lp : lps) {
            meanP += Math.exp(lp) / lps.length;
        }
        assertThat(p.logRatio()).isCloseTo(2 * HIT - Math.log(meanP), within(1e-6));
        if (p.from().stream().noneMatch(f -> f.equals("b@1"))) {
            assertThat(p.logRatio()).isCloseTo(0.0, within(1e-6));
        }
        assertThat(p.logRatio()).isLessThan(WindowRecord.SAID_ANYWAY_LOG_RATIO);
    }

    @Test
    void theDrawIsSeededPerWindowAndLeavesOutTheWorkAndShortTexts() {
        NextTokenModel model = new NextTokenModel();
        List<PriorScorer.Source> sources =
                List.of(
                        new PriorScorer.Source("w", new int[] {0, 1, 2, 3, 0, 1}),
                        new PriorScorer.Source("a", new int[] {0, 1, 2, 3, 0, 1, 2, 3, 0}),
                        new PriorScorer.Source("tiny", new int[] {1}));
        PriorScorer one = new PriorScorer(model, sources, 16, 5, 4);
        PriorScorer same = new PriorScorer(model, sources, 16, 5, 4);
        PriorScorer other = new PriorScorer(model, sources, 16, 6, 4);
        assertThat(one.draws("w", 3, 2)).isEqualTo(same.draws("w", 3, 2));
        assertThat(one.draws("w", 3, 2)).isNotEqualTo(other.draws("w", 3, 2));
        assertThat(one.draws("w", 3, 2)).isNotEqualTo(one.draws("w", 4, 2));
        assertThat(one.draws("w", 3, 2))
                .hasSize(16)
                .allMatch(d -> d.source().id().equals("a") && d.start() <= 9 - 2);
        // no other text as long as the prefix: no draw, so no prior
        assertThat(one.draws("w", 0, 10)).isEmpty();
        TokenizedWork w = work("w", 0, 1, 2, 3);
        List<Window> windows = new WindowPlanner(2, 2, 4).windows(w);
        PriorScorer none = new PriorScorer(model, List.of(sources.get(0), sources.get(2)), 4, 1, 4);
        assertThat(
                        none.attach(
                                        w,
                                        windows,
                                        new WindowScorer(model, List.of()).score(w, windows))
                                .get(0)
                                .prior())
                .isNull();
    }

    @Test
    void anUnmeasuredOwnScoreOrANonFiniteUnrelatedOneGivesNoPrior() {
        assertThat(PriorScorer.prior(null, new double[] {-1}, List.of())).isNull();
        assertThat(PriorScorer.prior(-1.0, new double[] {-1, Double.NaN}, List.of())).isNull();
        assertThat(PriorScorer.prior(-1.0, new double[] {Double.NEGATIVE_INFINITY}, List.of()))
                .isNull();
        WindowRecord.Prior p = PriorScorer.prior(-1.0, new double[] {-1, -3}, List.of());
        // ln((e^-1 + e^-3) / 2) by hand
        double lme = Math.log((Math.exp(-1) + Math.exp(-3)) / 2);
        assertThat(p.logMeanExp()).isCloseTo(lme, within(1e-12));
        assertThat(p.logRatio()).isCloseTo(-1 - lme, within(1e-12));
        assertThat(p.meanLogProb()).isEqualTo(-2.0);
        assertThat(p.maxLogProb()).isEqualTo(-1.0);
    }
}
