package dev.memaudit.extractor.window;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.Encoded;
import dev.memaudit.model.ModelTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a work into extraction windows.
 *
 * <p>Rule: window {@code w} starts at token {@code w × stride}; its prefix holds {@code
 * prefixTokens} tokens and its suffix the next {@code suffixTokens}. Windows are made while they
 * fit; when the last one ends before the work does, one more window is aligned to the work's end,
 * so every token after the first prefix lies in some suffix when {@code stride ≤ suffixTokens}. A
 * work shorter than one window ({@code n < prefixTokens + suffixTokens}, n ≥ 2 tokens) gets one
 * window: prefix {@code min(prefixTokens, ⌈n/2⌉)} tokens, suffix the rest; a work of 0 or 1 tokens
 * gets none.
 *
 * @param prefixTokens tokens given to the model, ≥ 1
 * @param suffixTokens true continuation tokens scored or compared, ≥ 1
 * @param stride tokens between window starts, ≥ 1
 */
public record WindowPlanner(int prefixTokens, int suffixTokens, int stride) {

    public WindowPlanner {
        List<String> p = new ArrayList<>();
        if (prefixTokens < 1 || prefixTokens > 100_000) {
            p.add("prefix tokens must be between 1 and 100000, got " + prefixTokens);
        }
        if (suffixTokens < 1 || suffixTokens > 100_000) {
            p.add("suffix tokens must be between 1 and 100000, got " + suffixTokens);
        }
        if (stride < 1 || stride > 1_000_000) {
            p.add("stride must be between 1 and 1000000, got " + stride);
        }
        if (!p.isEmpty()) {
            throw MemauditException.usage(String.join("; ", p));
        }
    }

    /** Tokenizes {@code text} and gives every token a code-point span. */
    public static TokenizedWork tokenize(ModelTokenizer tokenizer, String workId, String text) {
        Encoded enc = tokenizer.encode(text);
        int n = enc.length();
        int[] starts = enc.starts().clone();
        int[] ends = enc.ends().clone();
        int last = 0;
        for (int i = 0; i < n; i++) {
            if (starts[i] < 0 || ends[i] < starts[i]) {
                // a token the tokenizer gave no span (none in byte-level BPE): empty span here
                starts[i] = last;
                ends[i] = last;
            }
            last = Math.max(last, ends[i]);
        }
        return new TokenizedWork(workId, text, enc.ids(), starts, ends);
    }

    /** The windows of a tokenized work, in order. */
    public List<Window> windows(TokenizedWork work) {
        int n = work.length();
        List<Window> out = new ArrayList<>();
        if (n < 2) {
            return out;
        }
        int span = prefixTokens + suffixTokens;
        if (n < span) {
            int p = Math.min(prefixTokens, (n + 1) / 2);
            out.add(window(work, 0, 0, p, n));
            return out;
        }
        int s = 0;
        for (; s + span <= n; s += stride) {
            out.add(window(work, out.size(), s, s + prefixTokens, s + span));
        }
        int lastEnd = out.get(out.size() - 1).suffixEnd();
        if (lastEnd < n) {
            out.add(window(work, out.size(), n - span, n - suffixTokens, n));
        }
        return out;
    }

    private static Window window(TokenizedWork w, int index, int start, int mid, int end) {
        return new Window(
                index,
                start,
                mid,
                end,
                w.charStart(start),
                w.charEnd(start, mid),
                w.charStart(mid),
                w.charEnd(mid, end));
    }
}
