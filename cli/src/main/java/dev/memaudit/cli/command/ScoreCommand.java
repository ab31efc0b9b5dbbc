package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelJsonl;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit score}. */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description = {
            "Per-token log-probabilities (natural log) of JSONL texts ({id, text}) under a model.",
            "Writes {id, token_ids, logprobs, ranks, nll} per line; logprobs[i] is the log-prob of"
                    + " token i given the ones before it (the first token has none)."
        })
public final class ScoreCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption model;

    @Option(
            names = "--texts",
            required = true,
            paramLabel = "<file.jsonl>",
            description = "Texts to score.")
    Path texts;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<file.jsonl>",
            description = "Where to write the scores.")
    Path out;

    @Option(
            names = "--batch",
            defaultValue = "4",
            description = "Texts scored together (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        try (LanguageModel m = model.open()) {
            ModelJsonl.Summary s = ModelJsonl.score(m, texts, out, batch, WriterStream.of(err));
            s.failures().forEach(f -> err.println("memaudit: " + f));
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "scored %d texts into %s; %d failed%n",
                            s.written(),
                            out,
                            s.failed());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
