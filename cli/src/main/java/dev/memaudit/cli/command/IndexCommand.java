package dev.memaudit.cli.command;

import picocli.CommandLine.Command;

/** {@code memaudit index}: groups the index subcommands. */
@Command(
        name = "index",
        mixinStandardHelpOptions = true,
        description = "Build and inspect the n-gram index of a corpus.",
        subcommands = {IndexBuildCommand.class, IndexInfoCommand.class})
public final class IndexCommand {}
