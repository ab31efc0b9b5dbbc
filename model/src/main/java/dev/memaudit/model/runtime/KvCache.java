package dev.memaudit.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of every layer for the tokens seen so far, shaped [batch, kvHeads, length,
 * headDim]. The arrays survive {@link NDScope}s (they are unregistered when stored) and are closed
 * when replaced or when the cache is closed.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;

    public KvCache(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Tokens cached so far. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /**
     * Appends the new keys and values of one layer and returns the full ones (cached + new). Called
     * inside an {@link NDScope}; the returned arrays outlive it.
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray oldK = keys[layer];
        NDArray oldV = values[layer];
        NDArray newK = oldK == null ? k : NDArrays.concat(new NDList(oldK, k), 2);
        NDArray newV = oldV == null ? v : NDArrays.concat(new NDList(oldV, v), 2);
        NDScope.unregister(newK, newV);
        keys[layer] = newK;
        values[layer] = newV;
        if (oldK != null) {
            oldK.close();
            oldV.close();
        }
        return new NDArray[] {newK, newV};
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
        }
    }
}
