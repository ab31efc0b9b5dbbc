package dev.memaudit.extractor.ppl;

import dev.memaudit.model.Encoded;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a tokenized text into consecutive, non-overlapping chunks of {@code chunkTokens} model
 * tokens. A shorter last chunk is kept when it has at least half that many tokens (and at least
 * {@value #MIN_TOKENS}), else dropped: features of a few tokens are noise.
 */
public final class Chunker {
    /** Fewest tokens a chunk may have. */
    public static final int MIN_TOKENS = 8;

    private Chunker() {}

    /**
     * One chunk.
     *
     * @param index 0-based chunk index in the text
     * @param ids its token ids
     * @param charStart code-point offset of its first token in the text
     * @param charEnd code-point offset after its last token (half-open)
     */
    public record Chunk(int index, int[] ids, int charStart, int charEnd) {}

    /** The chunks of an encoded text. */
    public static List<Chunk> chunks(Encoded enc, int chunkTokens, int textCodePoints) {
        if (chunkTokens < MIN_TOKENS) {
            throw new IllegalArgumentException(
                    "chunk tokens must be at least " + MIN_TOKENS + ", got " + chunkTokens);
        }
        int n = enc.length();
        int minLast = Math.max(MIN_TOKENS, (chunkTokens + 1) / 2);
        List<Chunk> out = new ArrayList<>();
        for (int start = 0, index = 0; start < n; start += chunkTokens, index++) {
            int end = Math.min(n, start + chunkTokens);
            if (end - start < chunkTokens && end - start < minLast) {
                break;
            }
            int charStart = firstSpan(enc.starts(), start, end, 0);
            int charEnd = lastSpan(enc.ends(), start, end, textCodePoints);
            out.add(
                    new Chunk(
                            index, Arrays.copyOfRange(enc.ids(), start, end), charStart, charEnd));
        }
        return out;
    }

    /** The first known span start in [from, to); tokens without a span have -1. */
    private static int firstSpan(int[] starts, int from, int to, int fallback) {
        for (int i = from; i < to; i++) {
            if (starts[i] >= 0) {
                return starts[i];
            }
        }
        return fallback;
    }

    private static int lastSpan(int[] ends, int from, int to, int fallback) {
        for (int i = to - 1; i >= from; i--) {
            if (ends[i] >= 0) {
                return ends[i];
            }
        }
        return fallback;
    }
}
