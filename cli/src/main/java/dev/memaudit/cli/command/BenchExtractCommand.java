package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.extractor.bench.ExtractBench;
import dev.memaudit.model.bench.ModelBench;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
                    + " and their ratios to the matmul peak."
        })
public final class BenchExtractCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--tiny",
            description = "A tiny model and few windows (a smoke run, not a measurement).")
    boolean tiny;

    @Override
    public Integer call() {
        PrintStream out = WriterStream.of(spec.commandLine().getOut());
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
