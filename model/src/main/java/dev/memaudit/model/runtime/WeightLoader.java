package dev.memaudit.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.safetensors.SafetensorsFile;
import dev.memaudit.model.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the safetensors weights of a model folder into float32 arrays. F32 tensors are used in
 * place from the memory mapping (no copy) when aligned; F16 is mapped and widened by the engine;
 * BF16 is widened in Java (the engine aborts the process on BF16).
 */
public final class WeightLoader {
    private WeightLoader() {}

    /** The safetensors files of a folder: the index's shards, or model.safetensors. */
    public static List<Path> weightFiles(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(index.toFile());
            } catch (IOException e) {
                throw MemauditException.badInput(index + ": not valid JSON: " + e.getMessage(), e);
            }
            JsonNode map = root.path("weight_map");
            if (!map.isObject() || map.isEmpty()) {
                throw MemauditException.badInput(index + ": no weight_map");
            }
            Set<String> files = new LinkedHashSet<>();
            map.elements().forEachRemaining(n -> files.add(n.asText()));
            List<Path> out = new ArrayList<>();
            for (String f : files) {
                Path p = dir.resolve(f).normalize();
                if (!p.startsWith(dir.normalize()) || !Files.isRegularFile(p)) {
                    throw MemauditException.badInput(
                            index + ": shard " + f + " named in weight_map is missing");
                }
                out.add(p);
            }
            return out;
        }
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return List.of(single);
        }
        throw MemauditException.badInput(
                dir
                        + ": no model.safetensors or model.safetensors.index.json (only safetensors"
                        + " weights are supported)");
    }

    /**
     * Loads every tensor of the given files into {@code manager}, as float32. Buffers backing the
     * arrays are added to {@code keepAlive}, which must be kept reachable while the arrays live.
     */
    public static Map<String, NDArray> load(
            List<Path> files, NDManager manager, List<ByteBuffer> keepAlive) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Path file : files) {
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                for (Iterator<TensorInfo> it = st.tensors().values().iterator(); it.hasNext(); ) {
                    TensorInfo info = it.next();
                    if (out.containsKey(info.name())) {
                        throw MemauditException.integrity(
                                file + ": tensor " + info.name() + " appears in two shards");
                    }
                    out.put(info.name(), toArray(st, info, manager, keepAlive));
                }
            }
        }
        return out;
    }

    private static NDArray toArray(
            SafetensorsFile st, TensorInfo info, NDManager manager, List<ByteBuffer> keepAlive) {
        Shape shape = new Shape(info.shape());
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE / 4) {
            throw MemauditException.badInput(
                    st.path()
                            + ": tensor "
                            + info.name()
                            + " has "
                            + n
                            + " elements; tensors"
                            + " over 2 GiB as float32 are not supported");
        }
        switch (info.dtype()) {
            case F32 -> {
                ByteBuffer bb = st.map(info.name());
                if (st.fileOffset(info.name()) % 4 != 0 || !st.writableMapping()) {
                    // misaligned data is slow for MKL; a read-only mapping must not reach native
                    // code that might write in place: copy both into private memory
                    bb = copy(bb);
                }
                keepAlive.add(bb);
                return manager.create(bb, shape, DataType.FLOAT32);
            }
            case F16 -> {
                ByteBuffer bb = st.map(info.name());
                if (st.fileOffset(info.name()) % 2 != 0 || !st.writableMapping()) {
                    bb = copy(bb);
                }
                try (NDArray half = manager.create(bb, shape, DataType.FLOAT16)) {
                    return half.toType(DataType.FLOAT32, true);
                }
            }
            case BF16 -> {
                ByteBuffer src = st.map(info.name());
                ShortBuffer shorts = src.asShortBuffer();
                ByteBuffer dst =
                        ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    dst.putInt(i * 4, (shorts.get(i) & 0xFFFF) << 16);
                }
                keepAlive.add(dst);
                return manager.create(dst, shape, DataType.FLOAT32);
            }
            default ->
                    throw MemauditException.badInput(
                            st.path()
                                    + ": tensor "
                                    + info.name()
                                    + " has dtype "
                                    + info.dtype()
                                    + "; supported weight dtypes: F32, F16, BF16");
        }
    }

    private static ByteBuffer copy(ByteBuffer src) {
        ByteBuffer dst = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        dst.put(src.duplicate());
        dst.flip();
        return dst;
    }
}
