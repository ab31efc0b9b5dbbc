package dev.memaudit.cli.command;

import dev.memaudit.audit.replay.AttemptReplay;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.run.Timings;
import dev.memaudit.reports.bundle.Ed25519Keys;
import dev.memaudit.reports.bundle.StageCheck;
import dev.memaudit.reports.bundle.Verifier;
import dev.memaudit.reports.bundle.VerifyResult;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code memaudit verify}. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Re-hash every file listed in every manifest.json of a report bundle or run folder,"
                    + " check the bundle's signature, and report files missing, changed or not"
                    + " listed.",
            "Exit 5 on any mismatch."
        })
public final class VerifyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "<run-dir|bundle>",
            description = "A report folder, a stage folder, or a folder of stage folders.")
    Path target;

    @Option(
            names = "--public-key",
            paramLabel = "<key.pem|key.der>",
            description =
                    "The Ed25519 public key the bundle must be signed with (otherwise the key in"
                            + " the bundle is used, which proves integrity but not who signed).")
    Path publicKey;

    @Option(
            names = "--replay",
            defaultValue = "0",
            paramLabel = "<n>",
            description =
                    "Also re-run n attempts of each extract stage, chosen at random with"
                            + " --replay-seed, with the model, and check that they generate the"
                            + " recorded tokens (default ${DEFAULT-VALUE}: hashes only).")
    int replay;

    @Option(
            names = "--replay-seed",
            defaultValue = "0",
            description = "Seed of the choice of attempts to re-run (default ${DEFAULT-VALUE}).")
    long replaySeed;

    @Option(
            names = "--model",
            paramLabel = "<dir>",
            description = "Model folder for --replay (default: the one the stage recorded).")
    Path model;

    @Option(
            names = "--index",
            paramLabel = "<dir>",
            description = "Index folder for --replay (default: the one the stage recorded).")
    Path index;

    private final List<String> checkNotes = new ArrayList<>();

    /**
     * Checks beyond hashes and signature, run on every stage folder whose files all match: with
     * {@code --replay}, re-running a seeded sample of each extract stage's attempts.
     */
    List<StageCheck> stageChecks() {
        return replay > 0
                ? List.of(new AttemptReplay(replay, replaySeed, model, index, checkNotes))
                : List.of();
    }

    @Option(
            names = "--timings",
            description =
                    "Print the wall-clock seconds of JVM start and the verification to stderr at"
                            + " the end.")
    boolean timings;

    @Override
    public Integer call() {
        Timings clock = timings ? Timings.sinceJvmStart() : null;
        PublicKey pinned = publicKey == null ? null : Ed25519Keys.readPublic(publicKey);
        VerifyResult r = new Verifier(stageChecks()).verify(target, pinned);
        if (clock != null) {
            clock.mark("verify (hashes, manifests, signature)");
        }
        var stdout = spec.commandLine().getOut();
        for (VerifyResult.Problem p : r.problems()) {
            stdout.println(p);
        }
        for (String n : r.notes()) {
            stdout.println("note: " + n);
        }
        for (String n : checkNotes) {
            stdout.println("replay: " + n);
        }
        stdout.printf(
                "%s: %d manifest(s), %d file(s) re-hashed, %d problem(s)%n",
                r.ok() ? "ok" : "FAILED", r.manifests().size(), r.files(), r.problems().size());
        stdout.flush();
        if (clock != null) {
            clock.printTo(spec.commandLine().getErr());
        }
        if (!r.ok()) {
            String files =
                    r.problems().stream()
                            .limit(5)
                            .map(
                                    p ->
                                            p.kind().name().toLowerCase(java.util.Locale.ROOT)
                                                    + " "
                                                    + p.file())
                            .collect(Collectors.joining("; "));
            throw MemauditException.integrity(
                    "verification failed: "
                            + files
                            + (r.problems().size() > 5
                                    ? "; and " + (r.problems().size() - 5) + " more"
                                    : ""));
        }
        return 0;
    }
}
