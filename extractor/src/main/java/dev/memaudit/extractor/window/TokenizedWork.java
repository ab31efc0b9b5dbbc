package dev.memaudit.extractor.window;

import java.util.Arrays;

/**
 * A work's original text split into the audited model's tokens.
 *
 * @param workId the work's id in the index
 * @param text the original text as the index stores it
 * @param ids token ids
 * @param starts code-point offset where token i begins (every token has a span: tokens the
 *     tokenizer gave none take an empty span where the previous token ended)
 * @param ends code-point offset where token i ends (half-open)
 */
public record TokenizedWork(String workId, String text, int[] ids, int[] starts, int[] ends) {

    public int length() {
        return ids.length;
    }

    /** The token ids from {@code from} (inclusive) to {@code to} (exclusive). */
    public int[] slice(int from, int to) {
        return Arrays.copyOfRange(ids, from, to);
    }

    /**
     * Code-point span of tokens {@code [from, to)}: start of the first, end of the last; an empty
     * span at the first token's start when {@code from == to}.
     */
    public int charStart(int from) {
        return from < starts.length ? starts[from] : ends.length == 0 ? 0 : ends[ends.length - 1];
    }

    public int charEnd(int from, int to) {
        if (to <= from) {
            return charStart(from);
        }
        int e = ends[from];
        for (int i = from; i < to; i++) {
            e = Math.max(e, ends[i]);
        }
        return e;
    }
}
