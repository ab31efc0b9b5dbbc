package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RocTest {
    @Test
    void aucCountsPairsWithTiesAsHalf() {
        // pairs: 3>1,3>2,3=3(.5); 2>1,2=2(.5),2<3; → (2.5 + 1.5) / 6
        assertThat(Roc.auc(new double[] {3, 2}, new double[] {1, 2, 3})).isEqualTo(4.0 / 6);
        assertThat(Roc.auc(new double[] {5, 6}, new double[] {1, 2})).isEqualTo(1.0);
        assertThat(Roc.auc(new double[] {1, 2}, new double[] {5, 6})).isEqualTo(0.0);
    }

    @Test
    void tprAtLowFprUsesTheRightNegativeAsThreshold() {
        double[] neg = new double[200];
        for (int i = 0; i < 200; i++) {
            neg[i] = i; // 0..199
        }
        // 1% of 200 = 2 negatives may exceed the threshold: threshold = 197
        double[] pos = {196, 197, 198, 250};
        assertThat(Roc.tprAtFpr(pos, neg, 0.01)).isEqualTo(0.5);
        // with 50 negatives, 1% allows none: threshold = the highest negative
        double[] few = java.util.Arrays.copyOf(neg, 50);
        assertThat(Roc.tprAtFpr(new double[] {49, 49.5, 10}, few, 0.01)).isEqualTo(1.0 / 3);
    }
}
