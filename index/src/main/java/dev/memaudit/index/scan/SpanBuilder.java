package dev.memaudit.index.scan;

import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.text.CodePointIndex;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.store.WorksStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns word-level runs into {@link Span}s with code-point offsets on both sides. Runs are found by
 * comparing 64-bit word hashes; here every span that is not character-for-character identical is
 * re-checked word by word on the normalized strings, so a hash collision can never produce a span
 * (a run is split at any word whose normalized forms differ).
 */
final class SpanBuilder {
    private final WorksStore store;
    private final WorkTexts texts;
    private final ScanService.Options options;

    SpanBuilder(NgramIndex index, WorkTexts texts, ScanService.Options options) {
        this.store = index.store();
        this.texts = texts;
        this.options = options;
    }

    List<Span> build(ScanService.Output o, NormalizedWords words, List<SpanFinder.Run> runs) {
        List<Span> spans = new ArrayList<>(runs.size());
        if (!runs.isEmpty()) {
            CodePointIndex text = CodePointIndex.of(o.text());
            for (SpanFinder.Run run : runs) {
                add(
                        o.id(),
                        text,
                        words,
                        run.ordinal(),
                        run.outStart(),
                        run.outEnd(),
                        run.globalStart(),
                        spans);
            }
        }
        return spans;
    }

    /** Near-verbatim spans of the passages found in output {@code o}. */
    List<Span> buildNear(
            ScanService.Output o, NormalizedWords words, List<NearFinder.Passage> passages) {
        List<Span> spans = new ArrayList<>(passages.size());
        if (passages.isEmpty()) {
            return spans;
        }
        CodePointIndex text = CodePointIndex.of(o.text());
        for (NearFinder.Passage p : passages) {
            int os = words.starts()[p.outStart()];
            int oe = words.ends()[p.outEnd() - 1];
            int workStart = store.start(p.globalStart());
            int workEnd = store.end(p.globalEnd() - 1);
            String outText = text.substring(os, oe);
            String workText = texts.region(p.ordinal(), workStart, workEnd);
            Integer tokens =
                    options.tokenCounter() == null
                            ? null
                            : options.tokenCounter().applyAsInt(outText);
            spans.add(
                    Span.near(
                            o.id(),
                            store.id(p.ordinal()),
                            os,
                            oe,
                            workStart,
                            workEnd,
                            tokens,
                            outText.equals(workText),
                            p.similarity(),
                            p.edits(),
                            p.wordsOutput(),
                            p.wordsWork(),
                            NearFinder.alignment(p.ops())));
        }
        return spans;
    }

    /** Output words [outStart, outEnd) against corpus words from globalStart of work ordinal. */
    private void add(
            String outputId,
            CodePointIndex text,
            NormalizedWords words,
            int ordinal,
            int outStart,
            int outEnd,
            int globalStart,
            List<Span> spans) {
        int len = outEnd - outStart;
        int os = words.starts()[outStart];
        int oe = words.ends()[outEnd - 1];
        int workStart = store.start(globalStart);
        int workEnd = store.end(globalStart + len - 1);
        String outText = text.substring(os, oe);
        CodePointIndex work = CodePointIndex.of(texts.region(ordinal, workStart, workEnd));
        boolean exact = outText.equals(work.text());
        if (!exact) {
            for (int i = 0; i < len; i++) {
                int oa = text.toUtf16(words.starts()[outStart + i]);
                int ob = text.toUtf16(words.ends()[outStart + i]);
                int wa = work.toUtf16(store.start(globalStart + i) - workStart);
                int wb = work.toUtf16(store.end(globalStart + i) - workStart);
                if (ob - oa == wb - wa
                        && (text.text().regionMatches(oa, work.text(), wa, ob - oa)
                                || asciiAlnumIgnoringCase(
                                        text.text(), oa, work.text(), wa, ob - oa))) {
                    continue; // the same characters (up to ASCII case): the same normalized form
                }
                String a =
                        WordNormalizer.key(
                                text, words.starts()[outStart + i], words.ends()[outStart + i]);
                String b =
                        WordNormalizer.key(
                                work,
                                store.start(globalStart + i) - workStart,
                                store.end(globalStart + i) - workStart);
                if (!a.equals(b)) {
                    // A 64-bit hash collision: keep the verified parts on either side.
                    if (i >= options.minWords()) {
                        add(
                                outputId,
                                text,
                                words,
                                ordinal,
                                outStart,
                                outStart + i,
                                globalStart,
                                spans);
                    }
                    if (len - i - 1 >= options.minWords()) {
                        add(
                                outputId,
                                text,
                                words,
                                ordinal,
                                outStart + i + 1,
                                outEnd,
                                globalStart + i + 1,
                                spans);
                    }
                    return;
                }
            }
        }
        Integer tokens =
                options.tokenCounter() == null ? null : options.tokenCounter().applyAsInt(outText);
        spans.add(
                Span.of(
                        outputId,
                        store.id(ordinal),
                        os,
                        oe,
                        workStart,
                        workEnd,
                        len,
                        tokens,
                        exact));
    }

    /**
     * Whether both regions hold only ASCII letters and digits and are equal up to ASCII case: such
     * a word's normalized form is its lower-case letters, so the two forms are equal without
     * running the normalizer (upper-cased copies made every word go through it).
     */
    static boolean asciiAlnumIgnoringCase(String a, int ai, String b, int bi, int len) {
        for (int i = 0; i < len; i++) {
            char x = a.charAt(ai + i);
            char y = b.charAt(bi + i);
            if (!asciiAlnum(x) || !asciiAlnum(y)) {
                return false;
            }
            if (x != y && (x | 0x20) != (y | 0x20)) {
                return false;
            }
        }
        return true;
    }

    private static boolean asciiAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
