package dev.memaudit.extractor.ppl;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * Membership features of one chunk from its teacher-forced scores (definitions in DESIGN.md,
 * "Metrics"). Every log-probability is a natural log. Position 0 of a scored sequence has no
 * context and is never used: the features are over positions 1..n-1.
 */
public final class ChunkFeatures {
    /** The k values (percent) of Min-K% and Min-K%++. */
    public static final List<Integer> K = List.of(5, 10, 20, 30, 50);

    /** zlib level, as Python's {@code zlib.compress} default. */
    public static final int ZLIB_LEVEL = 6;

    private ChunkFeatures() {}

    /**
     * Positions whose next-token distribution has σ² at or below this (nats², σ ≤ 10⁻⁶ nats) are
     * left out of Min-K%++: lp_t comes from a float32 log-softmax whose absolute error is about
     * 10⁻⁷ × |logit| (≈ 10⁻⁶ for logits near 10), so {@code (lp_t − μ_t) / σ_t} would be rounding
     * noise of order 1 or more. μ and σ² themselves are exact to float64 (two passes, see {@code
     * DjlLanguageModel}).
     */
    public static final double MIN_VARIANCE = 1e-12;

    /**
     * NLL, perplexity, Min-K% for every k in {@link #K} and, when {@code means} and {@code
     * variances} are given, Min-K%++ for every k. Keys: {@code nll, ppl, min_k_<k>, min_k_pp_<k>}.
     * Min-K%++ is the Min-K% of {@code (lp_t − μ_t) / σ_t} over the positions with σ²_t &gt; {@link
     * #MIN_VARIANCE} only (near-deterministic positions are dropped, and k% counts the positions
     * kept); when no position is kept the Min-K%++ keys are absent.
     *
     * @param logprobs lp_t per position (entry 0 ignored)
     * @param means μ_t per position, or null when the backend gives no full distribution
     * @param variances σ²_t per position, or null
     * @throws IllegalArgumentException for fewer than 2 positions
     */
    public static Map<String, Double> fromScores(
            float[] logprobs, float[] means, float[] variances) {
        int n = logprobs.length - 1;
        if (n < 1) {
            throw new IllegalArgumentException("a chunk needs at least 2 tokens, got " + (n + 1));
        }
        double[] lp = new double[n];
        double sum = 0;
        for (int t = 0; t < n; t++) {
            lp[t] = logprobs[t + 1];
            sum += lp[t];
        }
        Map<String, Double> f = new LinkedHashMap<>();
        double nll = -sum / n;
        f.put("nll", nll);
        f.put("ppl", Math.exp(nll));
        for (int k : K) {
            f.put("min_k_" + k, minK(lp, k));
        }
        if (means != null && variances != null) {
            double[] z = new double[n];
            int m = 0;
            for (int t = 0; t < n; t++) {
                double var = variances[t + 1];
                // a (near-)deterministic distribution has no spread to normalize by
                if (var > MIN_VARIANCE) {
                    z[m++] = (lp[t] - means[t + 1]) / Math.sqrt(var);
                }
            }
            if (m > 0) {
                double[] zs = Arrays.copyOf(z, m);
                for (int k : K) {
                    f.put("min_k_pp_" + k, minK(zs, k));
                }
            }
        }
        return f;
    }

    /**
     * Mean of the lowest k% of the values: the {@code max(1, floor(k/100 · n))} smallest.
     *
     * @param k percent, 1..100
     */
    public static double minK(double[] values, int k) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int count = Math.max(1, (int) Math.floor(k / 100.0 * sorted.length));
        double s = 0;
        for (int i = 0; i < count; i++) {
            s += sorted[i];
        }
        return s / count;
    }

    /**
     * Bytes of the zlib stream (zlib header, deflate at level 6, Adler-32 trailer) of the UTF-8
     * text: {@code len(zlib.compress(text.encode("utf-8")))} in Python.
     */
    public static int zlibBytes(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        Deflater d = new Deflater(ZLIB_LEVEL);
        try {
            d.setInput(in);
            d.finish();
            byte[] buf = new byte[Math.max(64, in.length + in.length / 100 + 64)];
            int total = 0;
            while (!d.finished()) {
                total += d.deflate(buf);
            }
            return total;
        } finally {
            d.end();
        }
    }

    /** The zlib ratio: NLL (nats per token) / zlib bytes of the chunk's UTF-8. */
    public static double zlibRatio(double nll, int zlibBytes) {
        return nll / zlibBytes;
    }
}
