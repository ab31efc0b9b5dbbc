package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.bench.TrainBench;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit bench train}. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Run the canary trainer's optimizer loop on random tokens and print, in one process:"
                    + " resident memory (VmRSS) and JVM heap at --check-step and at the last step"
                    + " and their difference, training tokens/s and useful GFLOP/s (6 × matmul"
                    + " parameters × tokens plus causal attention) as a share of the process's"
                    + " fp32 matmul peak. Defaults: the sample audit's canary shape, 4 × 128"
                    + " tokens a step, 2,000 steps (a few minutes on 2 cores)."
        })
public final class BenchTrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--tiny",
            description = "A tiny model and 30 steps (a smoke run, not a measurement).")
    boolean tiny;

    @Option(names = "--steps", description = "Optimizer steps (default 2000).")
    Integer steps;

    @Option(names = "--check-step", description = "Step of the first memory reading (default 100).")
    Integer checkStep;

    @Option(names = "--layers", description = "Transformer blocks (default 2).")
    Integer layers;

    @Option(names = "--hidden", description = "Width (default 256).")
    Integer hidden;

    @Option(names = "--heads", description = "Attention heads (default 4).")
    Integer heads;

    @Option(names = "--intermediate", description = "MLP inner width (default 688).")
    Integer intermediate;

    @Option(names = "--vocab", description = "Vocabulary (default 2048).")
    Integer vocab;

    @Option(names = "--context", description = "Tokens per window (default 128).")
    Integer context;

    @Option(names = "--batch", description = "Windows per optimizer step (default 4).")
    Integer batch;

    @Option(
            names = "--micro-batch",
            description =
                    "Windows per forward/backward pass, gradients accumulated (default: the whole"
                            + " batch).")
    Integer microBatch;

    @Override
    public Integer call() {
        TrainBench.Settings d = tiny ? TrainBench.Settings.tiny() : TrainBench.Settings.defaults();
        TrainBench.Settings s;
        try {
            s =
                    new TrainBench.Settings(
                            or(layers, d.layers()),
                            or(hidden, d.hidden()),
                            or(heads, d.heads()),
                            or(intermediate, d.intermediate()),
                            or(vocab, d.vocab()),
                            or(context, d.context()),
                            or(batch, d.batch()),
                            or(microBatch, d.microBatch()),
                            or(steps, d.steps()),
                            or(checkStep, d.checkStep()));
        } catch (IllegalArgumentException e) {
            throw MemauditException.usage(e.getMessage());
        }
        PrintStream out = WriterStream.of(spec.commandLine().getOut());
        TrainBench.run(s, out);
        out.flush();
        return 0;
    }

    private static int or(Integer v, int d) {
        return v == null ? d : v;
    }
}
