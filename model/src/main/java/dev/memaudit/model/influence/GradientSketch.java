package dev.memaudit.model.influence;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A seeded count-sketch projection of a gradient to {@code dim} numbers: element {@code i} of
 * parameter {@code name} is added, with sign {@code s(name, i) ∈ {−1, +1}}, to bucket {@code
 * h(name, i) ∈ [0, dim)}; both come from one 64-bit hash of (seed, name, i) (its low bit the sign,
 * its high 32 bits, scaled to {@code dim}, the bucket). The projection is linear, and for any two
 * vectors the inner product of their sketches is an unbiased estimate of theirs (variance at most
 * {@code 2 ‖a‖² ‖b‖² / dim}), which is what TracIn/TRAK-style influence needs. It stores nothing
 * per parameter, so it projects a 124M-parameter gradient with no extra memory beyond the {@code
 * dim} outputs.
 *
 * <p>The hash of a name is fixed by its UTF-8 bytes (not by Java's {@code hashCode}) and the
 * element order is the parameter's row-major order, so a sketch is the same in any process, in any
 * order of parameters.
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
        long base = mix(seed ^ nameHash(name));
        int n = g.remaining();
        FloatBuffer src = g.duplicate();
        float[] block = new float[Math.min(BLOCK, n)];
        for (int from = 0; from < n; from += block.length) {
            int len = Math.min(block.length, n - from);
            src.get(block, 0, len);
            for (int j = 0; j < len; j++) {
                float v = block[j];
                if (v == 0f) {
                    continue;
                }
                long h = mix(base + (from + j) * 0x9E3779B97F4A7C15L);
                // bucket = ⌊(high 32 bits of h) · dim / 2³²⌋: uniform without a division
                int bucket = (int) (((h >>> 32) * dim) >>> 32);
                acc[bucket] += (h & 1L) == 0 ? v : -v;
            }
        }
    }

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
