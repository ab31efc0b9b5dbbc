package dev.memaudit.cli.command;

import picocli.CommandLine.Command;

/** {@code memaudit bench}: benchmarks that print figures. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print measured figures (not pass/fail tests).",
        subcommands = {
            BenchScanCommand.class,
            BenchModelCommand.class,
            BenchExtractCommand.class,
            BenchTrainCommand.class,
            BenchPrevalenceCommand.class,
            BenchGuardCommand.class,
            BenchMeterCommand.class
        })
public final class BenchCommand {}
