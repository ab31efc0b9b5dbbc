package dev.memaudit.cli.command;

import picocli.CommandLine.Command;

/** {@code memaudit meter}: how much a work influences a model's behaviours. */
@Command(
        name = "meter",
        mixinStandardHelpOptions = true,
        description =
                "Influence metering: how much a work shapes a model's behaviour — exactly on"
                        + " canaries (trained with and without it), approximately on other models.",
        subcommands = {
            MeterExactCommand.class,
            MeterApproxCommand.class,
            MeterValidateCommand.class
        })
public final class MeterCommand {}
