package dev.memaudit.index.scan;

import dev.memaudit.core.records.scan.OutputSummary;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Scans one output at a time: normalize, find shared runs, turn them into spans with offsets. One
 * per thread; the {@link WorkTexts} may be shared.
 */
public final class OutputScanner {
    /**
     * The spans found in one output and its summary line; {@code words} (null for an empty output),
     * {@code runs} and {@code passages} are what they were built from.
     */
    public record Result(
            List<Span> spans,
            OutputSummary summary,
            List<SpanFinder.Run> runs,
            NormalizedWords words,
            List<NearFinder.Passage> passages) {}

    private final SpanFinder finder;
    private final SpanBuilder builder;
    private final NearFinder near; // null for exact spans only

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
                index,
                index.texts(),
                options);
    }

    private OutputScanner(
            SpanFinder finder, NgramIndex index, WorkTexts texts, ScanService.Options options) {
        this.finder = finder;
        this.builder = new SpanBuilder(index, texts, options);
        this.near =
                options.exactOnly()
                        ? null
                        : new NearFinder(
                                index.store(),
                                texts,
                                options.minWords(),
                                options.minSimilarity(),
                                finder);
    }

    /** A scanner over {@code index} with the given finder (e.g. a benchmark's baseline). */
    public static OutputScanner withFinder(
            NgramIndex index, SpanFinder finder, ScanService.Options options) {
        return new OutputScanner(finder, index, new WorkTexts(index.store()), options);
    }

    /** A scanner over {@code index} with the production finder (rarity seeding). */
    public static OutputScanner of(NgramIndex index, ScanService.Options options) {
        return new OutputScanner(index, options);
    }

    public Result scan(ScanService.Output o) {
        if (o.text() == null || o.text().isEmpty()) {
            return new Result(List.of(), emptySummary(o, near), List.of(), null, List.of());
        }
        NormalizedWords words = WordNormalizer.normalize(o.text());
        List<SpanFinder.Run> runs = finder.find(words);
        List<Span> spans = builder.build(o, words, runs);
        List<NearFinder.Passage> passages = List.of();
        if (near != null) {
            passages = near.find(o.text(), words, runs);
            if (!passages.isEmpty()) {
                spans = new ArrayList<>(spans);
                spans.addAll(builder.buildNear(o, words, passages));
                spans.sort(
                        Comparator.comparingInt(Span::outputCharStart)
                                .thenComparing(Span::workId)
                                .thenComparingInt(Span::workCharStart)
                                .thenComparing(Span::match));
            }
        }
        return new Result(spans, summary(o, words, spans, near != null), runs, words, passages);
    }

    private static OutputSummary emptySummary(ScanService.Output o, NearFinder near) {
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
                near == null ? null : 0,
                near == null ? null : 0L,
                near == null ? null : 0.0,
                o.fields());
    }

    private static OutputSummary summary(
            ScanService.Output o, NormalizedWords words, List<Span> spans, boolean near) {
        int chars = o.text().codePointCount(0, o.text().length());
        int longest = 0;
        String longestWork = null;
        int exactSpans = 0;
        int nearPassages = 0;
        List<int[]> exactRanges = new ArrayList<>();
        List<int[]> allRanges = new ArrayList<>();
        for (Span s : spans) {
            allRanges.add(new int[] {s.outputCharStart(), s.outputCharEnd()});
            if (s.near()) {
                nearPassages++;
                continue;
            }
            exactSpans++;
            if (s.words() > longest) {
                longest = s.words();
                longestWork = s.workId();
            }
            exactRanges.add(new int[] {s.outputCharStart(), s.outputCharEnd()});
        }
        long coveredChars = Intervals.unionLength(exactRanges);
        long coveredWords = coveredWords(words, exactRanges);
        long nearCovered = nearPassages == 0 ? coveredWords : coveredWords(words, allRanges);
        return new OutputSummary(
                OutputSummary.SCHEMA_VERSION,
                o.id(),
                o.line(),
                OutputSummary.SCANNED,
                words.size(),
                chars,
                exactSpans,
                longest,
                longestWork,
                coveredWords,
                share(coveredWords, words.size()),
                coveredChars,
                share(coveredChars, chars),
                near ? nearPassages : null,
                near ? nearCovered : null,
                near ? share(nearCovered, words.size()) : null,
                o.fields());
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }

    /** Words whose start lies inside one of the code-point ranges. */
    private static long coveredWords(NormalizedWords words, List<int[]> charRanges) {
        long covered = 0;
        if (charRanges.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < words.size(); i++) {
            int st = words.starts()[i];
            for (int[] r : charRanges) {
                if (r[0] <= st && st < r[1]) {
                    covered++;
                    break;
                }
            }
        }
        return covered;
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
