package dev.memaudit.reports.bundle;

import dev.memaudit.reports.run.StageFolder;
import java.util.List;

/**
 * An extra check {@link Verifier} runs on every stage folder whose files all hashed correctly, e.g.
 * re-running a seeded sample of an extract stage's deterministic attempts against the model (which
 * lives outside this module: the CLI supplies the check). Hash checks come first, so a check reads
 * files known to be the ones the manifest lists.
 */
public interface StageCheck {
    /** Short name shown in verify's output, e.g. {@code "attempt re-run"}. */
    String name();

    /** Whether this check applies to the stage (e.g. only to {@code extract}). */
    boolean appliesTo(StageFolder stage);

    /**
     * Runs the check; returns the problems found (empty when the stage passes). Each problem names
     * the file and record it is about, e.g. {@code attempts.jsonl:17}.
     */
    List<VerifyResult.Problem> check(StageFolder stage);
}
