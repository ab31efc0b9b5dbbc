package dev.memaudit.index.scan;

/** Finds every corpus occurrence of a gram. One instance per thread. */
public interface GramLookup {
    /**
     * Writes the global word index (store order) of the first word of every occurrence of {@code
     * gram} into {@code out} and returns how many there are.
     */
    int occurrences(long gram, IntList out);
}
