package dev.memaudit.cli;

import dev.memaudit.cli.support.ErrorHandler;
import dev.memaudit.model.runtime.RuntimeSetup;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;

/** Entry point. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Before any DJL class initializes: DJL otherwise probes a link-local address at start-up.
        System.setProperty("ai.djl.offline", "true");
        RuntimeSetup.configure();
        PrintWriter out =
                new PrintWriter(
                        new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err =
                new PrintWriter(
                        new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the command line with the given streams and returns the exit code (for tests). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        System.setProperty("ai.djl.offline", "true");
        CommandLine cmd = commandLine(out, err, args.length == 0 ? null : args[0]);
        return cmd.execute(args);
    }

    /** The configured command line with every subcommand. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /**
     * The configured command line with only the subcommand named {@code first} (the first argument)
     * when there is one of that name, else with all of them. Picocli builds its model of a command
     * from annotations and reflection when the command is added: building all of them cost about
     * 0.1 s of every start, for a command line that runs one.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String first) {
        CommandLine cmd = new CommandLine(new MemauditCommand());
        Class<?> only = first == null ? null : MemauditCommand.subcommand(first);
        for (Class<?> sub : only != null ? List.of(only) : MemauditCommand.SUBCOMMANDS) {
            cmd.addSubcommand(sub);
        }
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        ErrorHandler handler = new ErrorHandler();
        cmd.setExecutionExceptionHandler(handler);
        cmd.setParameterExceptionHandler(handler);
        return cmd;
    }
}
