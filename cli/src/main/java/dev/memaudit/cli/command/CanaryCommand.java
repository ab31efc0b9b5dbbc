package dev.memaudit.cli.command;

import picocli.CommandLine.Command;

/** {@code memaudit canary}: canary models with known training data. */
@Command(
        name = "canary",
        mixinStandardHelpOptions = true,
        description = "Canary models: small models trained on a corpus with known membership.",
        subcommands = {
            CanaryTrainCommand.class,
            CanaryCalibrateCommand.class,
            CanaryExcerptsCommand.class
        })
public final class CanaryCommand {}
