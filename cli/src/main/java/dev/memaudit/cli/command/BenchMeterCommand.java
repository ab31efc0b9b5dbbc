package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.model.bench.MeterBench;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit bench meter}. */
@Command(
        name = "meter",
        mixinStandardHelpOptions = true,
        description = {
            "Cost of meter approx on a random GPT-2-small-shaped model (124M parameters) written to"
                    + " a temporary Hugging Face folder and loaded with gradients: seconds per work"
                    + " and per behaviour for unlearn and gradient, and peak RSS. Defaults: 2 works"
                    + " of 4 × 128 tokens, 8 behaviours of 64 tokens, 4 retain chunks, 3 unlearning"
                    + " steps, a 4,096-dimension sketch (several minutes on 2 cores)."
        })
public final class BenchMeterCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--tiny",
            description = "A tiny model instead (a smoke run, not a measurement).")
    boolean tiny;

    @Override
    public Integer call() {
        PrintStream out = WriterStream.of(spec.commandLine().getOut());
        MeterBench.run(tiny ? MeterBench.Settings.tiny() : MeterBench.Settings.gpt2Small(), out);
        out.flush();
        return 0;
    }
}
