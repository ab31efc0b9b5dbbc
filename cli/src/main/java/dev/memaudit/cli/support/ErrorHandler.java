package dev.memaudit.cli.support;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Maps every failure to one line on stderr and a named exit code. A stack trace is printed only for
 * internal errors (bugs), or for any error when MEMAUDIT_STACKTRACE=1.
 */
public final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        var err = cmd.getErr();
        boolean traces = "1".equals(System.getenv("MEMAUDIT_STACKTRACE"));
        if (ex instanceof MemauditException me) {
            err.println("memaudit: error: " + me.getMessage());
            if (traces) {
                me.printStackTrace(err);
            }
            err.flush();
            return me.category().code();
        }
        if (ex instanceof UncheckedIOException io) {
            err.println(
                    "memaudit: I/O error: " + io.getMessage() + ": " + io.getCause().getMessage());
            if (traces) {
                io.printStackTrace(err);
            }
            err.flush();
            return ExitCategory.BAD_INPUT.code();
        }
        err.println("memaudit: internal error (a bug; please report it with this trace):");
        ex.printStackTrace(err);
        err.flush();
        return ExitCategory.INTERNAL.code();
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        var err = cmd.getErr();
        err.println("memaudit: " + ex.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        }
        err.flush();
        return ExitCategory.USAGE.code();
    }
}
