package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.extractor.bench.ExtractBench;
import dev.memaudit.extractor.bench.HttpExtractBench;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.extractor.extract.Scheme;
import dev.memaudit.model.bench.ModelBench;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit bench extract}. */
@Command(
        name = "extract",
        mixinStandardHelpOptions = true,
        description = {
            "Measure, in one process, the machine's fp32 matmul GFLOP/s and the extract stage's"
                    + " throughput on a GPT-2-small-shaped model (random weights): teacher-forced"
                    + " windows/s (the p_z fast path) and decoding attempts/s, with useful GFLOP/s"
                    + " and their ratios to the matmul peak.",
            "With --index, --works and --model: extract on those works locally and through an"
                    + " OpenAI-compatible server of the same model (--endpoint, or `memaudit"
                    + " serve` started in this process), with the model's tokenizer.json, with the"
                    + " server's tokenizer and with its detokenized windows only: seconds,"
                    + " windows/s, requests, bytes sent and received, and whether offsets and p_z"
                    + " equal the local run's."
        })
public final class BenchExtractCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin WindowOptions windows;

    @Option(
            names = "--tiny",
            description = "A tiny model and few windows (a smoke run, not a measurement).")
    boolean tiny;

    @Option(
            names = "--index",
            paramLabel = "<dir>",
            description = "An index holding the works to extract (HTTP benchmark).")
    Path index;

    @Option(
            names = "--works",
            split = ",",
            paramLabel = "<id>",
            description = "Work ids of --index to extract (HTTP benchmark).")
    List<String> works;

    @Option(
            names = "--model",
            paramLabel = "<dir>",
            description = "The local model folder; served when --endpoint is not given.")
    Path model;

    @Option(
            names = "--endpoint",
            paramLabel = "<url>",
            description =
                    "A running server of the same model (default: serve --model in this process).")
    URI endpoint;

    @Option(
            names = "--model-name",
            paramLabel = "<name>",
            description = "The served model's id (default: the only one /v1/models lists).")
    String modelName;

    @Option(
            names = "--max-in-flight",
            defaultValue = "8",
            description = "Requests open at once (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Override
    public Integer call() {
        PrintStream out = WriterStream.of(spec.commandLine().getOut());
        if (index != null || works != null || model != null || endpoint != null) {
            if (index == null || works == null || model == null) {
                throw MemauditException.usage(
                        "the HTTP benchmark needs --index, --works and --model (and optionally"
                                + " --endpoint)");
            }
            if (tiny) {
                throw MemauditException.usage("--tiny goes with the random-weight benchmark");
            }
            ExtractService.Options o = windows.options(List.of(), Scheme.T1, 0, 0, 12, 0.8, works);
            HttpExtractBench.run(
                    new HttpExtractBench.Settings(
                            index, model, endpoint, modelName, maxInFlight, o),
                    out);
            out.flush();
            return 0;
        }
        ModelBench.Settings ms =
                tiny ? ModelBench.Settings.tiny() : ModelBench.Settings.gpt2Small();
        ExtractBench.Settings es =
                tiny ? ExtractBench.Settings.tiny() : ExtractBench.Settings.defaults();
        double peak = ModelBench.matmulPeak(ms, out);
        ModelBench.RandomModel rm = ModelBench.randomModel(ms);
        out.printf(
                Locale.ROOT,
                "model: GPT-2 shape, %d layers, width %d, vocab %d, %.1fM parameters (random"
                        + " weights)%n",
                ms.layers(),
                ms.hidden(),
                ms.vocab(),
                rm.parameters() / 1e6);
        try (var model = rm.model()) {
            ExtractBench.run(
                    model,
                    new ExtractBench.Shape(rm.matmulParams(), ms.layers(), ms.hidden()),
                    peak,
                    es,
                    out);
        }
        out.flush();
        return 0;
    }
}
