package dev.memaudit.cli.command;

import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model} flag shared by every command that runs a model (a picocli mixin). */
public final class ModelOption {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "<dir>",
            description =
                    "A Hugging Face model folder (config.json, *.safetensors, tokenizer.json), e.g."
                            + " one written by `memaudit canary train`.")
    Path model;

    /** Loads the model; the caller closes it. */
    public DjlLanguageModel load() {
        return ModelLoader.load(model);
    }

    public Path path() {
        return model;
    }
}
