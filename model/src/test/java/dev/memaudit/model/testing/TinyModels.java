package dev.memaudit.model.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.model.canary.BpeTrainer;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.model.runtime.Transformer;
import dev.memaudit.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Writes tiny random-weight Hugging Face model folders for tests. */
public final class TinyModels {
    private TinyModels() {}

    /** A small config of each family; {@code variant} picks knobs (GQA, bias, residual). */
    public static ModelConfig config(Architecture arch, String variant, int vocab) {
        ModelConfig.Builder b =
                ModelConfig.builder(arch)
                        .vocabSize(vocab)
                        .hidden(32)
                        .layers(2)
                        .heads(4)
                        .headDim(8)
                        .maxPositions(64)
                        .normEps(1e-5)
                        .bosId(1)
                        .eosId(2);
        return switch (arch) {
            case LLAMA -> {
                boolean qwen = variant.equals("qwen2");
                yield b.hfArchitecture(qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM")
                        .kvHeads(variant.equals("mha") ? 4 : 2)
                        .intermediate(48)
                        .qkvBias(qwen)
                        .tieEmbeddings(qwen)
                        .build();
            }
            case GPT2 -> b.intermediate(64).build();
            case GPT_NEOX ->
                    b.intermediate(64)
                            .rotaryDims(4)
                            .parallelResidual(!variant.equals("sequential"))
                            .build();
        };
    }

    /**
     * Writes config.json, model.safetensors (random weights, std {@code std}) and a tokenizer
     * trained on synthetic text with a vocabulary of at most {@code config.vocabSize()}.
     */
    public static void write(Path dir, ModelConfig config, long seed, double std)
            throws IOException {
        java.nio.file.Files.createDirectories(dir);
        new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config.toHfJson());
        String prefix = config.arch() == Architecture.GPT2 ? "transformer." : "";
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, SafetensorsWriter.F32Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : Transformer.expectedShapes(config, prefix).entrySet()) {
            int n = 1;
            for (long d : e.getValue()) {
                n *= (int) d;
            }
            float[] v = new float[n];
            boolean normWeight =
                    (e.getKey().contains("norm") || e.getKey().contains("ln_"))
                            && e.getKey().endsWith(".weight");
            for (int i = 0; i < n; i++) {
                v[i] = (float) ((normWeight ? 1 : 0) + r.nextGaussian() * std);
            }
            tensors.put(e.getKey(), new SafetensorsWriter.F32Tensor(e.getValue(), v));
        }
        SafetensorsWriter.writeF32(dir.resolve("model.safetensors"), tensors, Map.of());
        BpeTrainer.train(List.of(SyntheticText.of(seed, 3000)), config.vocabSize())
                .write(dir.resolve("tokenizer.json"));
    }
}
