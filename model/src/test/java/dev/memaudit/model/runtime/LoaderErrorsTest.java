package dev.memaudit.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.testing.TinyModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoaderErrorsTest {
    @TempDir Path tmp;

    private Path tiny(String name) throws Exception {
        Path dir = tmp.resolve(name);
        TinyModels.write(dir, TinyModels.config(Architecture.GPT2, "plain", 300), 1, 0.02);
        return dir;
    }

    private static ObjectNode config(Path dir) throws Exception {
        return (ObjectNode) new ObjectMapper().readTree(dir.resolve("config.json").toFile());
    }

    private static void writeConfig(Path dir, ObjectNode c) throws Exception {
        new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), c);
    }

    @Test
    void unknownArchitectureListsTheSupportedOnes() throws Exception {
        Path dir = tiny("arch");
        ObjectNode c = config(dir);
        c.putArray("architectures").add("FalconForCausalLM");
        writeConfig(dir, c);
        assertThatThrownBy(() -> ModelLoader.load(dir))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("FalconForCausalLM")
                .hasMessageContaining("GPT2LMHeadModel")
                .hasMessageContaining("LlamaForCausalLM");
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Path dir = tiny("missing");
        ObjectNode c = config(dir);
        c.put("n_layer", 3); // the file holds 2 layers
        writeConfig(dir, c);
        assertThatThrownBy(() -> ModelLoader.load(dir))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("missing transformer.h.2.attn.c_attn.weight");
    }

    @Test
    void tokenizerLargerThanModelVocabularyIsRefused() throws Exception {
        Path dir = tiny("vocab");
        ObjectNode c = config(dir);
        c.put("vocab_size", 100);
        writeConfig(dir, c);
        assertThatThrownBy(() -> ModelLoader.load(dir))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("vocab_size is 100")
                .satisfies(
                        e ->
                                assertThat(((MemauditException) e).category())
                                        .isEqualTo(ExitCategory.BAD_INPUT));
    }

    @Test
    void embeddingShapeMismatchIsReported() throws Exception {
        Path dir = tiny("shape");
        ObjectNode c = config(dir);
        c.put("vocab_size", 310); // tokenizer fits, but wte has 300 rows
        writeConfig(dir, c);
        assertThatThrownBy(() -> ModelLoader.load(dir))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(
                        "transformer.wte.weight has shape [300, 32], expected [310, 32]");
    }

    @Test
    void unsupportedDtypeIsRefusedWithoutCrashing() throws Exception {
        Path dir = tiny("dtype");
        // replace the weights by a file with one I32 tensor
        writeRaw(
                dir.resolve("model.safetensors"),
                "{\"transformer.wte.weight\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                new byte[8]);
        assertThatThrownBy(() -> ModelLoader.load(dir))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("dtype I32")
                .hasMessageContaining("supported weight dtypes: F32, F16, BF16");
    }

    @Test
    void weightsOnlyLoadingNeedsNoTokenizer() throws Exception {
        Path dir = tiny("weights-only");
        float[][] withTokenizer;
        try (DjlLanguageModel m = ModelLoader.load(dir)) {
            withTokenizer = m.fullLogits(new int[] {4, 5});
        }
        Files.delete(dir.resolve("tokenizer.json"));
        try (DjlLanguageModel m = ModelLoader.loadWithoutTokenizer(dir)) {
            assertThat(m.fullLogits(new int[] {4, 5})).isDeepEqualTo(withTokenizer);
            assertThatThrownBy(m::tokenizer).hasMessageContaining("without a tokenizer");
        }
    }

    @Test
    void missingTokenizerAndConfigAreNamed() throws Exception {
        Path dir = tiny("files");
        Files.delete(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> ModelLoader.load(dir))
                .hasMessageContaining("tokenizer file not found");
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> ModelLoader.load(dir))
                .hasMessageContaining("config.json not found");
    }

    @Test
    void bf16AndF16WeightsAreWidenedToTheSameModel() throws Exception {
        Path dir = tiny("bf16");
        float[][] reference;
        try (DjlLanguageModel m = ModelLoader.load(dir)) {
            reference = m.fullLogits(new int[] {1, 2, 3});
        }
        for (String dtype : List.of("BF16", "F16")) {
            Path copy = tmp.resolve("bf16-" + dtype);
            Files.createDirectories(copy);
            for (String f : List.of("config.json", "tokenizer.json")) {
                Files.copy(dir.resolve(f), copy.resolve(f));
            }
            convert(dir.resolve("model.safetensors"), copy.resolve("model.safetensors"), dtype);
            try (DjlLanguageModel m = ModelLoader.load(copy)) {
                float[][] logits = m.fullLogits(new int[] {1, 2, 3});
                for (int t = 0; t < logits.length; t++) {
                    for (int v = 0; v < logits[t].length; v++) {
                        // bf16 keeps 8 mantissa bits, f16 keeps 11
                        assertThat((double) logits[t][v])
                                .isCloseTo(
                                        reference[t][v],
                                        org.assertj.core.api.Assertions.within(0.05));
                    }
                }
            }
        }
    }

    /** Rewrites an F32 safetensors file as BF16 (truncating) or F16. */
    private static void convert(Path in, Path out, String dtype) throws Exception {
        try (var st = dev.memaudit.model.safetensors.SafetensorsFile.open(in)) {
            ObjectNode header = new ObjectMapper().createObjectNode();
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            long off = 0;
            for (var info : st.tensors().values()) {
                ByteBuffer src = st.map(info.name());
                int n = (int) info.elementCount();
                ByteBuffer dst = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    float f = src.getFloat(4 * i);
                    short s =
                            dtype.equals("BF16")
                                    ? (short) (Float.floatToIntBits(f) >>> 16)
                                    : toHalf(f);
                    dst.putShort(s);
                }
                data.write(dst.array());
                ObjectNode e = header.putObject(info.name());
                e.put("dtype", dtype);
                var shape = e.putArray("shape");
                for (long d : info.shape()) {
                    shape.add(d);
                }
                e.putArray("data_offsets").add(off).add(off + 2L * n);
                off += 2L * n;
            }
            writeRaw(out, header.toString(), data.toByteArray());
        }
    }

    /** float → IEEE half, round to nearest (values here are far from the half range limits). */
    private static short toHalf(float f) {
        int sign = (Float.floatToIntBits(f) >>> 16) & 0x8000;
        float a = Math.abs(f);
        if (a < 6.1035156e-5f) {
            return (short) (sign | Math.round(a / 5.9604645e-8f));
        }
        int exp = Math.getExponent(a);
        int mant = Math.round((a / (float) Math.scalb(1.0, exp) - 1f) * 1024f);
        if (mant == 1024) {
            mant = 0;
            exp++;
        }
        return (short) (sign | ((exp + 15) << 10) | mant);
    }

    static void writeRaw(Path file, String headerJson, byte[] data) throws Exception {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
    }
}
