package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.model.bench.ModelBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit bench model}. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Measure, in one process, the machine's fp32 matmul GFLOP/s and a GPT-2-small-shaped"
                    + " model's (random weights) useful GFLOP/s for teacher-forced scoring and"
                    + " batched KV-cached greedy decoding, with their ratios to the matmul peak;"
                    + " then the same products in fp16 against fp32 (speed and error), which"
                    + " the runtime does not use."
        })
public final class BenchModelCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--tiny",
            description = "A tiny model instead (a smoke run, not a measurement).")
    boolean tiny;

    @Option(
            names = "--decode-rows",
            paramLabel = "<n>",
            description = "Rows decoded together (default: 32; the tiny model's 4).")
    Integer decodeRows;

    @Override
    public Integer call() {
        ModelBench.Settings s = tiny ? ModelBench.Settings.tiny() : ModelBench.Settings.gpt2Small();
        if (decodeRows != null) {
            if (decodeRows < 1) {
                throw dev.memaudit.core.error.MemauditException.usage(
                        "--decode-rows must be ≥ 1, got " + decodeRows);
            }
            s = s.withDecodeRows(decodeRows);
        }
        ModelBench.run(s, WriterStream.of(spec.commandLine().getOut()));
        return 0;
    }
}
