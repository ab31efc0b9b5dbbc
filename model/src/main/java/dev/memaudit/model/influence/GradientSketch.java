package dev.memaudit.model.influence;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A seeded count-sketch projection of a gradient to {@code dim} numbers: element {@code i} of
 * parameter {@code name} is added, with sign {@code s(name, i) ∈ {−1, +1}}, to bucket {@code
 * h(name, i) ∈ [0, dim)}. The projection is linear, and since the signs are independent fair coin
 * flips, the inner product of two sketches is an unbiased estimate of the vectors' inner product
 * (variance at most {@code 2 ‖a‖² ‖b‖² / dim}), which is what TracIn/TRAK-style influence needs. It
 * stores nothing per parameter, so it projects a 124M-parameter gradient with no memory beyond the
 * {@code dim} outputs.
 *
 * <p>Hashing, chosen to cost a few cycles per element: a parameter's elements, in row-major order,
 * fall in consecutive blocks of {@code dim}; block {@code k} is rotated by a random offset {@code
 * o_k}, so element {@code i = k · dim + j} goes to bucket {@code (j + o_k) mod dim} (two elements
 * of one block never collide; two of different blocks collide with probability 1/dim). The signs
 * are the bits of SplitMix64 words, one word per 64 elements of a block. Offsets and words are
 * keyed by the seed and the parameter's name (its UTF-8 bytes, not Java's {@code hashCode}), so a
 * sketch is the same in any process and any order of parameters.
 */
public final class GradientSketch {
    private final int dim;
    private final long seed;

    /**
     * @param dim sketch size, ≥ 1
     * @param seed chooses the hash functions
     */
    public GradientSketch(int dim, long seed) {
        if (dim < 1) {
            throw new IllegalArgumentException("projection dimension must be ≥ 1, got " + dim);
        }
        this.dim = dim;
        this.seed = seed;
    }

    public int dim() {
        return dim;
    }

    public long seed() {
        return seed;
    }

    /** The sketch of the gradient accumulated in {@code model}. */
    public float[] sketch(TrainableModel model) {
        double[] acc = new double[dim];
        model.forEachGradient((name, g) -> add(name, g, acc));
        return toFloats(acc);
    }

    /** The sketch of a vector given by parameter name (for checks on small models). */
    public float[] sketch(java.util.Map<String, float[]> vector) {
        double[] acc = new double[dim];
        vector.forEach((name, v) -> add(name, FloatBuffer.wrap(v), acc));
        return toFloats(acc);
    }

    /** Elements copied out of a gradient buffer at a time (bulk reads beat per-element gets). */
    private static final int BLOCK = 1 << 16;

    private void add(String name, FloatBuffer g, double[] acc) {
        long name64 = nameHash(name);
        long offsets = mix(seed ^ name64);
        long signs = mix(~seed ^ name64 * 31);
        int wordsPerBlock = (dim + 63) >>> 6;
        int n = g.remaining();
        FloatBuffer src = g.duplicate();
        // a multiple of dim, so that blocks never straddle two reads
        int per = Math.max(1, BLOCK / dim) * dim;
        float[] buf = new float[Math.min(per, n)];
        long k = 0; // block index
        for (int from = 0; from < n; from += buf.length) {
            int len = Math.min(buf.length, n - from);
            src.get(buf, 0, len);
            for (int b0 = 0; b0 < len; b0 += dim, k++) {
                int bl = Math.min(dim, len - b0);
                int o = (int) (((mix(offsets + k * GOLDEN) >>> 32) * dim) >>> 32);
                for (int w = 0; w < wordsPerBlock && (w << 6) < bl; w++) {
                    // element t of block k has sign bit t mod 64 of word (k, t / 64)
                    long word = mix(signs + (k * wordsPerBlock + w) * GOLDEN);
                    int end = Math.min(bl, (w << 6) + 64);
                    for (int t = w << 6; t < end; t++) {
                        int bit = (int) (word >>> (t & 63)) & 1;
                        int bucket = o + t;
                        if (bucket >= dim) {
                            bucket -= dim;
                        }
                        int bits = Float.floatToRawIntBits(buf[b0 + t]) ^ (bit << 31);
                        acc[bucket] += Float.intBitsToFloat(bits);
                    }
                }
            }
        }
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** Inner product in double. */
    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " vs " + b.length + " dimensions");
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static float[] toFloats(double[] acc) {
        float[] out = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            out[i] = (float) acc[i];
        }
        return out;
    }

    /** FNV-1a over the name's UTF-8 bytes. */
    private static long nameHash(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finalizer: a bijective 64-bit mix. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
