package dev.memaudit.reports.run;

import dev.memaudit.core.records.run.Reservation;
import java.util.Optional;

/**
 * The original texts that passages are shown against. Reports never open an index or an outputs
 * file format themselves: the caller (the CLI) resolves them, e.g. from the index's works store and
 * from the outputs file a scan read, after checking they are the ones the run used.
 */
public interface SourceTexts {
    /** A work's original text as the index stores it (code-point offsets point into it). */
    Optional<String> work(String workId);

    /** A scanned model output's text (scan's output offsets point into it). */
    Optional<String> output(String outputId);

    /**
     * The work's text-and-data-mining reservation as the corpus declares it; empty when it declares
     * none or the corpus is not at hand (then {@link #notes()} says so).
     */
    default Optional<Reservation> reservation(String workId) {
        return Optional.empty();
    }

    /** Lines saying which texts could not be provided and why (shown in the report). */
    default java.util.List<String> notes() {
        return java.util.List.of();
    }

    /** No texts: passages are shown by their offsets only. */
    static SourceTexts none() {
        return new SourceTexts() {
            @Override
            public Optional<String> work(String workId) {
                return Optional.empty();
            }

            @Override
            public Optional<String> output(String outputId) {
                return Optional.empty();
            }
        };
    }
}
