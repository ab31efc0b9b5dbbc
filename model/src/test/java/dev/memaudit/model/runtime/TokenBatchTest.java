package dev.memaudit.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The attention masks of the three ways a forward call is fed. */
class TokenBatchTest {
    private static final float M = -1e9f;

    /** Row r of the mask as 0/1 strings per query: 1 = the query sees that key. */
    private static String[] visible(float[] bias, int row, int queries, int keys) {
        String[] out = new String[queries];
        for (int j = 0; j < queries; j++) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < keys; k++) {
                b.append(bias[(row * queries + j) * keys + k] == 0f ? '1' : '0');
            }
            out[j] = b.toString();
        }
        return out;
    }

    @Test
    void rightPaddedRowsAreCausalAndHideTheirPadding() {
        TokenBatch b = TokenBatch.rightPadded(List.of(new int[] {5, 6, 7}, new int[] {8}));
        assertThat(b.ids()).containsExactly(5, 6, 7, 8, 0, 0);
        assertThat(b.positions()).containsExactly(0, 1, 2, 0, 0, 0);
        float[] bias = b.attentionBias(0, M);
        assertThat(visible(bias, 0, 3, 3)).containsExactly("100", "110", "111");
        assertThat(visible(bias, 1, 3, 3)).containsExactly("100", "100", "100");
    }

    @Test
    void leftPaddedPrefixesThenCachedStepsHideTheLeftPadding() {
        TokenBatch first = TokenBatch.leftPadded(List.of(new int[] {5, 6, 7}, new int[] {8}));
        assertThat(first.ids()).containsExactly(5, 6, 7, 0, 0, 8);
        assertThat(first.positions()).containsExactly(0, 1, 2, 0, 0, 0);
        float[] bias = first.attentionBias(0, M);
        assertThat(visible(bias, 0, 3, 3)).containsExactly("100", "110", "111");
        // the padding queries of row 1 see nothing, its real token itself
        assertThat(visible(bias, 1, 3, 3)).containsExactly("000", "000", "001");
        TokenBatch next =
                TokenBatch.nextTokens(new long[] {9, 10}, new long[] {3, 1}, first.firstKey());
        float[] step = next.attentionBias(3, M);
        assertThat(visible(step, 0, 1, 4)).containsExactly("1111");
        assertThat(visible(step, 1, 1, 4)).containsExactly("0011");
        assertThat(step).containsOnly(0f, M);
    }
}
