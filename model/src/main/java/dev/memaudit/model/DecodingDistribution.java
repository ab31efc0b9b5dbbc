package dev.memaudit.model;

import dev.memaudit.core.error.MemauditException;
import java.util.Arrays;

/**
 * The next-token distribution of a decoding scheme at one position: the one implementation behind
 * both the sampler ({@link LanguageModel#generate}, hence {@code sample}, extract attempts and
 * {@code serve}) and the scheme probabilities that p_z multiplies ({@link
 * LanguageModel#score(java.util.List, boolean, GenerationSettings)}, extract windows). What one
 * samples is exactly what the other measures.
 *
 * <p>For the logits {@code l_0 … l_{V-1}} of one position (float32, as the model computes them):
 *
 * <ol>
 *   <li><b>Decoding order</b>: tokens by logit, highest first; among equal logits the lower token
 *       id first ({@code -0.0} equals {@code +0.0}). Every truncation below keeps a prefix of this
 *       order, so ties are broken the same way everywhere.
 *   <li><b>Greedy</b> (temperature 0): the first token of the decoding order (the most probable,
 *       lowest id among equals) has probability 1, every other token 0. It is the token greedy
 *       decoding emits.
 *   <li><b>Temperature</b> T &gt; 0: scores {@code s_i = l_i / T} in double precision.
 *   <li><b>Top-k</b> (0 &lt; k &lt; V): exactly the first k tokens of the decoding order are kept,
 *       even when others are tied with the k-th.
 *   <li><b>Top-p</b> (p &lt; 1), over the tokens top-k kept: {@code q_i = exp(s_i − s_max) / Σ
 *       exp(s_j − s_max)}; keep the shortest prefix of the decoding order whose cumulative q,
 *       summed in that order in double precision, reaches p ({@code ≥ p}); all of them if rounding
 *       leaves the sum below p.
 *   <li>A kept token has probability {@code exp(s_i − s_max) / Σ_kept exp(s_j − s_max)}, every
 *       other token 0.
 * </ol>
 *
 * <p>Sampling draws one uniform {@code u ∈ [0, 1)} per token and returns the first kept token at
 * which the running sum of {@code exp(s_i − s_max)} exceeds {@code u · Σ_kept}, visiting tokens in
 * id order when nothing is truncated and in decoding order otherwise.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DecodingDistribution {
    /** Logit buckets that narrow down the candidates of a top-p cut over the whole vocabulary. */
    private static final int NUCLEUS_BUCKETS = 1024;

    /** Largest top-k found by a heap pass; a larger k uses quickselect. */
    private static final int HEAP_SELECT_MAX = 2048;

    private final double temperature;
    private final int topK;
    private final double topP;

    /**
     * @param temperature 0 = greedy, else &gt; 0
     * @param topK 0 = no limit
     * @param topP in (0, 1]; 1 = no limit
     */
    public DecodingDistribution(double temperature, int topK, double topP) {
        checkSettings(temperature, topK, topP);
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
    }

    /**
     * Fails with a usage error naming the value and its allowed range.
     *
     * @throws MemauditException (usage) for a temperature below 0 or infinite, a negative top-k or
     *     a top-p outside (0, 1]
     */
    static void checkSettings(double temperature, int topK, double topP) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw MemauditException.usage("temperature must be ≥ 0, got " + temperature);
        }
        if (topK < 0) {
            throw MemauditException.usage("top-k must be ≥ 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw MemauditException.usage("top-p must be in (0, 1], got " + topP);
        }
    }

    /** The distribution of these settings (only temperature, top-k and top-p are used). */
    public static DecodingDistribution of(GenerationSettings s) {
        return new DecodingDistribution(s.temperature(), s.topK(), s.topP());
    }

    /** Greedy decoding: probability 1 on one token. */
    public static DecodingDistribution greedy() {
        return new DecodingDistribution(0, 0, 1);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /** Whether some token with non-zero model probability can be excluded (greedy, k, p). */
    public boolean truncates(int vocab) {
        return isGreedy() || (topK > 0 && topK < vocab) || topP < 1;
    }

    /**
     * The first token of the decoding order of {@code logits[offset, offset + vocab)}: the highest
     * logit, the lowest id among equal ones. The token greedy decoding emits.
     */
    public static int greedyToken(float[] logits, int offset, int vocab) {
        int best = 0;
        float max = logits[offset];
        checkFinite(max, 0);
        for (int i = 1; i < vocab; i++) {
            float x = logits[offset + i];
            checkFinite(x, i);
            if (x > max) {
                max = x;
                best = i;
            }
        }
        return best;
    }

    /** The distribution at one position, from its logits {@code logits[offset, offset + vocab)}. */
    public Position at(float[] logits, int offset, int vocab) {
        if (vocab < 1) {
            throw new IllegalArgumentException("a distribution needs at least one token");
        }
        return new Position(logits, offset, vocab);
    }

    /**
     * ln P(target) under this scheme from a partial view of the distribution, such as a server's
     * top-log-prob list: {@code best[0, listed)} are the {@code listed} largest natural-log
     * probabilities at temperature 1 in descending order (ids unknown), {@code target} the target's
     * own. Returns {@code NaN} (not measurable, never guessed) wherever the view does not determine
     * the answer under the rules of this class: the normalizer needs tokens beyond the list
     * (temperature ≠ 1 without top-k, top-k beyond the list, a top-p cut the list does not reach),
     * or the target is tied with another token across the cut, or tied with the last listed value
     * (unlisted tokens may share it and have lower ids).
     */
    public double logProbFromTopList(double[] best, int listed, double target) {
        if (Double.isNaN(target)) {
            return Double.NaN;
        }
        int n = Math.min(listed, best.length);
        int kept;
        double[] weights;
        double max = n > 0 ? best[0] / (isGreedy() ? 1 : temperature) : Double.NaN;
        if (isGreedy()) {
            kept = 1;
            weights = null;
        } else if (topK > 0 && topK <= n) {
            weights = new double[topK];
            double sum = 0;
            for (int i = 0; i < topK; i++) {
                weights[i] = Math.exp(best[i] / temperature - max);
                sum += weights[i];
            }
            kept = topP < 1 ? nucleusLength(weights, topK, sum, false) : topK;
        } else if (topK == 0 && temperature == 1) {
            if (topP >= 1) {
                return target;
            }
            // log-probs at temperature 1 are absolute: the cut needs no normalizer
            weights = new double[n];
            for (int i = 0; i < n; i++) {
                weights[i] = Math.exp(best[i] - max);
            }
            kept = nucleusLength(weights, n, Math.exp(-max), true);
            if (kept < 0) {
                return Double.NaN;
            }
        } else {
            return Double.NaN;
        }
        int before = 0;
        int tied = 0;
        for (int i = 0; i < n; i++) {
            if (best[i] > target) {
                before++;
            } else if (best[i] == target) {
                tied++;
            }
        }
        if (before >= kept) {
            return Double.NEGATIVE_INFINITY;
        }
        int groupEnd = before + Math.max(1, tied);
        if (groupEnd > kept || groupEnd >= n) {
            // the target's tie group straddles the cut, or may go on beyond the list
            return Double.NaN;
        }
        if (isGreedy()) {
            return 0;
        }
        double z = 0;
        for (int i = 0; i < kept; i++) {
            z += weights[i];
        }
        return target / temperature - max - Math.log(z);
    }

    /**
     * The top-p cut: the length of the shortest prefix of {@code weights[0, count)} (decoding
     * order) whose share of {@code total}, summed in order, reaches p; {@code count} when rounding
     * leaves the sum below p, or -1 when {@code partial} (the weights are a prefix of a longer
     * list) and the prefix never reaches p.
     */
    private int nucleusLength(double[] weights, int count, double total, boolean partial) {
        double cum = 0;
        for (int i = 0; i < count; i++) {
            cum += weights[i] / total;
            if (cum >= topP) {
                return i + 1;
            }
        }
        return partial ? -1 : count;
    }

    private static void checkFinite(float x, int token) {
        if (!Float.isFinite(x)) {
            throw MemauditException.backend(
                    "the model produced a non-finite logit (" + x + ") for token " + token, null);
        }
    }

    /**
     * Order key of a token: ascending keys are the decoding order (logit descending, then id
     * ascending). The high 32 bits hold the logit's order-preserving bits, negated; the low 32 bits
     * the id.
     */
    private static long orderKey(float logit, int id) {
        int bits = Float.floatToIntBits(logit == 0f ? 0f : logit);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ascending << 32) | id;
    }

    /** The scheme's distribution at one position. */
    public final class Position {
        private final float[] logits;
        private final int offset;
        private final int vocab;
        private final int greedy;

        /** s_max = the greedy token's score. */
        private final double maxScore;

        /** Kept tokens in decoding order when the scheme truncates, else null (all kept). */
        private final int[] keptInOrder;

        /** exp(s_i − s_max) of each kept token, in the same order (truncated schemes). */
        private final double[] keptWeights;

        /** Σ_kept exp(s_i − s_max), in decoding order when truncated, else in id order. */
        private final double keptWeight;

        /** Order key of the last kept token (truncated schemes). */
        private final long lastKeptKey;

        private Position(float[] logits, int offset, int vocab) {
            this.logits = logits;
            this.offset = offset;
            this.vocab = vocab;
            this.greedy = DecodingDistribution.greedyToken(logits, offset, vocab);
            if (isGreedy()) {
                maxScore = 0;
                keptInOrder = new int[] {greedy};
                keptWeights = new double[] {1};
                keptWeight = 1;
                lastKeptKey = orderKey(logits[offset + greedy], greedy);
                return;
            }
            maxScore = logits[offset + greedy] / temperature;
            int byK = topK > 0 && topK < vocab ? topK : vocab;
            if (byK == vocab && topP >= 1) {
                double z = 0;
                for (int i = 0; i < vocab; i++) {
                    z += weight(i);
                }
                keptInOrder = null;
                keptWeights = null;
                keptWeight = z;
                lastKeptKey = Long.MAX_VALUE;
                return;
            }
            long[] keys; // sorted: a prefix of the decoding order holding every kept token
            double[] w; // their weights, in the same order
            int kept;
            if (byK < vocab) {
                keys = firstInOrder(byK);
                w = new double[byK];
                double sum = 0;
                for (int i = 0; i < byK; i++) {
                    w[i] = weight((int) keys[i]);
                    sum += w[i];
                }
                kept = topP < 1 ? nucleusLength(w, byK, sum, false) : byK;
            } else {
                double[] all = new double[vocab];
                double total = 0;
                float lowest = Float.POSITIVE_INFINITY;
                for (int i = 0; i < vocab; i++) {
                    all[i] = weight(i);
                    total += all[i];
                    lowest = Math.min(lowest, logits[offset + i]);
                }
                // Candidates: the logit buckets, from the top, whose mass reaches p with a margin
                // far above rounding; only they are sorted and summed in order. Buckets are
                // monotone in the logit, so a later bucket never holds an earlier token.
                float highest = logits[offset + greedy];
                double span = (double) highest - lowest;
                double[] mass = new double[NUCLEUS_BUCKETS];
                for (int i = 0; i < vocab; i++) {
                    mass[bucket(logits[offset + i], highest, span)] += all[i];
                }
                int last = NUCLEUS_BUCKETS - 1;
                double acc = 0;
                for (int b = 0; b < NUCLEUS_BUCKETS; b++) {
                    acc += mass[b];
                    if (acc >= topP * total * (1 + 1e-9)) {
                        last = b;
                        break;
                    }
                }
                keys = new long[vocab];
                w = new double[vocab];
                int n = 0;
                int done = -1;
                double cum = 0;
                kept = 0;
                while (kept == 0) {
                    int from = n;
                    for (int i = 0; i < vocab; i++) {
                        int b = bucket(logits[offset + i], highest, span);
                        if (b > done && b <= last) {
                            keys[n++] = orderKey(logits[offset + i], i);
                        }
                    }
                    Arrays.sort(keys, from, n);
                    for (int i = from; i < n && kept == 0; i++) {
                        w[i] = all[(int) keys[i]];
                        cum += w[i] / total;
                        if (cum >= topP) {
                            kept = i + 1;
                        }
                    }
                    if (kept == 0 && last == NUCLEUS_BUCKETS - 1) {
                        kept = vocab; // rounding left the whole mass below p: keep everything
                    }
                    done = last;
                    last = NUCLEUS_BUCKETS - 1;
                }
            }
            keptInOrder = new int[kept];
            keptWeights = Arrays.copyOf(w, kept);
            double z = 0;
            for (int i = 0; i < kept; i++) {
                keptInOrder[i] = (int) keys[i];
                z += w[i];
            }
            keptWeight = z;
            lastKeptKey = keys[kept - 1];
        }

        /**
         * Sorted order keys of the first {@code k} tokens of the decoding order: every token above
         * the k-th largest logit, then the lowest ids among those equal to it.
         */
        private long[] firstInOrder(int k) {
            float kth =
                    k <= HEAP_SELECT_MAX
                            ? kthLargestByHeap(logits, offset, vocab, k)
                            : kthLargest(Arrays.copyOfRange(logits, offset, offset + vocab), k);
            long[] keys = new long[k];
            int n = 0;
            for (int i = 0; i < vocab; i++) {
                if (logits[offset + i] > kth) {
                    keys[n++] = orderKey(logits[offset + i], i);
                }
            }
            for (int i = 0; i < vocab && n < k; i++) {
                if (logits[offset + i] == kth) {
                    keys[n++] = orderKey(logits[offset + i], i);
                }
            }
            Arrays.sort(keys);
            return keys;
        }

        /** exp(s_i − s_max) of token i, in double. */
        private double weight(int token) {
            return Math.exp(logits[offset + token] / temperature - maxScore);
        }

        /** The token greedy decoding emits here (the first of the decoding order). */
        public int greedyToken() {
            return greedy;
        }

        /** Tokens with non-zero probability. */
        public int keptCount() {
            return keptInOrder == null ? vocab : keptInOrder.length;
        }

        /** Whether {@code token} has non-zero probability under the scheme. */
        public boolean keeps(int token) {
            if (isGreedy()) {
                return token == greedy;
            }
            return keptInOrder == null || orderKey(logits[offset + token], token) <= lastKeptKey;
        }

        /** ln P(token), natural log; {@code -Infinity} for a token the scheme excludes. */
        public double logProb(int token) {
            if (token < 0 || token >= vocab) {
                throw new IllegalArgumentException(
                        "token " + token + " outside the vocabulary 0.." + (vocab - 1));
            }
            if (!keeps(token)) {
                return Double.NEGATIVE_INFINITY;
            }
            if (isGreedy()) {
                return 0;
            }
            return logits[offset + token] / temperature - maxScore - Math.log(keptWeight);
        }

        /**
         * Draws a token by inverse CDF from {@code u ∈ [0, 1)} (see the class comment for the
         * visiting order).
         */
        public int sample(double u) {
            if (isGreedy()) {
                return greedy;
            }
            double target = u * keptWeight;
            double cum = 0;
            int n = keptCount();
            int lastWithMass = greedy;
            for (int i = 0; i < n; i++) {
                int token = keptInOrder == null ? i : keptInOrder[i];
                double w = keptInOrder == null ? weight(token) : keptWeights[i];
                cum += w;
                if (cum > target) {
                    return token;
                }
                if (w > 0) {
                    lastWithMass = token;
                }
            }
            // rounding left the running sum at or below the target: the last token with mass
            return lastWithMass;
        }
    }

    /** Bucket of a logit: 0 holds the highest, buckets are monotone in the logit. */
    private static int bucket(float logit, float highest, double span) {
        if (span == 0) {
            return 0;
        }
        return (int)
                Math.min(NUCLEUS_BUCKETS - 1, (highest - (double) logit) / span * NUCLEUS_BUCKETS);
    }

    /**
     * The k-th largest of {@code logits[offset, offset + vocab)} (1-based, counting equal values
     * separately) by one pass with a min-heap of the k largest so far: for small k most values cost
     * one comparison.
     */
    static float kthLargestByHeap(float[] logits, int offset, int vocab, int k) {
        float[] heap = Arrays.copyOfRange(logits, offset, offset + k);
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(heap, i, k);
        }
        for (int i = k; i < vocab; i++) {
            float x = logits[offset + i];
            if (x > heap[0]) {
                heap[0] = x;
                siftDown(heap, 0, k);
            }
        }
        return heap[0];
    }

    private static void siftDown(float[] heap, int i, int n) {
        float x = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && heap[child + 1] < heap[child]) {
                child++;
            }
            if (!(heap[child] < x)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = x;
    }

    /**
     * The k-th largest value of {@code a} (1-based, counting equal values separately); {@code a} is
     * scratch and is reordered. Quickselect with a three-way partition (ties are common in
     * low-precision logits) and a median-of-three pivot, sorting the range if partitions
     * degenerate.
     */
    static float kthLargest(float[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        int budget = 2 * (32 - Integer.numberOfLeadingZeros(a.length)) + 8;
        while (true) {
            if (lo == hi) {
                return a[lo];
            }
            if (--budget < 0) {
                Arrays.sort(a, lo, hi + 1);
                return a[hi - (k - 1)];
            }
            float x = a[lo];
            float y = a[(lo + hi) >>> 1];
            float z = a[hi];
            float pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            // [lo, gt) > pivot, [gt, lt) == pivot, [lt, hi] < pivot
            int gt = lo;
            int lt = hi + 1;
            int i = lo;
            while (i < lt) {
                float v = a[i];
                if (v > pivot) {
                    a[i++] = a[gt];
                    a[gt++] = v;
                } else if (v < pivot) {
                    a[i] = a[--lt];
                    a[lt] = v;
                } else {
                    i++;
                }
            }
            int above = gt - lo;
            int equal = lt - gt;
            if (k <= above) {
                hi = gt - 1;
            } else if (k <= above + equal) {
                return pivot;
            } else {
                k -= above + equal;
                lo = lt;
            }
        }
    }
}
