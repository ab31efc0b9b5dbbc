package dev.memaudit.extractor.extract;

import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;

/**
 * How a generated continuation compares with the true suffix, in the project's normalized words
 * ({@link WordNormalizer}: case, quotes, dashes and whitespace do not count; two words are equal
 * when their hashes are).
 *
 * @param words words of the generation
 * @param truthWords words of the true suffix
 * @param editDistance word-level Levenshtein distance (substitution, insertion, deletion cost 1)
 * @param lcs length of the longest common subsequence of the two word sequences
 * @param similarity 1 − editDistance / max(words, truthWords), the same definition as the scan's
 *     near passages; null when the true suffix has no word (the ratio is undefined, and a
 *     generation that merely has no words either is not shown to reproduce anything)
 * @param rougeL ROUGE-L F1 with β = 1: precision P = lcs / words, recall R = lcs / truthWords, F1 =
 *     2PR / (P + R) = 2 · lcs / (words + truthWords); 0 when lcs = 0; null when the true suffix has
 *     no word
 */
public record WordMatch(
        int words, int truthWords, int editDistance, int lcs, Double similarity, Double rougeL) {

    /** Compares the texts {@code generated} and {@code truth} word by word. */
    public static WordMatch of(String generated, String truth) {
        NormalizedWords g = WordNormalizer.normalize(generated);
        NormalizedWords t = WordNormalizer.normalize(truth);
        return of(g.hashes(), g.size(), t.hashes(), t.size());
    }

    /** Compares the first {@code n} hashes of {@code a} with the first {@code m} of {@code b}. */
    static WordMatch of(long[] a, int n, long[] b, int m) {
        int[] prevD = new int[m + 1];
        int[] curD = new int[m + 1];
        int[] prevL = new int[m + 1];
        int[] curL = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            prevD[j] = j;
        }
        for (int i = 1; i <= n; i++) {
            curD[0] = i;
            curL[0] = 0;
            for (int j = 1; j <= m; j++) {
                boolean same = a[i - 1] == b[j - 1];
                curD[j] =
                        Math.min(
                                prevD[j - 1] + (same ? 0 : 1),
                                Math.min(prevD[j] + 1, curD[j - 1] + 1));
                curL[j] = same ? prevL[j - 1] + 1 : Math.max(prevL[j], curL[j - 1]);
            }
            int[] t = prevD;
            prevD = curD;
            curD = t;
            t = prevL;
            prevL = curL;
            curL = t;
        }
        int dist = prevD[m];
        int lcs = prevL[m];
        if (m == 0) {
            return new WordMatch(n, m, dist, lcs, null, null);
        }
        double similarity = 1.0 - (double) dist / Math.max(n, m);
        double rouge = lcs == 0 ? 0.0 : 2.0 * lcs / (n + m);
        return new WordMatch(n, m, dist, lcs, similarity, rouge);
    }

    /**
     * Whether an attempt is a near extraction: exact, or its word similarity reaches {@code
     * minSimilarity} (so every exact attempt is near; an attempt whose similarity is undefined is
     * near only when exact).
     */
    public boolean near(boolean exact, double minSimilarity) {
        return exact || (similarity != null && similarity >= minSimilarity);
    }
}
