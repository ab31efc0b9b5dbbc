package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelJsonl;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit sample}. */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description = {
            "Generate from a model: --n samples per prompt, or --n unconditioned samples.",
            "Writes {id, prompt, completion, token_ids, logprobs, seed, settings} per line, which"
                    + " `memaudit scan` reads (completion is the text scanned)."
        })
public final class SampleCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption model;

    @Option(
            names = "--n",
            required = true,
            description = "Samples per prompt (or in all, without prompts).")
    int n;

    @Option(
            names = "--prompts",
            paramLabel = "<file>",
            description = "JSONL with id and prompt, or a text file with one prompt per line.")
    Path prompts;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "64",
            description = "Tokens generated per sample (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(
            names = "--temperature",
            defaultValue = "1.0",
            description = "Sampling temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(
            names = "--top-k",
            defaultValue = "0",
            description = "Keep the k most likely tokens; 0 = off (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1.0",
            description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
    double topP;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed; sample k of a prompt uses seed + k (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--batch",
            defaultValue = "8",
            description = "Rows generated together (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<file.jsonl>",
            description = "Where to write the samples.")
    Path out;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        GenerationSettings settings =
                new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, true);
        List<ModelJsonl.Prompt> list =
                prompts == null ? List.of() : ModelJsonl.readPrompts(prompts);
        try (LanguageModel m = model.open()) {
            ModelJsonl.Summary s =
                    ModelJsonl.sample(m, list, n, settings, batch, out, WriterStream.of(err));
            s.failures().forEach(f -> err.println("memaudit: " + f));
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "wrote %d samples to %s; %d failed%n",
                            s.written(),
                            out,
                            s.failed());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
