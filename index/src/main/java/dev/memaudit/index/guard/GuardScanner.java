package dev.memaudit.index.guard;

import dev.memaudit.core.records.scan.Span;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.scan.OutputScanner;
import dev.memaudit.index.scan.ScanService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scans one generated text against the index (exact spans and near-verbatim passages, as {@code
 * memaudit scan} does) and names the works. Thread-safe: each thread scans with its own {@link
 * OutputScanner}.
 */
public final class GuardScanner {
    private final NgramIndex index;
    private final Map<String, IndexManifest.WorkInfo> works = new HashMap<>();
    private final ThreadLocal<OutputScanner> scanners;
    private final int minWords;

    /**
     * @param minWords shortest passage reported, in normalized words (at least the index's ngram)
     * @param minSimilarity lowest word similarity of a near-verbatim passage, in [0.5, 1]
     */
    public GuardScanner(NgramIndex index, int minWords, double minSimilarity) {
        this.index = index;
        this.minWords = minWords;
        if (minWords < index.ngram()) {
            throw dev.memaudit.core.error.MemauditException.usage(
                    "--min-words must be at least the index's ngram ("
                            + index.ngram()
                            + "), got "
                            + minWords);
        }
        ScanService.Options options =
                new ScanService.Options(minWords, 1, null).near(minSimilarity);
        for (IndexManifest.WorkInfo w : index.manifest().works()) {
            works.put(w.id(), w);
        }
        this.scanners = ThreadLocal.withInitial(() -> OutputScanner.of(index, options));
    }

    /** The shortest passage reported, in normalized words. */
    public int minWords() {
        return minWords;
    }

    /** The index scanned. */
    public NgramIndex index() {
        return index;
    }

    /** The passages of {@code text} found in works, by output offset. */
    public List<GuardMatch> scan(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        OutputScanner.Result r =
                scanners.get().scan(new ScanService.Output(1, "guard", text, null));
        List<GuardMatch> out = new ArrayList<>(r.spans().size());
        for (Span s : r.spans()) {
            IndexManifest.WorkInfo w = works.get(s.workId());
            out.add(
                    new GuardMatch(
                            s.workId(),
                            w == null ? null : w.title(),
                            w == null ? List.of() : w.authors(),
                            w == null ? null : w.rightsholder(),
                            w == null ? null : w.license(),
                            w == null ? null : w.reservation(),
                            s.match(),
                            s.words(),
                            s.similarity(),
                            s.outputCharStart(),
                            s.outputCharEnd(),
                            s.workCharStart(),
                            s.workCharEnd()));
        }
        return out;
    }
}
