package dev.memaudit.cli.command;

import dev.memaudit.audit.AuditConfig;
import dev.memaudit.audit.AuditRunner;
import dev.memaudit.audit.StageCommands;
import dev.memaudit.cli.Main;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code memaudit audit}. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = {
            "Run a whole audit from one YAML file: index -> model (a canary trained on the spot, a"
                    + " folder or an endpoint) -> extract -> sample + scan -> ppl -> report.",
            "Each stage is the memaudit command shown in the plan; stages whose results are"
                    + " present and current are skipped, an interrupted stage resumes."
        })
public final class AuditCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<audit.yaml>", description = "The audit file.")
    Path file;

    @Option(
            names = "--dry-run",
            description = "Print the plan (what is current, what would run, the exact commands).")
    boolean dryRun;

    @Override
    public Integer call() {
        AuditConfig cfg = AuditConfig.load(file);
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        return new AuditRunner(cfg, stages(out, err), out, err, Clock.systemUTC()).run(dryRun);
    }

    /** Each stage runs through memaudit's own command line, in this process. */
    static StageCommands stages(PrintWriter out, PrintWriter err) {
        return new StageCommands() {
            @Override
            public boolean has(String command) {
                return Main.commandLine(out, err).getSubcommands().containsKey(command);
            }

            @Override
            public int run(List<String> args) {
                // A fresh command line per stage: picocli command objects keep parsed values.
                return Main.commandLine(out, err).execute(args.toArray(String[]::new));
            }
        };
    }
}
