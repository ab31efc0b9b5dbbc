package dev.memaudit.index.scan;

import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.store.WorksStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns word-level runs into {@link Span}s with code-point offsets on both sides. Runs are found by
 * comparing 64-bit word hashes; here every span that is not byte-for-byte identical is re-checked
 * word by word on the normalized strings, so a hash collision can never produce a span (a run is
 * split at any word whose normalized forms differ).
 */
final class SpanBuilder {
    private final WorksStore store;
    private final WorkTexts texts;
    private final ScanService.Options options;
    private final int minWords;

    SpanBuilder(NgramIndex index, WorkTexts texts, ScanService.Options options) {
        this.store = index.store();
        this.texts = texts;
        this.options = options;
        this.minWords = options.minWords();
    }

    List<Span> build(ScanService.Output o, NormalizedWords words, List<SpanFinder.Run> runs) {
        List<Span> spans = new ArrayList<>(runs.size());
        if (runs.isEmpty()) {
            return spans;
        }
        String text = o.text();
        int[] cpToChar = codePointToChar(text);
        for (SpanFinder.Run run : runs) {
            add(
                    o,
                    text,
                    cpToChar,
                    words,
                    run.ordinal(),
                    run.outStart(),
                    run.outEnd(),
                    run.globalStart(),
                    spans);
        }
        return spans;
    }

    private void add(
            ScanService.Output o,
            String text,
            int[] cpToChar,
            NormalizedWords words,
            int ordinal,
            int outStart,
            int outEnd,
            int globalStart,
            List<Span> spans) {
        int len = outEnd - outStart;
        int[] ws = store.starts();
        int[] we = store.ends();
        int os = words.starts()[outStart];
        int oe = words.ends()[outEnd - 1];
        int workStart = ws[globalStart];
        int workEnd = we[globalStart + len - 1];
        String outText = text.substring(cpToChar[os], cpToChar[oe]);
        String workText = texts.region(ordinal, workStart, workEnd);
        boolean exact = outText.equals(workText);
        if (!exact) {
            for (int i = 0; i < len; i++) {
                String a =
                        WordNormalizer.key(
                                text, words.starts()[outStart + i], words.ends()[outStart + i]);
                String b =
                        WordNormalizer.key(
                                workText,
                                ws[globalStart + i] - workStart,
                                we[globalStart + i] - workStart);
                if (!a.equals(b)) {
                    // A 64-bit collision: keep the verified parts on either side.
                    if (i >= minWords) {
                        add(
                                o,
                                text,
                                cpToChar,
                                words,
                                ordinal,
                                outStart,
                                outStart + i,
                                globalStart,
                                spans);
                    }
                    if (len - i - 1 >= minWords) {
                        add(
                                o,
                                text,
                                cpToChar,
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
                new Span(
                        o.id(), store.id(ordinal), os, oe, workStart, workEnd, len, tokens, exact));
    }

    /** UTF-16 index of every code point offset 0..count (inclusive). */
    private static int[] codePointToChar(String s) {
        int n = s.codePointCount(0, s.length());
        int[] map = new int[n + 1];
        int c = 0;
        for (int i = 0; i < s.length(); ) {
            map[c++] = i;
            i += Character.charCount(s.codePointAt(i));
        }
        map[n] = s.length();
        return map;
    }
}
