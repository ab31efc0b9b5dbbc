package dev.memaudit.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.ModelTokenizer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Loads a Hugging Face model folder into a {@link DjlLanguageModel}. */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * Loads {@code dir/config.json}, its safetensors weights and {@code dir/tokenizer.json}.
     *
     * @throws MemauditException bad input for a missing file, an unsupported architecture, a
     *     missing or mis-shaped tensor or a tokenizer larger than the model's vocabulary; integrity
     *     for a corrupt safetensors file
     */
    public static DjlLanguageModel load(Path dir) {
        return load(dir, true);
    }

    /**
     * Loads {@code config.json} and the weights only: the model scores and generates token ids, and
     * {@link DjlLanguageModel#tokenizer()} is unavailable. For checkpoints that come without a
     * tokenizer (test fixtures, benchmarks).
     */
    public static DjlLanguageModel loadWithoutTokenizer(Path dir) {
        return load(dir, false);
    }

    private static DjlLanguageModel load(Path dir, boolean withTokenizer) {
        if (!Files.isDirectory(dir)) {
            throw MemauditException.badInput(dir + ": model folder not found");
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        List<Path> files = WeightLoader.weightFiles(dir);
        ModelTokenizer tokenizer =
                withTokenizer ? ModelTokenizer.load(dir.resolve("tokenizer.json")) : null;
        NDManager manager = null;
        try {
            if (tokenizer != null && tokenizer.vocabSize() > config.vocabSize()) {
                throw MemauditException.badInput(
                        dir
                                + ": tokenizer.json produces ids up to "
                                + (tokenizer.vocabSize() - 1)
                                + " but config.json vocab_size is "
                                + config.vocabSize()
                                + ": tokenizer and model do not belong together");
            }
            manager = NDManager.newBaseManager();
            List<ByteBuffer> keepAlive = new ArrayList<>();
            Map<String, NDArray> tensors = WeightLoader.load(files, manager, keepAlive);
            Transformer t = new Transformer(config, tensors, dir.toString());
            String description =
                    config.hfArchitecture()
                            + " ("
                            + config.layers()
                            + " layers, width "
                            + config.hidden()
                            + ", "
                            + config.parameterCount()
                            + " parameters) from "
                            + dir;
            return new DjlLanguageModel(manager, t, tokenizer, description, keepAlive)
                    .loadedFrom(dir);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            if (manager != null) {
                manager.close();
            }
            throw e;
        }
    }
}
