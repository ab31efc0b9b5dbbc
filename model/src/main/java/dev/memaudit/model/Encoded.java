package dev.memaudit.model;

/**
 * A text split into model tokens.
 *
 * @param ids token ids
 * @param starts code-point offset where token i begins in the text (half-open with {@code ends})
 * @param ends code-point offset where token i ends; pieces of one multi-byte character share the
 *     span of that character
 */
public record Encoded(int[] ids, int[] starts, int[] ends) {

    public int length() {
        return ids.length;
    }
}
