package dev.memaudit.reports.bundle;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Verifier} found.
 *
 * @param manifests the manifest files checked
 * @param files files re-hashed
 * @param problems every mismatch, sorted by file; empty when everything matches
 * @param notes things checked or not checked that are not failures (e.g. "bundle not signed")
 */
public record VerifyResult(
        List<Path> manifests, long files, List<Problem> problems, List<String> notes) {
    public boolean ok() {
        return problems.isEmpty();
    }

    /** What is wrong with one file. */
    public enum Kind {
        /** Listed in a manifest, absent on disk. */
        MISSING,
        /** Present with other bytes than the manifest's SHA-256 or size. */
        CHANGED,
        /** Present in a manifest's folder but not listed. */
        UNLISTED,
        /** The bundle's signature is absent, invalid, or by another key than the one pinned. */
        SIGNATURE,
        /** A manifest that cannot be read or breaks its format. */
        MALFORMED,
        /** A {@link StageCheck} failed. */
        CHECK
    }

    /** One problem: the file, what kind, and a sentence for the user. */
    public record Problem(Path file, Kind kind, String detail) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + file + ": " + detail;
        }
    }
}
