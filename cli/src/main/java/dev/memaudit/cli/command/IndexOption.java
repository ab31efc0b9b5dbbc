package dev.memaudit.cli.command;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --index} flag of every command that reads or writes an index (a picocli mixin). */
public final class IndexOption {
    @Option(names = "--index", required = true, paramLabel = "<dir>", description = "Index folder.")
    Path index;

    public Path path() {
        return index;
    }
}
