package dev.memaudit.cli.command;

import dev.memaudit.audit.report.IndexTexts;
import dev.memaudit.cli.support.Messages;
import dev.memaudit.core.run.Timings;
import dev.memaudit.reports.ReportService;
import dev.memaudit.reports.run.RunLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit report}. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Write the report and evidence bundle of a run folder (any mix of scan, extract and"
                    + " ppl stages).",
            "Writes report.html (self-contained), report.json, works.csv, spans.csv, summary.md"
                    + " and manifest.json (+ manifest.sig, manifest.pub with --sign-key)."
        })
public final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--run",
            required = true,
            paramLabel = "<run-dir>",
            description = "A stage folder, or a folder of stage folders (an audit folder).")
    Path run;

    @Option(
            names = "--out",
            paramLabel = "<dir>",
            description =
                    "Report folder (default: <run-dir>/report for a folder of stages,"
                            + " <run-dir>-report beside a single stage folder).")
    Path out;

    @Option(
            names = "--index",
            paramLabel = "<dir>",
            description =
                    "Index to take work texts from, when the one the run recorded has moved (it"
                            + " must be the same index: same uid and work hashes).")
    Path index;

    @Option(
            names = "--sign-key",
            paramLabel = "<key.pem|key.der>",
            description =
                    "Ed25519 private key (PKCS#8, e.g. from `memaudit keygen` or `openssl genpkey"
                            + " -algorithm ed25519`) to sign manifest.json.")
    Path signKey;

    @Option(
            names = "--calibration",
            paramLabel = "<calibration.json>",
            description =
                    "calibration.json of `memaudit canary calibrate`: the method section"
                            + " summarizes its error rates measured on canaries (per dose with"
                            + " --background; a member-only one is labelled a pipeline check) and"
                            + " the manifest records its SHA-256.")
    Path calibration;

    @Option(
            names = "--influence",
            paramLabel = "<meter dir|influence.jsonl>",
            description =
                    "Influence of works on behaviours to show (repeatable): the folder of"
                            + " `memaudit meter exact` or `meter approx`, or its influence.jsonl."
                            + " Each work metered gets an Influence part; the manifest records"
                            + " each file's SHA-256.")
    java.util.List<Path> influence = new java.util.ArrayList<>();

    @Option(
            names = "--influence-validation",
            paramLabel = "<validation.json>",
            description =
                    "validation.json of `memaudit meter validate`: the report states each"
                            + " approximate method's measured agreement with exact"
                            + " counterfactuals next to its numbers; without it approximate"
                            + " influence is shown as unvalidated.")
    Path influenceValidation;

    @Option(
            names = "--attempts-shown",
            defaultValue = "5",
            description = "Best extraction attempts shown per work (default ${DEFAULT-VALUE}).")
    int attemptsShown;

    @Option(
            names = "--timings",
            description =
                    "Print the wall-clock seconds of JVM start, reading the run folders and index,"
                            + " and writing the report to stderr at the end.")
    boolean timings;

    @Override
    public Integer call() {
        Timings clock = timings ? Timings.sinceJvmStart() : null;
        if (attemptsShown < 0 || attemptsShown > 1000) {
            throw dev.memaudit.core.error.MemauditException.usage(
                    "--attempts-shown must be between 0 and 1000, got " + attemptsShown);
        }
        Path target = out != null ? out : ReportService.defaultOut(run);
        ReportService service = new ReportService(Clock.systemUTC(), Messages.to(spec));
        ReportService.Result r;
        try (IndexTexts texts = IndexTexts.open(RunLoader.stages(run), index)) {
            if (clock != null) {
                clock.mark("run folders, index open");
            }
            r =
                    service.write(
                            run,
                            target,
                            texts,
                            new ReportService.Options(
                                    signKey,
                                    attemptsShown,
                                    calibration,
                                    influence,
                                    influenceValidation),
                            spec.commandLine().getParseResult().originalArgs());
            if (clock != null) {
                clock.mark("report written");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the index", e);
        }
        var stdout = spec.commandLine().getOut();
        stdout.printf(
                "report of %d works (%s) in %s%s%n",
                r.view().works().size(),
                String.join(", ", r.view().stages().stream().map(s -> s.command()).toList()),
                r.out(),
                r.signed() ? ", signed" : "");
        for (String f : r.files()) {
            stdout.println("  " + f);
        }
        stdout.flush();
        if (clock != null) {
            clock.printTo(spec.commandLine().getErr());
        }
        return 0;
    }
}
