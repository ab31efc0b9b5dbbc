package dev.memaudit.cli;

import dev.memaudit.cli.command.AuditCommand;
import dev.memaudit.cli.command.BenchCommand;
import dev.memaudit.cli.command.CanaryCommand;
import dev.memaudit.cli.command.ClassArchiveTrainingCommand;
import dev.memaudit.cli.command.ExtractCommand;
import dev.memaudit.cli.command.GuardCommand;
import dev.memaudit.cli.command.IndexCommand;
import dev.memaudit.cli.command.KeygenCommand;
import dev.memaudit.cli.command.MeterCommand;
import dev.memaudit.cli.command.PplCommand;
import dev.memaudit.cli.command.PrevalenceCommand;
import dev.memaudit.cli.command.ReportCommand;
import dev.memaudit.cli.command.SampleCommand;
import dev.memaudit.cli.command.ScanCommand;
import dev.memaudit.cli.command.ScoreCommand;
import dev.memaudit.cli.command.ServeCommand;
import dev.memaudit.cli.command.VerifyCommand;
import dev.memaudit.cli.support.VersionProvider;
import java.util.List;
import picocli.CommandLine.Command;

/** The root command: only groups the subcommands. */
@Command(
        name = "memaudit",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Audits a language model for memorization of a rightsholder's works.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:internal error",
            "2:usage error",
            "3:bad input (corpus, config, outputs)",
            "4:model backend unavailable or protocol error",
            "5:integrity failure (hash, format or signature mismatch)"
        })
public final class MemauditCommand {
    /** The subcommands, in the order the usage help lists them ({@link Main} adds them). */
    static final List<Class<?>> SUBCOMMANDS =
            List.of(
                    IndexCommand.class,
                    ScanCommand.class,
                    PrevalenceCommand.class,
                    CanaryCommand.class,
                    ScoreCommand.class,
                    SampleCommand.class,
                    ExtractCommand.class,
                    PplCommand.class,
                    MeterCommand.class,
                    ServeCommand.class,
                    GuardCommand.class,
                    ReportCommand.class,
                    VerifyCommand.class,
                    KeygenCommand.class,
                    BenchCommand.class,
                    AuditCommand.class,
                    ClassArchiveTrainingCommand.class);

    /** The subcommand named {@code name} (its {@link Command#name}), or null. */
    static Class<?> subcommand(String name) {
        for (Class<?> c : SUBCOMMANDS) {
            if (c.getAnnotation(Command.class).name().equals(name)) {
                return c;
            }
        }
        return null;
    }
}
