package dev.memaudit.model.influence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.testing.TinyModels;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ApproxInfluenceTest {
    private static final int VOCAB = 300;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir Path tmp;

    private TrainableModel tiny(Architecture arch, double std) throws Exception {
        Path dir = tmp.resolve(arch.name());
        TinyModels.write(dir, TinyModels.config(arch, "gqa", VOCAB), 7, std);
        return TrainableModel.load(dir);
    }

    private static int[] randomTokens(SplittableRandom r, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(VOCAB);
        }
        return t;
    }

    private static double dot(Map<String, float[]> a, Map<String, float[]> b) {
        double s = 0;
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            float[] x = e.getValue();
            float[] y = b.get(e.getKey());
            for (int i = 0; i < x.length; i++) {
                s += (double) x[i] * y[i];
            }
        }
        return s;
    }

    private static Map<String, float[]> gradientOf(TrainableModel m, int[] seq, int from) {
        m.zeroGradients();
        m.accumulateGradient(List.of(seq), new int[] {from}, 1.0);
        Map<String, float[]> g = m.gradientArrays();
        m.zeroGradients();
        return g;
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void gradientMatchesCentralFiniteDifferences(Architecture arch) throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        try (TrainableModel m = tiny(arch, 0.2)) {
            int[] seq = randomTokens(r, 14);
            int from = 4;
            double lp0 = m.logProbs(List.of(seq), new int[] {from})[0];
            Map<String, float[]> g = gradientOf(m, seq, from);
            // the accumulated value and the scored value agree
            assertThat(m.logProbs(List.of(seq), new int[] {from})[0]).isCloseTo(lp0, within(1e-4));
            double gNorm = Math.sqrt(dot(g, g));
            assertThat(gNorm).isGreaterThan(0);
            for (int k = 0; k < 3; k++) {
                // directions: the gradient itself, then random unit directions mixed with it so
                // that the derivative is far above float32 rounding of log p
                Map<String, float[]> v = new LinkedHashMap<>();
                double vv = 0;
                for (Map.Entry<String, float[]> e : g.entrySet()) {
                    float[] d = new float[e.getValue().length];
                    for (int i = 0; i < d.length; i++) {
                        double rnd = k == 0 ? 0 : r.nextGaussian() * gNorm / Math.sqrt(1e4);
                        d[i] = (float) (e.getValue()[i] + rnd);
                        vv += (double) d[i] * d[i];
                    }
                    v.put(e.getKey(), d);
                }
                double scale = 1 / Math.sqrt(vv);
                v.replaceAll(
                        (name, d) -> {
                            float[] u = d.clone();
                            for (int i = 0; i < u.length; i++) {
                                u[i] *= (float) scale;
                            }
                            return u;
                        });
                double analytic = dot(g, v);
                double eps = 1e-3;
                m.shift(v, eps);
                double plus = m.logProbs(List.of(seq), new int[] {from})[0];
                m.shift(v, -2 * eps);
                double minus = m.logProbs(List.of(seq), new int[] {from})[0];
                m.restore();
                double numeric = (plus - minus) / (2 * eps);
                assertThat(numeric)
                        .as("%s direction %d", arch, k)
                        .isCloseTo(analytic, within(0.02 * Math.abs(analytic) + 1e-3));
            }
            // restore gives the checkpoint back
            assertThat(m.logProbs(List.of(seq), new int[] {from})[0]).isCloseTo(lp0, within(1e-6));
        }
    }

    @Test
    void sketchInnerProductIsUnbiasedAndLinear() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 20_000;
        Map<String, float[]> a = new LinkedHashMap<>();
        Map<String, float[]> b = new LinkedHashMap<>();
        Map<String, float[]> sum = new LinkedHashMap<>();
        float[] x = new float[n];
        float[] y = new float[n];
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) (0.5 * x[i] + r.nextGaussian());
            s[i] = x[i] + y[i];
        }
        a.put("w", x);
        b.put("w", y);
        sum.put("w", s);
        double exact = dot(a, b);
        // averaged over seeds the sketched product approaches the exact one
        double mean = 0;
        int seeds = 40;
        for (int seed = 0; seed < seeds; seed++) {
            GradientSketch p = new GradientSketch(512, seed);
            mean += GradientSketch.dot(p.sketch(a), p.sketch(b)) / seeds;
        }
        assertThat(mean).isCloseTo(exact, within(0.05 * exact));
        // one large sketch is already close, and the projection is linear
        GradientSketch big = new GradientSketch(1 << 16, 9);
        assertThat(GradientSketch.dot(big.sketch(a), big.sketch(b)))
                .isCloseTo(exact, within(0.05 * exact));
        float[] pa = big.sketch(a);
        float[] pb = big.sketch(b);
        float[] ps = big.sketch(sum);
        for (int i = 0; i < ps.length; i++) {
            assertThat(ps[i]).isCloseTo(pa[i] + pb[i], within(1e-4f));
        }
        // a different seed gives a different projection
        assertThat(new GradientSketch(1 << 16, 10).sketch(a)).isNotEqualTo(pa);
    }

    @Test
    void gradientMethodIsTheFirstOrderChangeOfOneStepOnTheWork() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        try (TrainableModel m = tiny(Architecture.GPT2, 0.2)) {
            int[] behaviour = randomTokens(r, 16);
            List<int[]> work = List.of(randomTokens(r, 16), randomTokens(r, 16));
            // make the behaviour share text with the work, so the product is clearly non-zero
            System.arraycopy(work.get(0), 0, behaviour, 0, 12);
            TokenizedBehaviour b =
                    new TokenizedBehaviour(
                            new Behaviour("b", null, "t", "given", null), behaviour, 1);
            Map<String, float[]> gb = gradientOf(m, behaviour, 1);
            m.zeroGradients();
            m.accumulateGradient(work, new int[] {1, 1}, 1.0);
            Map<String, float[]> gw = m.gradientArrays();
            m.zeroGradients();
            double exact = dot(gb, gw);

            ApproxInfluence.Settings s =
                    new ApproxInfluence.Settings(
                            ApproxInfluence.Method.GRADIENT, 1, 1e-3, 0, 0, 1 << 17, 1);
            List<ApproxInfluence.WorkResult> seen = new ArrayList<>();
            ApproxInfluence.Result res =
                    ApproxInfluence.run(
                            m,
                            s,
                            List.of(b),
                            List.of(new ApproxInfluence.WorkChunks("w", work)),
                            List.of(),
                            QUIET,
                            seen::add);
            assertThat(seen).hasSize(1);
            ApproxInfluence.WorkResult w = res.works().get(0);
            assertThat(w.logprobAfter()).isNull();
            assertThat(w.forgetNllAfter()).isNull();
            assertThat(w.tokens()).isEqualTo(30);
            // the sketch estimates the exact inner product
            assertThat(w.delta()[0]).isCloseTo(exact, within(0.1 * Math.abs(exact)));

            // and the inner product is d log p(b) / dη of one step raising W's log-likelihood
            double eta = 1e-4;
            double before = m.logProbs(List.of(behaviour), new int[] {1})[0];
            m.accumulateGradient(work, new int[] {1, 1}, -1.0);
            m.step(eta, 0);
            double after = m.logProbs(List.of(behaviour), new int[] {1})[0];
            m.restore();
            assertThat((after - before) / eta).isCloseTo(exact, within(0.05 * Math.abs(exact)));
        }
    }

    @Test
    void unlearningLowersTheWorksLikelihoodMoreThanANonMembers() throws Exception {
        SplittableRandom r = new SplittableRandom(8);
        try (TrainableModel m = tiny(Architecture.LLAMA, 0.3)) {
            List<int[]> work = List.of(randomTokens(r, 24), randomTokens(r, 24));
            int[] other = randomTokens(r, 24);
            List<int[]> retain = List.of(randomTokens(r, 24), randomTokens(r, 24));
            // behaviours: the second half of a work chunk after its first half, and the same for
            // a text that is neither the work nor the retain text
            List<TokenizedBehaviour> bs =
                    List.of(
                            new TokenizedBehaviour(
                                    new Behaviour("own", "p", "t", "own", "w"), work.get(0), 12),
                            new TokenizedBehaviour(
                                    new Behaviour("other", "p", "t", "unrelated", null),
                                    other,
                                    12));
            double[] start = m.logProbs(List.of(work.get(0), other), new int[] {12, 12});
            ApproxInfluence.Settings s =
                    new ApproxInfluence.Settings(
                            ApproxInfluence.Method.UNLEARN, 5, 0.5, 1.0, 1.0, 1, 1);
            ApproxInfluence.Result res =
                    ApproxInfluence.run(
                            m,
                            s,
                            bs,
                            List.of(new ApproxInfluence.WorkChunks("w", work)),
                            retain,
                            QUIET,
                            x -> {});
            ApproxInfluence.WorkResult w = res.works().get(0);
            assertThat(w.forgetNllAfter()).isGreaterThan(w.forgetNllBefore());
            assertThat(w.retainNllBefore()).isNotNull();
            assertThat(w.gradientNorms()).hasSize(5).allMatch(n -> n > 0);
            assertThat(w.delta()[0]).isPositive();
            assertThat(w.delta()[0]).isGreaterThan(w.delta()[1]);
            assertThat(w.delta()[0])
                    .isCloseTo(res.logprobOriginal()[0] - w.logprobAfter()[0], within(1e-9));
            // the checkpoint's weights are back
            double[] end = m.logProbs(List.of(work.get(0), other), new int[] {12, 12});
            assertThat(end[0]).isCloseTo(start[0], within(1e-6));
            assertThat(end[1]).isCloseTo(start[1], within(1e-6));
        }
    }

    @Test
    void unlearningThatDivergesRecordsNothingAndSaysSo() throws Exception {
        SplittableRandom r = new SplittableRandom(9);
        try (TrainableModel m = tiny(Architecture.LLAMA, 0.3)) {
            List<int[]> work = List.of(randomTokens(r, 24));
            int[] other = randomTokens(r, 24);
            List<TokenizedBehaviour> bs =
                    List.of(
                            new TokenizedBehaviour(
                                    new Behaviour("other", "p", "t", "unrelated", null),
                                    other,
                                    12));
            double[] start = m.logProbs(List.of(other), new int[] {12});
            // ascent at rate 1e30 without clipping: the weights overflow
            ApproxInfluence.Settings s =
                    new ApproxInfluence.Settings(
                            ApproxInfluence.Method.UNLEARN, 3, 1e30, 0.0, 0.0, 1, 1);
            List<ApproxInfluence.WorkResult> recorded = new java.util.ArrayList<>();
            assertThatThrownBy(
                            () ->
                                    ApproxInfluence.run(
                                            m,
                                            s,
                                            bs,
                                            List.of(new ApproxInfluence.WorkChunks("w", work)),
                                            List.of(),
                                            QUIET,
                                            recorded::add))
                    .isInstanceOf(dev.memaudit.core.error.MemauditException.class)
                    .hasMessageContaining("unlearning work w diverged")
                    .hasMessageContaining("nothing was recorded");
            assertThat(recorded).isEmpty();
            assertThat(m.logProbs(List.of(other), new int[] {12})[0])
                    .as("the checkpoint's weights are back")
                    .isCloseTo(start[0], within(1e-6));
        }
    }
}
