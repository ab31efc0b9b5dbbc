package dev.memaudit.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir Path tmp;

    private Path raw(String name, String header, int dataBytes) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void writtenTensorsReadBackExactly() throws Exception {
        Map<String, SafetensorsWriter.F32Tensor> t = new LinkedHashMap<>();
        t.put(
                "a",
                new SafetensorsWriter.F32Tensor(
                        new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
        t.put("b.bias", new SafetensorsWriter.F32Tensor(new long[] {1}, new float[] {0.25f}));
        Path p = tmp.resolve("ok.safetensors");
        SafetensorsWriter.writeF32(p, t, Map.of("format", "pt"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.tensors().keySet()).containsExactly("a", "b.bias");
            assertThat(f.metadata()).containsEntry("format", "pt");
            TensorInfo a = f.tensors().get("a");
            assertThat(a.dtype()).isEqualTo(SafetensorsDtype.F32);
            assertThat(a.shape()).containsExactly(2, 3);
            ByteBuffer bb = f.map("a");
            float[] back = new float[6];
            bb.asFloatBuffer().get(back);
            assertThat(back).containsExactly(1, 2, 3, 4, 5, -6.5f);
            assertThat(f.fileOffset("a") % 64).isZero();
        }
    }

    @Test
    void truncatedFileIsAnIntegrityError() throws Exception {
        Map<String, SafetensorsWriter.F32Tensor> t = new LinkedHashMap<>();
        t.put("w", new SafetensorsWriter.F32Tensor(new long[] {100}, new float[100]));
        Path p = tmp.resolve("full.safetensors");
        SafetensorsWriter.writeF32(p, t, Map.of());
        byte[] all = Files.readAllBytes(p);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 10));
        assertThatThrownBy(() -> SafetensorsFile.open(cut))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("cut.safetensors")
                .hasMessageContaining("outside the data area")
                .satisfies(
                        e ->
                                assertThat(((MemauditException) e).category())
                                        .isEqualTo(ExitCategory.INTEGRITY));
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(tiny))
                .hasMessageContaining("shorter than the 8-byte header length");
        Path headerCut = tmp.resolve("headercut.safetensors");
        Files.write(headerCut, Arrays.copyOf(all, 20));
        assertThatThrownBy(() -> SafetensorsFile.open(headerCut))
                .hasMessageContaining("runs past the end of the file");
    }

    @Test
    void headerLyingAboutSizeIsRefused() throws Exception {
        Path p =
                raw(
                        "lie.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[0,32]}}",
                        32);
        assertThatThrownBy(() -> SafetensorsFile.open(p))
                .hasMessageContaining("claims shape [4, 4] of F32 (64 bytes)")
                .hasMessageContaining("span 32 bytes");
    }

    @Test
    void overlappingTensorsAreRefused() throws Exception {
        Path p =
                raw(
                        "overlap.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                        24);
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("overlap");
    }

    @Test
    void unknownDtypeAndBadJsonAreRefused() throws Exception {
        Path p =
                raw(
                        "dtype.safetensors",
                        "{\"a\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,2]}}",
                        2);
        assertThatThrownBy(() -> SafetensorsFile.open(p)).hasMessageContaining("unknown dtype Q4");
        Path j = raw("json.safetensors", "{\"a\": [", 0);
        assertThatThrownBy(() -> SafetensorsFile.open(j)).hasMessageContaining("not valid JSON");
        Path neg =
                raw(
                        "neg.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}",
                        0);
        assertThatThrownBy(() -> SafetensorsFile.open(neg)).hasMessageContaining("bad dimension");
    }
}
