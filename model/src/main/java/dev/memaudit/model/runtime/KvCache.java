package dev.memaudit.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the tokens seen so far, shaped [batch, kvHeads, length,
 * headDim]. The arrays survive {@link NDScope}s (they are unregistered when stored) and are closed
 * when replaced or when the cache is closed.
 *
 * <p>Each layer's keys and values live in one buffer of the cache's capacity (the most tokens a run
 * caches: prefix + new tokens when decoding), allocated at the first append: a step writes its
 * tokens in place and attention reads a view of the filled part, so a step copies nothing already
 * cached (concatenating copied the whole cache of every layer at every step).
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private final long[] filled;

    /**
     * @param capacity the most tokens that will be cached
     */
    public KvCache(int layers, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        keys = new NDArray[layers];
        values = new NDArray[layers];
        filled = new long[layers];
        this.capacity = capacity;
    }

    /** Tokens cached so far. */
    public long length() {
        return filled[0];
    }

    /**
     * Appends the new keys and values of one layer and returns the full ones (cached + new): views
     * of the layer's buffers, owned by the calling {@link NDScope}; the buffers outlive it.
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        Shape s = k.getShape();
        long from = filled[layer];
        long to = from + s.get(2);
        if (to > capacity) {
            throw new IllegalStateException(
                    "the cache holds " + capacity + " tokens; " + to + " appended");
        }
        if (keys[layer] == null) {
            Shape full = new Shape(s.get(0), s.get(1), capacity, s.get(3));
            keys[layer] = k.getManager().zeros(full, k.getDataType());
            values[layer] = v.getManager().zeros(full, v.getDataType());
            NDScope.unregister(keys[layer], values[layer]);
        }
        NDIndex written = new NDIndex(":, :, {}:{}", from, to);
        keys[layer].set(written, k);
        values[layer].set(written, v);
        filled[layer] = to;
        NDIndex used = new NDIndex(":, :, :{}", to);
        return new NDArray[] {keys[layer].get(used), values[layer].get(used)};
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
                keys[i] = null;
                values[i] = null;
            }
            filled[i] = 0;
        }
    }
}
