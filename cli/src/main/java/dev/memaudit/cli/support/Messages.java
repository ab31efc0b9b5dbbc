package dev.memaudit.cli.support;

import java.io.PrintWriter;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;

/** Messages for the user go to the command's stderr, one line each, prefixed with the tool name. */
public final class Messages {
    private Messages() {}

    /** A sink that prints each message to the command's stderr at once. */
    public static Consumer<String> to(CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        return msg -> {
            err.println("memaudit: " + msg);
            err.flush();
        };
    }
}
