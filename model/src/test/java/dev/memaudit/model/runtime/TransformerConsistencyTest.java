package dev.memaudit.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.testing.TinyModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Internal consistency of each architecture on tiny random-weight models. */
class TransformerConsistencyTest {
    private static final int VOCAB = 300;

    @TempDir Path tmp;

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of(Architecture.GPT2, "plain"),
                Arguments.of(Architecture.LLAMA, "mha"),
                Arguments.of(Architecture.LLAMA, "gqa"),
                Arguments.of(Architecture.LLAMA, "qwen2"),
                Arguments.of(Architecture.GPT_NEOX, "parallel"),
                Arguments.of(Architecture.GPT_NEOX, "sequential"));
    }

    private DjlLanguageModel load(Architecture arch, String variant) throws Exception {
        Path dir = tmp.resolve(arch + "-" + variant);
        TinyModels.write(dir, TinyModels.config(arch, variant, VOCAB), 11, 0.3);
        return ModelLoader.load(dir);
    }

    private static int[] randomTokens(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(VOCAB);
        }
        return t;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void kvCachedStepsEqualFullRecomputation(Architecture arch, String variant) throws Exception {
        try (DjlLanguageModel m = load(arch, variant)) {
            int[] seq = randomTokens(5, 20);
            float[][] full = m.fullLogits(seq);
            float[][] inc = m.incrementalLogits(seq, 7);
            double maxDiff = 0;
            for (int t = 0; t < seq.length; t++) {
                for (int v = 0; v < VOCAB; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(full[t][v] - inc[t][v]));
                }
            }
            assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
            // the logits must not be degenerate, or the comparison proves nothing
            assertThat(Math.abs(full[3][0] - full[3][1])).isGreaterThan(1e-3f);
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void mixedLengthBatchScoresLikeEachAlone(Architecture arch, String variant) throws Exception {
        try (DjlLanguageModel m = load(arch, variant)) {
            List<int[]> seqs = new ArrayList<>();
            int[] lengths = {17, 3, 9, 1, 12};
            for (int i = 0; i < lengths.length; i++) {
                seqs.add(randomTokens(100 + i, lengths[i]));
            }
            List<ScoredSequence> batch = m.score(seqs, true);
            for (int i = 0; i < seqs.size(); i++) {
                ScoredSequence alone = m.score(List.of(seqs.get(i)), true).get(0);
                ScoredSequence inBatch = batch.get(i);
                assertThat(inBatch.tokenIds()).isEqualTo(seqs.get(i));
                assertThat(inBatch.ranks()).isEqualTo(alone.ranks());
                for (int t = 1; t < lengths[i]; t++) {
                    assertThat((double) inBatch.logprobs()[t])
                            .isCloseTo(
                                    alone.logprobs()[t],
                                    org.assertj.core.api.Assertions.within(1e-4));
                    assertThat((double) inBatch.means()[t])
                            .isCloseTo(
                                    alone.means()[t], org.assertj.core.api.Assertions.within(1e-4));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void scoresAgreeWithLogSoftmaxOfFullLogits(Architecture arch, String variant) throws Exception {
        try (DjlLanguageModel m = load(arch, variant)) {
            int[] seq = randomTokens(9, 15);
            float[][] logits = m.fullLogits(seq);
            ScoredSequence s = m.score(List.of(seq), true).get(0);
            assertThat(s.logprobs()[0]).isNaN();
            assertThat(s.ranks()[0]).isZero();
            for (int t = 1; t < seq.length; t++) {
                float[] row = logits[t - 1];
                double max = Double.NEGATIVE_INFINITY;
                for (float x : row) {
                    max = Math.max(max, x);
                }
                double z = 0;
                for (float x : row) {
                    z += Math.exp(x - max);
                }
                double logZ = max + Math.log(z);
                double expected = row[seq[t]] - logZ;
                int rank = 1;
                double mu = 0;
                double second = 0;
                for (float x : row) {
                    if (x > row[seq[t]]) {
                        rank++;
                    }
                    double lp = x - logZ;
                    mu += Math.exp(lp) * lp;
                    second += Math.exp(lp) * lp * lp;
                }
                assertThat((double) s.logprobs()[t])
                        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-4));
                assertThat(s.ranks()[t]).isEqualTo(rank);
                assertThat((double) s.means()[t])
                        .isCloseTo(mu, org.assertj.core.api.Assertions.within(1e-4));
                assertThat((double) s.variances()[t])
                        .isCloseTo(second - mu * mu, org.assertj.core.api.Assertions.within(1e-3));
            }
        }
    }
}
