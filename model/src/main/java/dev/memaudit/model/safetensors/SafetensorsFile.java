package dev.memaudit.model.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated safetensors file whose tensors are memory-mapped on demand.
 *
 * <p>Mappings use copy-on-write ({@code PRIVATE}) when the file is writable, so an accidental
 * in-place write by native code changes memory, never the file; read-only files get a read-only
 * mapping, and callers must not write into arrays created from it.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers larger than this are refused (the format's own reference limit is 100 MB). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final boolean writable;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            boolean writable,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.writable = writable;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens and validates a file.
     *
     * @throws MemauditException integrity when the file is truncated or its header is inconsistent
     */
    public static SafetensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw MemauditException.badInput(path + ": safetensors file not found");
        }
        boolean writable = Files.isWritable(path);
        FileChannel ch;
        try {
            ch =
                    writable
                            ? FileChannel.open(
                                    path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                            : FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            try {
                ch = FileChannel.open(path, StandardOpenOption.READ);
                writable = false;
            } catch (IOException e2) {
                throw MemauditException.badInput(path + ": cannot open: " + e2.getMessage(), e2);
            }
        }
        try {
            return parse(path, ch, writable);
        } catch (RuntimeException | IOException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof MemauditException me) {
                throw me;
            }
            throw MemauditException.integrity(path + ": unreadable safetensors: " + e, e);
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel ch, boolean writable)
            throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw bad(path, "file is " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw bad(path, "header length " + headerLen + " is outside 2.." + MAX_HEADER_BYTES);
        }
        if (8 + headerLen > size) {
            throw bad(
                    path,
                    "header length "
                            + headerLen
                            + " runs past the end of the file ("
                            + size
                            + " bytes): truncated?");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(ch, headerBuf, 8);
        String json = new String(headerBuf.array(), StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw bad(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(path, "header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw bad(path, "__metadata__ is not an object");
                }
                v.fields()
                        .forEachRemaining(
                                m -> {
                                    if (!m.getValue().isTextual()) {
                                        throw bad(
                                                path,
                                                "__metadata__ value of "
                                                        + m.getKey()
                                                        + " is not a string");
                                    }
                                    metadata.put(m.getKey(), m.getValue().asText());
                                });
                continue;
            }
            tensors.put(name, parseEntry(path, name, v, dataLen));
        }
        checkNoOverlap(path, tensors.values());
        return new SafetensorsFile(
                path,
                ch,
                writable,
                dataStart,
                Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataLen) {
        if (!v.isObject()) {
            throw bad(path, "entry " + name + " is not an object");
        }
        for (Iterator<String> f = v.fieldNames(); f.hasNext(); ) {
            String field = f.next();
            if (!field.equals("dtype") && !field.equals("shape") && !field.equals("data_offsets")) {
                throw bad(path, "entry " + name + " has unknown field " + field);
            }
        }
        JsonNode dtypeNode = v.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw bad(path, "entry " + name + " has no dtype");
        }
        SafetensorsDtype dtype = SafetensorsDtype.parse(dtypeNode.asText());
        if (dtype == null) {
            throw bad(
                    path,
                    "entry "
                            + name
                            + " has unknown dtype "
                            + dtypeNode.asText()
                            + " (known: "
                            + Arrays.toString(SafetensorsDtype.values())
                            + ")");
        }
        JsonNode shapeNode = v.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw bad(path, "entry " + name + " has no shape list");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw bad(path, "entry " + name + " has a bad dimension " + d);
            }
            shape[i] = d.asLong();
        }
        JsonNode off = v.get("data_offsets");
        if (off == null
                || !off.isArray()
                || off.size() != 2
                || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber()) {
            throw bad(path, "entry " + name + " has no data_offsets [begin, end]");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLen) {
            throw bad(
                    path,
                    "entry "
                            + name
                            + " has data_offsets ["
                            + begin
                            + ", "
                            + end
                            + ") outside the data area of "
                            + dataLen
                            + " bytes: truncated file or lying header");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), (long) dtype.bytes());
        } catch (ArithmeticException ex) {
            throw bad(path, "entry " + name + " has an impossibly large shape");
        }
        if (expected != end - begin) {
            throw bad(
                    path,
                    "entry "
                            + name
                            + " claims shape "
                            + Arrays.toString(shape)
                            + " of "
                            + dtype
                            + " ("
                            + expected
                            + " bytes) but its data_offsets span "
                            + (end - begin)
                            + " bytes");
        }
        return info;
    }

    private static void checkNoOverlap(Path path, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() == t.end()) {
                continue; // empty tensors occupy no bytes
            }
            if (prev != null && t.begin() < prev.end()) {
                throw bad(
                        path,
                        "tensors "
                                + prev.name()
                                + " and "
                                + t.name()
                                + " overlap in the data area");
            }
            prev = t;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static MemauditException bad(Path path, String reason) {
        return MemauditException.integrity(path + ": invalid safetensors: " + reason);
    }

    public Path path() {
        return path;
    }

    /** Tensor entries in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The raw little-endian bytes of a tensor as a direct buffer over the mapped file (no copy).
     *
     * @throws MemauditException when the tensor is unknown or larger than 2 GiB
     */
    public ByteBuffer map(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw MemauditException.badInput(path + ": no tensor named " + name);
        }
        long len = info.end() - info.begin();
        if (len > Integer.MAX_VALUE) {
            throw MemauditException.badInput(
                    path
                            + ": tensor "
                            + name
                            + " is "
                            + len
                            + " bytes; tensors over 2 GiB are not"
                            + " supported");
        }
        try {
            ByteBuffer bb =
                    channel.map(
                            writable ? FileChannel.MapMode.PRIVATE : FileChannel.MapMode.READ_ONLY,
                            dataStart + info.begin(),
                            len);
            return bb.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw MemauditException.badInput(
                    path + ": cannot map tensor " + name + ": " + e.getMessage(), e);
        }
    }

    /** Whether mapped buffers may be written (copy-on-write) by native code. */
    public boolean writableMapping() {
        return writable;
    }

    /** Absolute file offset of a tensor's first byte (for alignment checks). */
    public long fileOffset(String name) {
        return dataStart + tensors.get(name).begin();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw MemauditException.badInput(path + ": close failed: " + e.getMessage(), e);
        }
    }
}
