package dev.memaudit.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes float32 tensors as a safetensors file. Tensors are written in the map's iteration order;
 * the header is padded with spaces so the data area starts on a 64-byte boundary.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** A float32 tensor to write: its shape and row-major values. */
    public record F32Tensor(long[] shape, float[] values) {}

    public static void writeF32(Path file, Map<String, F32Tensor> tensors, Map<String, String> meta)
            throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        if (!meta.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            meta.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, F32Tensor> e : tensors.entrySet()) {
            F32Tensor t = e.getValue();
            long n = 1;
            for (long d : t.shape()) {
                n *= d;
            }
            if (n != t.values().length) {
                throw new IllegalArgumentException(
                        e.getKey() + ": shape holds " + n + " values, got " + t.values().length);
            }
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", "F32");
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            ArrayNode off = entry.putArray("data_offsets");
            off.add(offset);
            offset += 4L * n;
            off.add(offset);
        }
        byte[] json = om.writeValueAsBytes(header);
        int padded = (int) (((8 + json.length + 63) / 64) * 64 - 8);
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            len.putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (F32Tensor t : tensors.values()) {
                for (float v : t.values()) {
                    if (!buf.hasRemaining()) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }
}
