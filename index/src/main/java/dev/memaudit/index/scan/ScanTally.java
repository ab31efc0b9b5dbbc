package dev.memaudit.index.scan;

import dev.memaudit.core.records.scan.OutputSummary;
import dev.memaudit.core.records.scan.ScanSummary;
import java.util.ArrayList;
import java.util.List;

/** Counts what a scan read and found, for {@code scan.json} ({@link ScanSummary}). */
final class ScanTally {
    private long scanned;
    private long empty;
    private long withSpans;
    private long spans;
    private long near;
    private final boolean nearMeasured;

    /**
     * @param near whether the scan looks for near passages (their count is null otherwise)
     */
    ScanTally(boolean near) {
        this.nearMeasured = near;
    }

    private long words;
    private final List<ScanSummary.Problem> problems = new ArrayList<>();

    void problem(String file, Long line, String reason) {
        problems.add(new ScanSummary.Problem(file, line, reason));
    }

    List<ScanSummary.Problem> problems() {
        return problems;
    }

    void output(OutputSummary s) {
        if (OutputSummary.EMPTY.equals(s.status())) {
            empty++;
            return;
        }
        scanned++;
        words += s.words();
        spans += s.spans();
        if (s.nearPassages() != null) {
            near += s.nearPassages();
        }
        if (s.spans() > 0) {
            withSpans++;
        }
    }

    ScanSummary build(int works, double seconds) {
        return new ScanSummary(
                ScanSummary.SCHEMA_VERSION,
                scanned,
                empty,
                withSpans,
                spans,
                nearMeasured ? Long.valueOf(near) : null,
                words,
                works,
                problems.size(),
                List.copyOf(problems),
                seconds);
    }
}
