package dev.memaudit.cli.command;

import picocli.CommandLine.Option;

/** The {@code --format text|json} flag of commands that print a result (a picocli mixin). */
public final class FormatOption {
    @Option(
            names = "--format",
            defaultValue = "text",
            description =
                    "Result format on stdout: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    OutputFormat format;

    public boolean json() {
        return format == OutputFormat.json;
    }
}
