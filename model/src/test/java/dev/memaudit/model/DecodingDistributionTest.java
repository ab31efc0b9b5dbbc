package dev.memaudit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.testing.FixedLogitsModel;
import dev.memaudit.model.testing.Reference;
import dev.memaudit.stats.ClopperPearson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The decoding semantics on hand-made logits with ties and near-ties. */
class DecodingDistributionTest {
    private static final float[] TIES = FixedLogitsModel.TIES;
    private static final int[] TIES_ORDER = FixedLogitsModel.TIES_ORDER;

    private static DecodingDistribution.Position at(float[] logits, double t, int k, double p) {
        return new DecodingDistribution(t, k, p).at(logits, 0, logits.length);
    }

    /** exp(l_i / T) / Σ over {@code kept}, computed independently in double. */
    private static double reference(float[] logits, double t, int[] kept, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i : kept) {
            max = Math.max(max, logits[i] / t);
        }
        double z = 0;
        boolean in = false;
        for (int i : kept) {
            z += Math.exp(logits[i] / t - max);
            in |= i == token;
        }
        return in ? Math.exp(logits[token] / t - max) / z : 0;
    }

    @Test
    void greedyTakesTheLowestIdAmongTiedMaxima() {
        assertThat(DecodingDistribution.greedyToken(TIES, 0, TIES.length)).isEqualTo(1);
        DecodingDistribution.Position g = DecodingDistribution.greedy().at(TIES, 0, TIES.length);
        for (int i = 0; i < TIES.length; i++) {
            assertThat(g.logProb(i)).isEqualTo(i == 1 ? 0 : Double.NEGATIVE_INFINITY);
        }
        assertThat(g.sample(0.999)).isEqualTo(1);
        // within a row at an offset, and with -0.0 against +0.0: equal logits, lower id
        float[] row = {9f, 9f, -0.0f, 0.0f, -5f};
        assertThat(DecodingDistribution.greedyToken(row, 2, 3)).isZero();
    }

    @Test
    void topKKeepsExactlyKInDecodingOrder() {
        for (int k = 1; k <= TIES.length; k++) {
            DecodingDistribution.Position pos = at(TIES, 1, k, 1);
            int[] kept = Arrays.copyOf(TIES_ORDER, k);
            assertThat(pos.keptCount()).as("k=%d", k).isEqualTo(k);
            double sum = 0;
            for (int i = 0; i < TIES.length; i++) {
                double want = reference(TIES, 1, kept, i);
                double got = Math.exp(pos.logProb(i));
                assertThat(got).as("k=%d token %d", k, i).isCloseTo(want, within(1e-14));
                assertThat(pos.keeps(i)).isEqualTo(want > 0);
                sum += got;
            }
            assertThat(sum).isCloseTo(1, within(1e-12));
        }
        // k = 4 cuts the four-way tie at 2.0 after ids 3 and 4; k = 7 keeps 7 but not its
        // near-twin 6
        assertThat(at(TIES, 1, 4, 1).keeps(5)).isFalse();
        assertThat(at(TIES, 1, 4, 1).keeps(4)).isTrue();
        assertThat(at(TIES, 1, 7, 1).keeps(7)).isTrue();
        assertThat(at(TIES, 1, 7, 1).keeps(6)).isFalse();
    }

    @Test
    void topPKeepsTheShortestPrefixReachingP() {
        for (double t : new double[] {0.5, 1, 1.7}) {
            double[] w = new double[TIES_ORDER.length];
            double z = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.exp(TIES[TIES_ORDER[i]] / t - TIES[1] / t);
                z += w[i];
            }
            double cum = 0;
            for (int m = 1; m <= TIES_ORDER.length; m++) {
                double before = cum;
                cum += w[m - 1] / z;
                // any p in (before, cum] keeps exactly the first m tokens (p kept off the ends by
                // a margin far above rounding: the sums may be formed in another order)
                double gap = cum - before;
                for (double p :
                        new double[] {before + 1e-3 * gap, before + 0.5 * gap, cum - 1e-3 * gap}) {
                    if (!(p > 0 && p <= 1)) {
                        continue;
                    }
                    DecodingDistribution.Position pos = at(TIES, t, 0, p);
                    assertThat(pos.keptCount()).as("T=%s p=%s", t, p).isEqualTo(m);
                    int[] kept = Arrays.copyOf(TIES_ORDER, m);
                    for (int i = 0; i < TIES.length; i++) {
                        assertThat(Math.exp(pos.logProb(i)))
                                .isCloseTo(reference(TIES, t, kept, i), within(1e-14));
                    }
                }
            }
        }
    }

    @Test
    void topPSumsInDoubleWhereFloat32WouldCutEarlier() {
        // three equal logits: the double sum after two is 0.666…6 < p, the float32 sum 0.6666667 ≥
        // p, so float32 arithmetic would drop the third token that the sampler can draw
        float[] logits = {0f, 0f, 0f, -40f, -40f};
        double p = 0.66666668;
        float third = 1f / 3;
        assertThat(third + third >= (float) p).isTrue();
        DecodingDistribution.Position pos = at(logits, 1, 0, p);
        assertThat(pos.keptCount()).isEqualTo(3);
        assertThat(pos.logProb(2)).isCloseTo(Math.log(1.0 / 3), within(1e-14));
    }

    @Test
    void temperatureTopKThenTopPCompose() {
        // T = 0.8, k = 6 keeps 1 2 3 4 5 10; p = 0.9 over their renormalized mass
        DecodingDistribution.Position pos = at(TIES, 0.8, 6, 0.9);
        double[] w = new double[6];
        double z = 0;
        for (int i = 0; i < 6; i++) {
            w[i] = Math.exp(TIES[TIES_ORDER[i]] / 0.8 - TIES[1] / 0.8);
            z += w[i];
        }
        int m = 0;
        double cum = 0;
        while (cum < 0.9) {
            cum += w[m++] / z;
        }
        assertThat(pos.keptCount()).isEqualTo(m);
        for (int i = 0; i < TIES.length; i++) {
            assertThat(Math.exp(pos.logProb(i)))
                    .isCloseTo(
                            reference(TIES, 0.8, Arrays.copyOf(TIES_ORDER, m), i), within(1e-14));
        }
    }

    private static List<DecodingDistribution> schemes() {
        return List.of(
                new DecodingDistribution(1, 0, 1),
                new DecodingDistribution(0.7, 0, 1),
                new DecodingDistribution(1, 4, 1),
                new DecodingDistribution(1, 7, 1),
                new DecodingDistribution(1, 0, 0.5),
                new DecodingDistribution(0.8, 6, 0.9),
                new DecodingDistribution(1.6, 0, 0.95));
    }

    @Test
    void samplingFrequenciesEqualTheProbabilities() {
        int draws = 40_000;
        List<DecodingDistribution> all = schemes();
        // every (scheme, token) is one check; all share a family-wise error of 1e-6 (Bonferroni)
        double confidence = 1 - 1e-6 / (all.size() * TIES.length);
        SplittableRandom rng = new SplittableRandom(2024);
        for (DecodingDistribution d : all) {
            DecodingDistribution.Position pos = d.at(TIES, 0, TIES.length);
            int[] counts = new int[TIES.length];
            for (int n = 0; n < draws; n++) {
                counts[pos.sample(rng.nextDouble())]++;
            }
            for (int i = 0; i < TIES.length; i++) {
                double p = Math.exp(pos.logProb(i));
                if (p == 0) {
                    assertThat(counts[i]).as("token %d excluded", i).isZero();
                } else {
                    ClopperPearson.Interval ci =
                            ClopperPearson.interval(counts[i], draws, confidence);
                    assertThat(p)
                            .as("token %d: %d of %d draws", i, counts[i], draws)
                            .isBetween(ci.low(), ci.high());
                }
            }
        }
    }

    @Test
    void randomLogitsOfAGpt2SizedVocabularyMatchAFullSort() {
        SplittableRandom rng = new SplittableRandom(5);
        int v = 50_257;
        float[] logits = new float[v];
        for (int i = 0; i < v; i++) {
            // a coarse grid makes many exact ties
            logits[i] = Math.round(rng.nextGaussian() * 3 * 8) / 8f;
        }
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                Comparator.comparingDouble((Integer i) -> -logits[i]).thenComparingInt(i -> i));
        int[] sorted = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
        // 5000 is past the heap pass: quickselect
        for (int k : new int[] {1, 40, 1000, 5000}) {
            DecodingDistribution.Position pos = at(logits, 1, k, 1);
            int[] kept = Arrays.copyOf(sorted, k);
            for (int i : new int[] {sorted[0], sorted[k - 1], sorted[k], sorted[v / 2]}) {
                assertThat(Math.exp(pos.logProb(i)))
                        .isCloseTo(reference(logits, 1, kept, i), within(1e-12));
            }
        }
        // top-p without top-k: a nucleus of thousands of tokens
        DecodingDistribution.Position pos = at(logits, 2, 0, 0.9);
        double max = logits[sorted[0]] / 2.0;
        double z = 0;
        for (float x : logits) {
            z += Math.exp(x / 2.0 - max);
        }
        double cum = 0;
        int m = 0;
        while (cum < 0.9) {
            cum += Math.exp(logits[sorted[m++]] / 2.0 - max) / z;
        }
        assertThat(m).isGreaterThan(1000);
        assertThat(pos.keptCount()).isEqualTo(m);
        assertThat(pos.keeps(sorted[m - 1])).isTrue();
        assertThat(pos.keeps(sorted[m])).isFalse();
    }

    @Test
    void aTopListDeterminesWhatItCanAndNothingElse() {
        DecodingDistribution greedy = DecodingDistribution.greedy();
        // log-probs at T = 1, best first (mass 0.874 in all); ids unknown
        double[] top = {-0.7, -1.6, -2.6, -2.6, -3.6};
        assertThat(greedy.logProbFromTopList(top, 5, -0.7)).isZero();
        assertThat(greedy.logProbFromTopList(top, 5, -1.6)).isEqualTo(Double.NEGATIVE_INFINITY);
        // a one-entry list cannot show whether the top is tied
        assertThat(greedy.logProbFromTopList(top, 1, -0.7)).isNaN();
        double[] tiedTop = {-0.9, -0.9, -2.0};
        assertThat(greedy.logProbFromTopList(tiedTop, 3, -0.9)).isNaN();

        DecodingDistribution k2 = new DecodingDistribution(1, 2, 1);
        double z2 = Math.exp(-0.7) + Math.exp(-1.6);
        assertThat(k2.logProbFromTopList(top, 5, -1.6))
                .isCloseTo(-1.6 - Math.log(z2), within(1e-12));
        assertThat(k2.logProbFromTopList(top, 5, -2.6)).isEqualTo(Double.NEGATIVE_INFINITY);
        // k = 3 cuts the tie at -2.6: which of the two is kept depends on ids the list lacks
        assertThat(new DecodingDistribution(1, 3, 1).logProbFromTopList(top, 5, -2.6)).isNaN();
        // k = 4 keeps both; unlisted tokens can tie only with the last listed value
        assertThat(new DecodingDistribution(1, 4, 1).logProbFromTopList(top, 5, -2.6)).isFinite();
        assertThat(new DecodingDistribution(1, 5, 1).logProbFromTopList(top, 5, -3.6)).isNaN();
        // beyond the list the normalizer is unknown
        assertThat(new DecodingDistribution(1, 6, 1).logProbFromTopList(top, 5, -0.7)).isNaN();
        assertThat(new DecodingDistribution(0.7, 0, 1).logProbFromTopList(top, 5, -0.7)).isNaN();
        // temperature 1: the log-prob itself, and a top-p cut the list reaches
        assertThat(new DecodingDistribution(1, 0, 1).logProbFromTopList(top, 5, -7)).isEqualTo(-7);
        DecodingDistribution p4 = new DecodingDistribution(1, 0, 0.4);
        assertThat(p4.logProbFromTopList(top, 5, -0.7)).isCloseTo(0, within(1e-12));
        assertThat(p4.logProbFromTopList(top, 5, -1.6)).isEqualTo(Double.NEGATIVE_INFINITY);
        DecodingDistribution p6 = new DecodingDistribution(1, 0, 0.6);
        assertThat(p6.logProbFromTopList(top, 5, -1.6))
                .isCloseTo(-1.6 - Math.log(z2), within(1e-12));
        assertThat(new DecodingDistribution(1, 0, 0.99).logProbFromTopList(top, 5, -0.7)).isNaN();
    }

    @Test
    void aTopListAgreesWithTheFullDistributionWhereverItDecides() {
        SplittableRandom rng = new SplittableRandom(9);
        int v = 200;
        int decided = 0;
        int undecided = 0;
        for (int trial = 0; trial < 300; trial++) {
            float[] logits = new float[v];
            for (int i = 0; i < v; i++) {
                logits[i] = Math.round(rng.nextGaussian() * 2 * 4) / 4f;
            }
            double[] lp = Reference.logSoftmax(logits);
            double[] best =
                    Arrays.stream(lp)
                            .boxed()
                            .sorted(Comparator.reverseOrder())
                            .mapToDouble(Double::doubleValue)
                            .toArray();
            int listed = 1 + rng.nextInt(20);
            int target = rng.nextInt(v);
            for (DecodingDistribution d : listSchemes()) {
                double fromList = d.logProbFromTopList(best, listed, lp[target]);
                double full = d.at(logits, 0, v).logProb(target);
                if (Double.isNaN(fromList)) {
                    undecided++;
                } else {
                    decided++;
                    if (Double.isInfinite(full)) {
                        assertThat(fromList).isEqualTo(full);
                    } else {
                        assertThat(fromList).isCloseTo(full, within(1e-9));
                    }
                }
            }
        }
        assertThat(decided).isGreaterThan(1000);
        assertThat(undecided).isGreaterThan(100);
    }

    private static List<DecodingDistribution> listSchemes() {
        List<DecodingDistribution> l = new ArrayList<>(schemes());
        l.add(DecodingDistribution.greedy());
        l.add(new DecodingDistribution(1, 1, 1));
        l.add(new DecodingDistribution(1, 0, 0.3));
        return l;
    }

    @Test
    void nonFiniteLogitsAndBadSettingsAreRefused() {
        float[] bad = {1f, Float.NaN, 0f};
        assertThatThrownBy(() -> DecodingDistribution.greedyToken(bad, 0, 3))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("token 1");
        assertThatThrownBy(() -> new DecodingDistribution(1, 0, 0))
                .hasMessageContaining("top-p must be in (0, 1]");
        assertThatThrownBy(() -> new DecodingDistribution(-1, 0, 1))
                .hasMessageContaining("temperature must be ≥ 0");
    }
}
