package dev.memaudit.cli.command;

/** How a command prints its result on stdout. */
public enum OutputFormat {
    text,
    json
}
