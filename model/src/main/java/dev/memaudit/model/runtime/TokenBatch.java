package dev.memaudit.model.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * The tokens of one forward call: {@code rows × length} token ids with their positions, and where
 * each row's real tokens lie, from which {@link Transformer#hidden} builds the causal attention
 * mask. Scoring and training right-pad (every row starts at position 0 and its real tokens come
 * first), generation left-pads its prefixes (so every row's next token is the last column) and then
 * feeds one token per row and step through a {@link KvCache}.
 *
 * <p>Key slots count every token the call attends to: the {@code cached} tokens of the KV cache
 * first, then this call's {@code length} tokens. Query {@code j} of row {@code r} sits at slot
 * {@code cached + j} and sees key slot {@code k} iff {@code firstKey[r] ≤ k ≤ cached + j} and
 * {@code k < cached + realTokens[r]}: causal, left padding of earlier calls excluded by {@code
 * firstKey}, right padding of this call excluded by {@code realTokens}. Padding queries see their
 * row's real keys only (or none); their outputs are never read.
 *
 * @param ids token ids, row-major {@code [rows][length]}; padding slots hold 0
 * @param positions position id of every token (0-based; padding slots hold 0)
 * @param rows batch rows
 * @param length tokens per row in this call
 * @param firstKey per row, the first key slot holding a real token (its left padding)
 * @param realTokens per row, how many of this call's tokens are real (the rest is right padding)
 */
public record TokenBatch(
        long[] ids, long[] positions, int rows, int length, int[] firstKey, int[] realTokens) {

    public TokenBatch {
        if (ids.length != (long) rows * length || positions.length != ids.length) {
            throw new IllegalArgumentException(
                    ids.length
                            + " ids and "
                            + positions.length
                            + " positions for "
                            + rows
                            + " × "
                            + length
                            + " tokens");
        }
        if (firstKey.length != rows || realTokens.length != rows) {
            throw new IllegalArgumentException("firstKey and realTokens need one entry per row");
        }
    }

    /**
     * Rows padded on the right to the longest: positions 0..n-1, so each row computes exactly what
     * it would alone (scoring, training, full logits).
     */
    public static TokenBatch rightPadded(List<int[]> sequences) {
        int rows = sequences.size();
        int length = 0;
        for (int[] s : sequences) {
            length = Math.max(length, s.length);
        }
        long[] ids = new long[rows * length];
        long[] pos = new long[rows * length];
        int[] real = new int[rows];
        for (int r = 0; r < rows; r++) {
            int[] s = sequences.get(r);
            for (int j = 0; j < s.length; j++) {
                ids[r * length + j] = s[j];
                pos[r * length + j] = j;
            }
            real[r] = s.length;
        }
        return new TokenBatch(ids, pos, rows, length, new int[rows], real);
    }

    /**
     * The first call of a generation: prefixes padded on the left to the longest, positions
     * counting real tokens only, so a row's last column is its last prefix token.
     */
    public static TokenBatch leftPadded(List<int[]> prefixes) {
        int rows = prefixes.size();
        int length = 0;
        for (int[] p : prefixes) {
            length = Math.max(length, p.length);
        }
        long[] ids = new long[rows * length];
        long[] pos = new long[rows * length];
        int[] pad = new int[rows];
        int[] real = new int[rows];
        Arrays.fill(real, length);
        for (int r = 0; r < rows; r++) {
            int[] p = prefixes.get(r);
            pad[r] = length - p.length;
            for (int j = 0; j < p.length; j++) {
                ids[r * length + pad[r] + j] = p[j];
                pos[r * length + pad[r] + j] = j;
            }
        }
        return new TokenBatch(ids, pos, rows, length, pad, real);
    }

    /**
     * One new token per row after earlier calls through the same cache.
     *
     * @param ids the new token of each row
     * @param positions its position id
     * @param firstKey each row's first real key slot (its left padding in the first call)
     */
    public static TokenBatch nextTokens(long[] ids, long[] positions, int[] firstKey) {
        int[] real = new int[ids.length];
        Arrays.fill(real, 1);
        return new TokenBatch(
                ids.clone(), positions.clone(), ids.length, 1, firstKey.clone(), real);
    }

    /**
     * The additive attention bias {@code [rows, 1, length, cached + length]}, row-major: 0 where a
     * query sees a key, {@code masked} where it does not (see the class comment).
     */
    float[] attentionBias(int cached, float masked) {
        int keys = cached + length;
        float[] bias = new float[rows * length * keys];
        for (int r = 0; r < rows; r++) {
            int keyEnd = cached + realTokens[r];
            for (int j = 0; j < length; j++) {
                int query = cached + j;
                int base = (r * length + j) * keys;
                for (int k = 0; k < keys; k++) {
                    boolean visible = k >= firstKey[r] && k <= query && k < keyEnd;
                    bias[base + k] = visible ? 0f : masked;
                }
            }
        }
        return bias;
    }
}
