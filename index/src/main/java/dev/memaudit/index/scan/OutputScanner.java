package dev.memaudit.index.scan;

import dev.memaudit.core.records.scan.OutputSummary;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import java.util.ArrayList;
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
            return new Result(List.of(), emptySummary(o), List.of());
        }
        NormalizedWords words = WordNormalizer.normalize(o.text());
        List<SpanFinder.Run> runs = finder.find(words);
        List<Span> spans = builder.build(o, words, runs);
        return new Result(spans, summary(o, words, spans), runs);
    }

    private static OutputSummary emptySummary(ScanService.Output o) {
        return new OutputSummary(
                OutputSummary.SCHEMA_VERSION,
                o.id(),
                o.line(),
                OutputSummary.EMPTY,
                0,
                0,
                0,
                0,
                null,
                0,
                0.0,
                0,
                0.0,
                o.fields());
    }

    private static OutputSummary summary(
            ScanService.Output o, NormalizedWords words, List<Span> spans) {
        int chars = o.text().codePointCount(0, o.text().length());
        int longest = 0;
        String longestWork = null;
        List<int[]> charRanges = new ArrayList<>();
        for (Span s : spans) {
            if (s.words() > longest) {
                longest = s.words();
                longestWork = s.workId();
            }
            charRanges.add(new int[] {s.outputCharStart(), s.outputCharEnd()});
        }
        long coveredChars = Intervals.unionLength(charRanges);
        long coveredWords = 0;
        // Words are in text order, so a word is covered iff its range lies inside a covered range.
        if (!spans.isEmpty()) {
            for (int i = 0; i < words.size(); i++) {
                int st = words.starts()[i];
                for (int[] r : charRanges) {
                    if (r[0] <= st && st < r[1]) {
                        coveredWords++;
                        break;
                    }
                }
            }
        }
        return new OutputSummary(
                OutputSummary.SCHEMA_VERSION,
                o.id(),
                o.line(),
                OutputSummary.SCANNED,
                words.size(),
                chars,
                spans.size(),
                longest,
                longestWork,
                coveredWords,
                words.size() == 0 ? 0.0 : (double) coveredWords / words.size(),
                coveredChars,
                chars == 0 ? 0.0 : (double) coveredChars / chars,
                o.fields());
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
