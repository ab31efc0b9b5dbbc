package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DatasetInferenceTest {
    /** Two features that share a nuisance component; only their difference shows the shift. */
    static double[][] sample(int n, double shift, SplittableRandom r) {
        double[][] m = new double[n][3];
        for (int i = 0; i < n; i++) {
            double common = r.nextGaussian();
            m[i][0] = 3 + common + r.nextGaussian() * 0.3 - shift; // an NLL-like feature
            m[i][1] = -5 + common + r.nextGaussian() * 0.3 + shift; // a Min-K-like feature
            m[i][2] = r.nextGaussian(); // noise
        }
        return m;
    }

    @Test
    void aShiftedSuspectSetIsDetected() {
        SplittableRandom r = new SplittableRandom(1);
        DatasetInference.Result res =
                DatasetInference.test(sample(40, 0.8, r), sample(60, 0, r), 5);
        assertThat(res.p()).isLessThan(1e-3);
        assertThat(res.testSuspect()).isEqualTo(20);
        assertThat(res.testControl()).isEqualTo(30);
        assertThat(res.features()).containsExactly(0, 1, 2);
    }

    @Test
    void sameDistributionIsSignificantAboutAlphaOfTheTime() {
        SplittableRandom r = new SplittableRandom(2);
        int significant = 0;
        int trials = 400;
        for (int t = 0; t < trials; t++) {
            if (DatasetInference.test(sample(30, 0, r), sample(30, 0, r), t).p() < 0.05) {
                significant++;
            }
        }
        // binomial(400, .05): mean 20, sd 4.4
        assertThat(significant).isBetween(8, 34);
    }

    @Test
    void tooFewChunksGiveNoPValueAndConstantFeaturesAreDropped() {
        SplittableRandom r = new SplittableRandom(3);
        assertThat(DatasetInference.test(sample(3, 0, r), sample(30, 0, r), 1).p()).isNaN();
        double[][] s = sample(20, 1, r);
        double[][] c = sample(20, 0, r);
        for (double[] row : s) {
            row[2] = 4;
        }
        for (double[] row : c) {
            row[2] = 4;
        }
        DatasetInference.Result res = DatasetInference.test(s, c, 1);
        assertThat(res.features()).containsExactly(0, 1);
        assertThat(res.p()).isLessThan(0.05);
    }

    @Test
    void theSplitIsSeeded() {
        SplittableRandom r = new SplittableRandom(4);
        double[][] s = sample(20, 0.3, r);
        double[][] c = sample(20, 0, r);
        assertThat(DatasetInference.test(s, c, 9).p())
                .isEqualTo(DatasetInference.test(s, c, 9).p())
                .isNotEqualTo(DatasetInference.test(s, c, 10).p());
    }

    @Test
    void controlChunksOfOneTextFallOnOneSideAndAWorkIsCutByChunk() {
        // five control texts of unequal length: 12, 3, 7, 9, 5 chunks
        int[] sizes = {12, 3, 7, 9, 5};
        List<String> labels = new ArrayList<>();
        for (int t = 0; t < sizes.length; t++) {
            for (int i = 0; i < sizes[t]; i++) {
                labels.add("text-" + t);
            }
        }
        String[] texts = labels.toArray(String[]::new);
        for (long seed = 0; seed < 20; seed++) {
            DatasetInference.Cut c =
                    DatasetInference.split(texts.length, texts, new SplittableRandom(seed));
            int[] cut = c.order();
            int train = c.train();
            Set<String> trainTexts = new HashSet<>();
            Set<String> testTexts = new HashSet<>();
            Set<Integer> rows = new HashSet<>();
            for (int i = 0; i < texts.length; i++) {
                rows.add(cut[i]);
                (i < train ? trainTexts : testTexts).add(texts[cut[i]]);
            }
            assertThat(rows).hasSize(texts.length);
            assertThat(trainTexts).isNotEmpty().doesNotContainAnyElementsOf(testTexts);
            assertThat(testTexts).isNotEmpty();
            assertThat(Math.abs(2 * train - texts.length)).isLessThanOrEqualTo(12);
        }
        // one text: cut by chunk, ⌈n/2⌉ train
        String[] one = new String[9];
        Arrays.fill(one, "work");
        assertThat(DatasetInference.split(9, one, new SplittableRandom(1)).train()).isEqualTo(5);

        SplittableRandom r = new SplittableRandom(6);
        DatasetInference.Result res =
                DatasetInference.test(sample(20, 0, r), one20(), sample(36, 0, r), texts, 3);
        assertThat(res.testSuspect()).isEqualTo(10);
        assertThat(res.trainControl() + res.testControl()).isEqualTo(36);
        // the held-out controls are whole texts: their count is a sum of some texts' sizes
        Set<Integer> sums = new HashSet<>();
        for (int mask = 1; mask < (1 << sizes.length) - 1; mask++) {
            int sum = 0;
            for (int t = 0; t < sizes.length; t++) {
                sum += (mask >> t & 1) * sizes[t];
            }
            sums.add(sum);
        }
        assertThat(sums).contains(res.testControl());
    }

    private static String[] one20() {
        String[] a = new String[20];
        Arrays.fill(a, "work");
        return a;
    }
}
