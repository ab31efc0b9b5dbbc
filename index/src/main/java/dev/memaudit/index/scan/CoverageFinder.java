package dev.memaudit.index.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.store.HashReader;
import dev.memaudit.index.store.WorksStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One output's share of the works' coverage ({@link dev.memaudit.core.records.scan.ScanCoverage}):
 * the work words it covers under each convention, after prompt-overlap trimming. One per thread.
 *
 * <p>Blocks are maximal runs of equal word hashes (64-bit, as the index compares them) found
 * through the k-grams of the work ({@link KGramTables}); the output words of every m-gram that also
 * occurs in the prompt are trimmed, and each block splits at trimmed words into pieces kept when
 * they hold k (or min-words) words. A near passage covers the work words its alignment matches (=,
 * J, P) whose output words are not trimmed, when at least min-words of them are left.
 */
final class CoverageFinder {
    /** bmc@k's block length. */
    static final int K = 5;

    /** The m-gram length of prompt-overlap trimming. */
    static final int M = 5;

    static final byte EXACT_K = 0;
    static final byte EXACT_MIN = 1;
    static final byte NEAR = 2;

    /** Work words {@code [start, end)} (work-local indices) of work {@code ordinal}. */
    record Covered(int ordinal, byte kind, int start, int end) {}

    /**
     * @param compared the works the output was compared with (ordinals, ascending)
     * @param trimmed whether the output had a prompt to trim against
     */
    record Result(int[] compared, boolean trimmed, List<Covered> covered) {
        static final Result NONE = new Result(new int[0], false, List.of());
    }

    private final WorksStore store;
    private final KGramTables tables;
    private final int minWords;
    // find runs on every scanning thread: a reader per thread, not one per output (a new reader
    // clones the mapped store input and allocates its window)
    private final ThreadLocal<HashReader> readers;

    CoverageFinder(WorksStore store, KGramTables tables, int minWords) {
        this.store = store;
        this.readers = ThreadLocal.withInitial(store::hashReader);
        this.tables = tables;
        this.minWords = minWords;
    }

    Result find(
            ScanService.Output o,
            NormalizedWords words,
            List<SpanFinder.Run> runs,
            List<NearFinder.Passage> passages) {
        Set<Integer> works = new TreeSet<>();
        for (SpanFinder.Run r : runs) {
            works.add(r.ordinal());
        }
        for (NearFinder.Passage p : passages) {
            works.add(p.ordinal());
        }
        String prompt = null;
        if (o.fields() != null) {
            JsonNode w = o.fields().get("work_id");
            if (w != null && w.isTextual()) {
                int ord = store.ordinal(w.asText());
                if (ord >= 0) {
                    works.add(ord);
                }
            }
            JsonNode p = o.fields().get("prompt");
            if (p != null && p.isTextual()) {
                prompt = p.asText();
            }
        }
        if (works.isEmpty()) {
            return Result.NONE;
        }
        int[] compared = works.stream().mapToInt(Integer::intValue).toArray();
        int n = words == null ? 0 : words.size();
        boolean[] trimmed = trim(words, prompt);
        List<Covered> covered = new ArrayList<>();
        int k = tables.k();
        if (n >= k) {
            long[] grams = new long[n - k + 1];
            for (int i = 0; i < grams.length; i++) {
                grams[i] = KGramTables.gram(words.hashes(), i, k);
            }
            HashReader corpus = readers.get();
            for (int ord : compared) {
                blocks(ord, words, grams, trimmed, corpus, covered);
            }
        }
        for (NearFinder.Passage p : passages) {
            near(p, trimmed, covered);
        }
        return new Result(compared, prompt != null, covered);
    }

    /** Output words inside an m-gram that also occurs in the prompt. */
    private static boolean[] trim(NormalizedWords words, String prompt) {
        int n = words == null ? 0 : words.size();
        boolean[] out = new boolean[n];
        if (prompt == null || n < M) {
            return out;
        }
        NormalizedWords pw = WordNormalizer.normalize(prompt);
        if (pw.size() < M) {
            return out;
        }
        Set<Long> promptGrams = new HashSet<>();
        for (int i = 0; i + M <= pw.size(); i++) {
            promptGrams.add(KGramTables.gram(pw.hashes(), i, M));
        }
        for (int i = 0; i + M <= n; i++) {
            if (promptGrams.contains(KGramTables.gram(words.hashes(), i, M))) {
                Arrays.fill(out, i, i + M, true);
            }
        }
        return out;
    }

    /** Maximal equal runs of at least k words between the output and work {@code ord}. */
    private void blocks(
            int ord,
            NormalizedWords words,
            long[] grams,
            boolean[] trimmed,
            HashReader corpus,
            List<Covered> out) {
        KGramTables.Table table = tables.get(ord);
        int n = words.size();
        int k = tables.k();
        // (diagonal, output position) of every gram hit, sorted: a diagonal's consecutive
        // positions are one run
        long[] hits = new long[64];
        int h = 0;
        for (int i = 0; i < grams.length; i++) {
            for (int p = table.first(grams[i]); p >= 0; p = table.next(p)) {
                if (h == hits.length) {
                    hits = Arrays.copyOf(hits, h * 2);
                }
                hits[h++] = ((long) (p - i + n) << 32) | i;
            }
        }
        Arrays.sort(hits, 0, h);
        int base = store.base(ord);
        int a = 0;
        while (a < h) {
            int b = a + 1;
            while (b < h
                    && (hits[b] >>> 32) == (hits[a] >>> 32)
                    && (int) hits[b] == (int) hits[b - 1] + 1) {
                b++;
            }
            int diag = (int) (hits[a] >>> 32) - n;
            int from = (int) hits[a];
            int to = (int) hits[b - 1] + k;
            // check word by word (a gram hash may collide) and split at trimmed words
            int run = from;
            for (int i = from; i <= to; i++) {
                boolean ok =
                        i < to && !trimmed[i] && words.hashes()[i] == corpus.at(base + i + diag);
                if (!ok) {
                    emit(ord, run, i, diag, k, out);
                    run = i + 1;
                }
            }
            a = b;
        }
    }

    private void emit(int ord, int from, int to, int diag, int k, List<Covered> out) {
        int len = to - from;
        if (len >= k) {
            out.add(new Covered(ord, EXACT_K, from + diag, to + diag));
        }
        if (len >= minWords) {
            out.add(new Covered(ord, EXACT_MIN, from + diag, to + diag));
        }
    }

    /** The matched work words of a near passage whose output words are not trimmed. */
    private void near(NearFinder.Passage p, boolean[] trimmed, List<Covered> out) {
        int o = p.outStart();
        int g = p.globalStart() - store.base(p.ordinal());
        List<Covered> mine = new ArrayList<>();
        int matched = 0;
        int runStart = -1;
        int runEnd = -1;
        for (byte op : p.ops()) {
            int take = 0; // work words matched by this op
            boolean ok;
            switch (op) {
                case NearAligner.MATCH -> {
                    ok = !trimmed[o];
                    take = 1;
                    o++;
                }
                case NearAligner.JOIN -> {
                    ok = !trimmed[o] && !trimmed[o + 1];
                    take = 1;
                    o += 2;
                }
                case NearAligner.SPLIT -> {
                    ok = !trimmed[o];
                    take = 2;
                    o++;
                }
                case NearAligner.SUB -> {
                    ok = false;
                    o++;
                    g++;
                }
                case NearAligner.INS -> {
                    ok = false;
                    o++;
                }
                default -> { // DEL
                    ok = false;
                    g++;
                }
            }
            if (take > 0 && ok) {
                if (runEnd != g) {
                    if (runStart >= 0) {
                        mine.add(new Covered(p.ordinal(), NEAR, runStart, runEnd));
                    }
                    runStart = g;
                }
                runEnd = g + take;
                matched += take;
            }
            g += take;
        }
        if (runStart >= 0) {
            mine.add(new Covered(p.ordinal(), NEAR, runStart, runEnd));
        }
        if (matched >= minWords) {
            out.addAll(mine);
        }
    }
}
