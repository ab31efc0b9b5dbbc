package dev.memaudit.model.safetensors;

/**
 * One header entry.
 *
 * @param name tensor name
 * @param dtype element type
 * @param shape dimensions
 * @param begin first byte, relative to the start of the data area
 * @param end one past the last byte, relative to the start of the data area
 */
public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {

    /** Number of elements (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
