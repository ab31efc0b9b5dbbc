package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.model.DecodingDistribution;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The near bound against brute force: a model over 5 tokens whose logits depend on the last two
 * tokens, every suffix of 4 tokens enumerated, the exact probability of a suffix within ε summed.
 */
class NearBoundTest {
    /** Logits from a hash of the last two tokens: context-dependent, reproducible. */
    static final class HashModel implements LanguageModel {
        static final int V = 5;

        @Override
        public boolean givesLogits() {
            return true;
        }

        @Override
        public List<float[]> nextTokenLogits(List<int[]> prefixes) {
            List<float[]> out = new ArrayList<>();
            for (int[] p : prefixes) {
                out.add(logits(p));
            }
            return out;
        }

        static float[] logits(int[] p) {
            long h = 17;
            for (int i = Math.max(0, p.length - 2); i < p.length; i++) {
                h = h * 31 + p[i] + 1;
            }
            float[] l = new float[V];
            for (int z = 0; z < V; z++) {
                long x = (h * 0x9E3779B97F4A7C15L) ^ (z * 0xBF58476D1CE4E5B9L);
                x ^= x >>> 29;
                l[z] = (float) ((x & 0xFFFF) / 65536.0 * 4.0); // logits in [0, 4)
            }
            return l;
        }

        @Override
        public void close() {}

        @Override
        public ModelTokenizer tokenizer() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String describe() {
            return "hash model";
        }

        @Override
        public int vocabSize() {
            return V;
        }

        @Override
        public int maxSequenceLength() {
            return 64;
        }

        @Override
        public List<ScoredSequence> score(
                List<int[]> sequences, boolean full, GenerationSettings scheme) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Generation> generate(
                List<int[]> prefixes, long[] seeds, GenerationSettings settings) {
            throw new UnsupportedOperationException();
        }
    }

    static int edit(int[] a, int[] b) {
        int[][] d = new int[a.length + 1][b.length + 1];
        for (int i = 0; i <= a.length; i++) {
            for (int j = 0; j <= b.length; j++) {
                d[i][j] =
                        i == 0 || j == 0
                                ? i + j
                                : Math.min(
                                        d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1),
                                        Math.min(d[i - 1][j], d[i][j - 1]) + 1);
            }
        }
        return d[a.length][b.length];
    }

    /** P(decoding yields y) for every y of the suffix's length, within ε, summed. */
    static double exact(int[] prefix, int[] suffix, DecodingDistribution d, int eps) {
        int len = suffix.length;
        int total = (int) Math.pow(HashModel.V, len);
        double sum = 0;
        for (int code = 0; code < total; code++) {
            int[] y = new int[len];
            for (int t = 0, c = code; t < len; t++, c /= HashModel.V) {
                y[t] = c % HashModel.V;
            }
            if (edit(y, suffix) > eps) {
                continue;
            }
            double lp = 0;
            for (int t = 0; t < len && lp > Double.NEGATIVE_INFINITY; t++) {
                int[] ctx = java.util.Arrays.copyOf(prefix, prefix.length + t);
                System.arraycopy(y, 0, ctx, prefix.length, t);
                lp += d.at(HashModel.logits(ctx), 0, HashModel.V).logProb(y[t]);
            }
            sum += Math.exp(lp);
        }
        return sum;
    }

    static double pz(int[] prefix, int[] suffix, DecodingDistribution d) {
        double lp = 0;
        for (int t = 0; t < suffix.length; t++) {
            int[] ctx = java.util.Arrays.copyOf(prefix, prefix.length + t);
            System.arraycopy(suffix, 0, ctx, prefix.length, t);
            lp += d.at(HashModel.logits(ctx), 0, HashModel.V).logProb(suffix[t]);
        }
        return Math.exp(lp);
    }

    @Test
    void theBoundNeverExceedsTheExactSumReachesItWithAWideBeamAndIsAtLeastPz() {
        HashModel m = new HashModel();
        int[] prefix = {1, 3, 0, 2};
        int checked = 0;
        int strictlyAbovePz = 0;
        for (DecodingDistribution d :
                List.of(
                        new DecodingDistribution(1.0, 0, 1.0),
                        new DecodingDistribution(0.7, 3, 1.0),
                        new DecodingDistribution(1.0, 0, 0.8),
                        DecodingDistribution.greedy())) {
            for (int[] suffix : List.of(new int[] {0, 1, 2, 3}, new int[] {4, 4, 1, 0})) {
                for (int eps = 0; eps <= 2; eps++) {
                    double truth = exact(prefix, suffix, d, eps);
                    double p = pz(prefix, suffix, d);
                    for (int beam : new int[] {1, 3, 8}) {
                        NearBound.Result r =
                                NearBound.compute(m, prefix, suffix, d, eps, beam, 1_000_000);
                        assertThat(r.bound()).isLessThanOrEqualTo(truth + 1e-12);
                        assertThat(r.bound()).isGreaterThanOrEqualTo(p - 1e-12);
                        assertThat(r.budgetExhausted()).isFalse();
                        if (beam == 8 && truth > p * 1.01 + 1e-12) {
                            // near suffixes carry probability: a beam of 8 finds some of it
                            assertThat(r.bound()).isGreaterThan(p * 1.01 + 1e-12);
                            strictlyAbovePz++;
                        }
                        checked++;
                    }
                    // a beam as wide as all suffixes misses nothing
                    NearBound.Result all =
                            NearBound.compute(m, prefix, suffix, d, eps, 625, 1_000_000);
                    assertThat(all.bound()).isCloseTo(truth, within(1e-9));
                    if (eps == 0) {
                        assertThat(all.bound()).isCloseTo(p, within(1e-12));
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(4 * 2 * 3 * 3);
        assertThat(strictlyAbovePz).isGreaterThanOrEqualTo(8);
    }

    @Test
    void aBudgetTooSmallForTheSuffixGivesZeroAndSaysSo() {
        NearBound.Result r =
                NearBound.compute(
                        new HashModel(),
                        new int[] {1, 2},
                        new int[] {0, 1, 2, 3},
                        new DecodingDistribution(1.0, 0, 1.0),
                        1,
                        4,
                        6);
        assertThat(r.budgetExhausted()).isTrue();
        assertThat(r.bound()).isZero();
    }
}
