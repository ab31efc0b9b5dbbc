package dev.memaudit.index.guard;

import dev.memaudit.core.records.run.Reservation;
import java.util.List;

/**
 * One passage of a generated text found in an indexed work, with the work's metadata from the index
 * manifest. Offsets are Unicode code points, half-open: {@code outputCharStart..End} into the
 * choice's text, {@code workCharStart..End} into the work's original text.
 *
 * @param match {@code exact} or {@code near}
 * @param words normalized words of the output side
 * @param similarity word similarity, 1 for an exact span
 * @param reservation the work's text-and-data-mining reservation, null when it has none
 */
public record GuardMatch(
        String workId,
        String title,
        List<String> authors,
        String rightsholder,
        String license,
        Reservation reservation,
        String match,
        int words,
        double similarity,
        int outputCharStart,
        int outputCharEnd,
        int workCharStart,
        int workCharEnd) {}
