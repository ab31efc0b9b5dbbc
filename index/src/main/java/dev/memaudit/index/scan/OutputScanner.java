package dev.memaudit.index.scan;

import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import java.util.List;

/**
 * Scans one output at a time: normalize, find shared runs, turn them into spans with offsets. One
 * per thread; the {@link WorkTexts} may be shared.
 */
public final class OutputScanner {
    /** The spans found in one output and its summary line. */
    public record Result(List<Span> spans, OutputSummary summary, List<SpanFinder.Run> runs) {}

    private final SpanFinder finder;
    private final SpanBuilder builder;

    private OutputScanner(NgramIndex index, ScanService.Options options) {
        this(
                new SpanFinder(
                        index.store(),
                        index.ngram(),
                        options.minWords(),
                        SpanFinder.Seeding.RARITY,
                        index.newLookup(),
                        index.grams().bloom(),
                        index.grams().hot()),
                new SpanBuilder(index, index.texts(), options));
    }

    private OutputScanner(SpanFinder finder, SpanBuilder builder) {
        this.finder = finder;
        this.builder = builder;
    }

    /** A scanner over {@code index} with the given finder (e.g. a benchmark's baseline). */
    public static OutputScanner withFinder(
            NgramIndex index, SpanFinder finder, ScanService.Options options) {
        return new OutputScanner(
                finder, new SpanBuilder(index, new WorkTexts(index.store()), options));
    }

    /** A scanner over {@code index} with the production finder (rarity seeding). */
    public static OutputScanner of(NgramIndex index, ScanService.Options options) {
        return new OutputScanner(index, options);
    }

    public Result scan(ScanService.Output o) {
        if (o.text() == null || o.text().isEmpty()) {
            return new Result(List.of(), OutputSummary.empty(o), List.of());
        }
        NormalizedWords words = WordNormalizer.normalize(o.text());
        List<SpanFinder.Run> runs = finder.find(words);
        List<Span> spans = builder.build(o, words, runs);
        return new Result(spans, OutputSummary.of(o, words, spans), runs);
    }

    /** The finder's counters: seed lookups. */
    public long seedLookups() {
        return finder.seedLookups();
    }

    /** The finder's counters: occurrences extended. */
    public long extensions() {
        return finder.extensions();
    }
}
