package dev.memaudit.extractor.extract;

/**
 * How a generated continuation compares with the true suffix, in tokens.
 *
 * @param exact the generation starts with the whole true suffix
 * @param longestCommonTokenRun longest run of consecutive tokens that appears in both (longest
 *     common substring of the two token sequences)
 * @param tokenMatchShare share of suffix positions i where the generation has the true token at i
 * @param editDistance Levenshtein distance between the two token sequences (generation cut to the
 *     suffix length)
 */
public record Match(
        boolean exact, int longestCommonTokenRun, double tokenMatchShare, int editDistance) {

    /** Compares {@code generated} with {@code truth}. */
    public static Match of(int[] generated, int[] truth) {
        int n = truth.length;
        int g = Math.min(generated.length, n);
        int same = 0;
        for (int i = 0; i < g; i++) {
            if (generated[i] == truth[i]) {
                same++;
            }
        }
        boolean exact = n > 0 && same == n;
        return new Match(
                exact,
                longestCommonRun(generated, truth),
                n == 0 ? 0 : (double) same / n,
                editDistance(generated, g, truth));
    }

    static int longestCommonRun(int[] a, int[] b) {
        int best = 0;
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int i = 1; i <= a.length; i++) {
            for (int j = 1; j <= b.length; j++) {
                cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : 0;
                best = Math.max(best, cur[j]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return best;
    }

    static int editDistance(int[] a, int aLen, int[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= aLen; i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length; j++) {
                int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
