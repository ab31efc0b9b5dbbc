package dev.memaudit.index.scan;

import dev.memaudit.core.text.CodePointIndex;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.store.HashReader;
import dev.memaudit.index.store.WorksStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds maximal near-verbatim passages. Seeds are the exact runs of at least min-words words and
 * the shorter exact runs of at least the index's n-gram size that the exact finder extends or that
 * start at a gram no extended run covers, provided their gram occurs at most {@link
 * #MAX_SEED_FREQUENCY} times in the corpus (see {@link SpanFinder#shortRuns}). Each seed is
 * extended outward by {@link NearAligner} across substituted, inserted and deleted words, longest
 * seeds first; a seed inside a passage already extended on the same work is not extended again. A
 * passage is kept when it is at least {@code minWords} words long in both texts, its word
 * similarity (1 − edit distance / longer length) is at least the threshold, it is not simply an
 * exact run (at least one edit, join or split), and, when it has edits, it has at least {@link
 * #MIN_MATCHES_BESIDE_LONGEST_RUN} matched words outside its longest unedited stretch. Matched
 * words whose characters differ are re-checked on their normalized forms, so a hash collision is an
 * edit. Not thread-safe: one per scanner.
 */
final class NearFinder {
    /**
     * A near-verbatim passage: output words {@code [outStart, outEnd)} against corpus words {@code
     * [globalStart, globalEnd)} of work {@code ordinal}, aligned by {@code ops} ({@link
     * NearAligner} operations, in text order).
     */
    record Passage(
            int outStart,
            int outEnd,
            int ordinal,
            int globalStart,
            int globalEnd,
            byte[] ops,
            int edits,
            int matches) {
        int wordsOutput() {
            return outEnd - outStart;
        }

        int wordsWork() {
            return globalEnd - globalStart;
        }

        double similarity() {
            return 1.0 - edits / (double) Math.max(wordsOutput(), wordsWork());
        }

        /** Whether it differs from an exact run (an edit, a join or a split). */
        boolean edited() {
            for (byte op : ops) {
                if (op != NearAligner.MATCH) {
                    return true;
                }
            }
            return false;
        }

        boolean contains(int ord, int outA, int outB, int gA, int gB) {
            return ord == ordinal
                    && outStart <= outA
                    && outB <= outEnd
                    && globalStart <= gA
                    && gB <= globalEnd;
        }
    }

    /**
     * Matched words a passage with edits needs outside its longest unedited stretch (see {@link
     * #evident}).
     */
    static final int MIN_MATCHES_BESIDE_LONGEST_RUN = 4;

    /** Seeds from grams occurring more often than this in the corpus are not extended. */
    static final int MAX_SEED_FREQUENCY = 16;

    private final WorksStore store;
    private final HashReader corpus;
    private final WorkTexts texts;
    private final int minWords;
    private final double minSimilarity;
    private final SpanFinder finder;
    private final NearAligner aligner;
    private final NearAligner relaxed;

    private long extensions;

    NearFinder(
            WorksStore store,
            WorkTexts texts,
            int minWords,
            double minSimilarity,
            SpanFinder finder) {
        this.store = store;
        this.corpus = store.hashReader();
        this.texts = texts;
        this.minWords = minWords;
        this.minSimilarity = minSimilarity;
        this.finder = finder;
        finder.collectShortRuns(MAX_SEED_FREQUENCY);
        this.aligner = new NearAligner(minSimilarity);
        this.relaxed = new NearAligner(0.5);
    }

    /**
     * Near passages of {@code out} (whose text is {@code text}), given the exact runs the finder
     * has just found in it.
     */
    List<Passage> find(String text, NormalizedWords out, List<SpanFinder.Run> exactRuns) {
        List<SpanFinder.Run> seeds = new ArrayList<>(exactRuns);
        seeds.addAll(finder.shortRuns(out));
        if (seeds.isEmpty()) {
            return List.of();
        }
        seeds.sort(
                Comparator.comparingInt(SpanFinder.Run::words)
                        .reversed()
                        .thenComparingInt(SpanFinder.Run::outStart)
                        .thenComparingInt(SpanFinder.Run::globalStart));
        Forms forms = new Forms(text, out);
        long[] words = out.hashes();
        int m = out.size();
        List<Passage> explored = new ArrayList<>();
        List<Passage> found = new ArrayList<>();
        for (SpanFinder.Run seed : seeds) {
            int gEnd = seed.globalStart() + seed.words();
            if (inside(
                    explored,
                    seed.ordinal(),
                    seed.outStart(),
                    seed.outEnd(),
                    seed.globalStart(),
                    gEnd)) {
                continue;
            }
            int lo = store.base(seed.ordinal());
            int hi = store.base(seed.ordinal() + 1);
            if (!promising(words, m, seed, corpus, lo, hi)) {
                continue;
            }
            extensions++;
            forms.work(seed.ordinal());
            NearAligner.Extension back =
                    aligner.extend(
                            words,
                            seed.outStart() - 1,
                            seed.outStart(),
                            corpus,
                            seed.globalStart() - 1,
                            seed.globalStart() - lo,
                            -1,
                            forms);
            NearAligner.Extension fwd =
                    aligner.extend(
                            words,
                            seed.outEnd(),
                            m - seed.outEnd(),
                            corpus,
                            gEnd,
                            hi - gEnd,
                            1,
                            forms);
            if (seed.words() + matched(back.ops()) + matched(fwd.ops()) >= 2 * minWords) {
                back =
                        relaxedTail(
                                back,
                                words,
                                seed.outStart() - 1,
                                seed.outStart(),
                                seed.globalStart() - 1,
                                seed.globalStart() - lo,
                                -1,
                                forms);
                fwd =
                        relaxedTail(
                                fwd,
                                words,
                                seed.outEnd(),
                                m - seed.outEnd(),
                                gEnd,
                                hi - gEnd,
                                1,
                                forms);
            }
            byte[] ops = new byte[back.ops().length + seed.words() + fwd.ops().length];
            for (int k = 0; k < back.ops().length; k++) {
                ops[k] = back.ops()[back.ops().length - 1 - k];
            }
            // the seed's words are matches (NearAligner.MATCH is 0, the array's initial value)
            System.arraycopy(fwd.ops(), 0, ops, back.ops().length + seed.words(), fwd.ops().length);
            Passage p =
                    counted(
                            seed.outStart() - back.outWords(),
                            seed.outEnd() + fwd.outWords(),
                            seed.ordinal(),
                            seed.globalStart() - back.workWords(),
                            gEnd + fwd.workWords(),
                            ops);
            explored.add(p);
            Passage kept = trimmed(p);
            if (kept != null && kept.edited()) {
                kept = trimmed(verified(kept, forms));
                if (kept != null && kept.edited() && evident(kept)) {
                    found.add(kept);
                }
            }
        }
        List<Passage> maximal = new ArrayList<>(found.size());
        for (Passage p : found) {
            boolean dominated = false;
            for (Passage q : found) {
                if (q != p
                        && q.contains(p.ordinal, p.outStart, p.outEnd, p.globalStart, p.globalEnd)
                        && (q.wordsOutput() > p.wordsOutput()
                                || q.wordsWork() > p.wordsWork()
                                || found.indexOf(q) < found.indexOf(p))) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                maximal.add(p);
            }
        }
        maximal.sort(
                Comparator.comparingInt(Passage::outStart).thenComparingInt(Passage::globalStart));
        return maximal;
    }

    /**
     * Whether a passage with edits has at least {@link #MIN_MATCHES_BESIDE_LONGEST_RUN} matched
     * words outside its longest unedited stretch: a stock phrase followed by a few words that agree
     * by chance ("and", "the") is not a near copy. A passage without edits (joins or splits only)
     * is the same words and needs no more.
     */
    private static boolean evident(Passage p) {
        if (p.edits == 0) {
            return true;
        }
        int longest = 0;
        int run = 0;
        for (byte op : p.ops) {
            if (isEdit(op)) {
                run = 0;
            } else {
                run++;
                longest = Math.max(longest, run);
            }
        }
        return p.matches - longest >= MIN_MATCHES_BESIDE_LONGEST_RUN;
    }

    /**
     * A side's extension {@code main} continued, from where it stopped, by an extension at
     * similarity 0.5 (as many matched as edited words), kept up to its last {@value #TAIL_RUN}
     * consecutive matched words. The extension at the threshold stops where the words after an edit
     * are too few to pay for it (fewer than four at 0.8), so a copy whose first or last words hold
     * two edits close together would lose them although the whole passage is similar enough; the
     * passage's similarity is checked as a whole afterwards ({@link #trimmed}). Used only around a
     * core of at least twice min-words matched words: a stock phrase seed, with the next stock
     * phrase a few edits away, is not to be joined to it.
     */
    private NearAligner.Extension relaxedTail(
            NearAligner.Extension main,
            long[] words,
            int outFrom,
            int outAvail,
            int workFrom,
            int workAvail,
            int dir,
            Forms forms) {
        int o = main.outWords();
        int w = main.workWords();
        byte[] t =
                relaxed.extend(
                                words,
                                outFrom + dir * o,
                                outAvail - o,
                                corpus,
                                workFrom + dir * w,
                                workAvail - w,
                                dir,
                                forms)
                        .ops();
        int n = t.length;
        while (n >= TAIL_RUN && !unedited(t, n - TAIL_RUN, n)) {
            n--;
        }
        if (n < TAIL_RUN) {
            return main;
        }
        byte[] ops = Arrays.copyOf(main.ops(), main.ops().length + n);
        System.arraycopy(t, 0, ops, main.ops().length, n);
        for (int k = 0; k < n; k++) {
            o += outWords(t[k]);
            w += workWords(t[k]);
        }
        return new NearAligner.Extension(o, w, ops);
    }

    private static int matched(byte[] ops) {
        int n = 0;
        for (byte op : ops) {
            if (!isEdit(op)) {
                n++;
            }
        }
        return n;
    }

    /** Matched words in a row that the relaxed part of an extension must end with. */
    static final int TAIL_RUN = 3;

    private static boolean unedited(byte[] ops, int from, int to) {
        for (int k = from; k < to; k++) {
            if (isEdit(ops[k])) {
                return false;
            }
        }
        return true;
    }

    /** Words on each side of a seed, and diagonals either way, that {@link #promising} looks at. */
    static final int LOOK = 12;

    static final int LOOK_SHIFT = NearAligner.X_DROP_EDITS;

    /**
     * Whether the {@value #LOOK} words on either side of the seed hold at least {@link
     * #MIN_MATCHES_BESIDE_LONGEST_RUN} words that equal a work word within {@value #LOOK_SHIFT}
     * positions of the seed's diagonal. A passage with edits needs that many matched words beside
     * its longest stretch, and an extension that finds fewer in its first {@value #LOOK} words has
     * fallen more than three edits behind and stopped; so a seed failing this (most chance matches
     * of common words in unrelated text) is not extended.
     */
    private static boolean promising(
            long[] words, int m, SpanFinder.Run seed, HashReader corpus, int lo, int hi) {
        int found = 0;
        int d0 = seed.globalStart() - seed.outStart();
        for (int side = 0; side < 2; side++) {
            for (int k = 1; k <= LOOK; k++) {
                int i = side == 0 ? seed.outEnd() - 1 + k : seed.outStart() - k;
                if (i < 0 || i >= m) {
                    break;
                }
                for (int d = -LOOK_SHIFT; d <= LOOK_SHIFT; d++) {
                    int g = i + d0 + d;
                    if (g >= lo && g < hi && corpus.at(g) == words[i]) {
                        if (++found >= MIN_MATCHES_BESIDE_LONGEST_RUN) {
                            return true;
                        }
                        break;
                    }
                }
            }
        }
        return false;
    }

    private static boolean inside(List<Passage> ps, int ord, int a, int b, int ga, int gb) {
        for (Passage p : ps) {
            if (p.contains(ord, a, b, ga, gb)) {
                return true;
            }
        }
        return false;
    }

    /** The passage with its edits and matches counted from {@code ops}. */
    private static Passage counted(
            int outStart, int outEnd, int ordinal, int gStart, int gEnd, byte[] ops) {
        int i = outStart;
        int g = gStart;
        int edits = 0;
        for (byte op : ops) {
            i += outWords(op);
            g += workWords(op);
            if (isEdit(op)) {
                edits++;
            }
        }
        if (i != outEnd || g != gEnd) {
            throw new IllegalStateException(
                    "alignment does not cover the passage: output "
                            + i
                            + " of "
                            + outEnd
                            + ", work "
                            + g
                            + " of "
                            + gEnd);
        }
        return new Passage(outStart, outEnd, ordinal, gStart, gEnd, ops, edits, ops.length - edits);
    }

    /**
     * The passage with every match re-checked on the words' characters, and where they differ on
     * their normalized forms: a 64-bit hash collision becomes a substitution.
     */
    private Passage verified(Passage p, Forms forms) {
        byte[] ops = p.ops.clone();
        int i = p.outStart;
        int g = p.globalStart;
        for (int k = 0; k < ops.length; k++) {
            if (ops[k] == NearAligner.MATCH && !forms.sameWord(i, g)) {
                ops[k] = NearAligner.SUB;
            }
            i += outWords(ops[k]);
            g += workWords(ops[k]);
        }
        return counted(p.outStart, p.outEnd, p.ordinal, p.globalStart, p.globalEnd, ops);
    }

    /**
     * The passage, or the longest part of it between edits that meets the thresholds when it does
     * not (insertions and deletions together can lower the similarity below the score's bound);
     * null when no such part is long enough.
     */
    private Passage trimmed(Passage p) {
        Passage cur = p;
        while (cur != null && cur.wordsOutput() >= minWords && cur.wordsWork() >= minWords) {
            if (cur.similarity() >= minSimilarity - 1e-12) {
                return cur;
            }
            Passage a = dropEnd(cur, true);
            Passage b = dropEnd(cur, false);
            if (a == null) {
                cur = b;
            } else if (b == null) {
                cur = a;
            } else {
                cur = a.similarity() >= b.similarity() ? a : b;
            }
        }
        return null;
    }

    /** Drops the passage's first (or last) ops up to and including its first (last) edit run. */
    private static Passage dropEnd(Passage p, boolean front) {
        byte[] ops = p.ops;
        int n = ops.length;
        int from = 0;
        int to = n;
        if (front) {
            while (from < n && !isEdit(ops[from])) {
                from++;
            }
            while (from < n && isEdit(ops[from])) {
                from++;
            }
        } else {
            while (to > 0 && !isEdit(ops[to - 1])) {
                to--;
            }
            while (to > 0 && isEdit(ops[to - 1])) {
                to--;
            }
        }
        if (from >= to) {
            return null;
        }
        int outStart = p.outStart;
        int gStart = p.globalStart;
        for (int k = 0; k < from; k++) {
            outStart += outWords(ops[k]);
            gStart += workWords(ops[k]);
        }
        int outEnd = outStart;
        int gEnd = gStart;
        int edits = 0;
        int matches = 0;
        for (int k = from; k < to; k++) {
            outEnd += outWords(ops[k]);
            gEnd += workWords(ops[k]);
            if (isEdit(ops[k])) {
                edits++;
            } else {
                matches++;
            }
        }
        return new Passage(
                outStart,
                outEnd,
                p.ordinal,
                gStart,
                gEnd,
                Arrays.copyOfRange(ops, from, to),
                edits,
                matches);
    }

    static boolean isEdit(byte op) {
        return op == NearAligner.SUB || op == NearAligner.INS || op == NearAligner.DEL;
    }

    static int outWords(byte op) {
        return switch (op) {
            case NearAligner.DEL -> 0;
            case NearAligner.JOIN -> 2;
            default -> 1;
        };
    }

    static int workWords(byte op) {
        return switch (op) {
            case NearAligner.INS -> 0;
            case NearAligner.SPLIT -> 2;
            default -> 1;
        };
    }

    /** The alignment as runs: a count and an operation letter each, e.g. {@code 14=1X9=}. */
    static String alignment(byte[] ops) {
        StringBuilder sb = new StringBuilder();
        int k = 0;
        while (k < ops.length) {
            int r = k;
            while (r < ops.length && ops[r] == ops[k]) {
                r++;
            }
            sb.append(r - k).append(NearAligner.LETTERS[ops[k]]);
            k = r;
        }
        return sb.toString();
    }

    /**
     * Whether a compound of {@code compound} code points can be two words of {@code parts} code
     * points together: the compound's range holds both words plus a hyphen (a line break and a few
     * spaces or tabs after it at most), as in "soap-works" or a line-end "soap-⏎works". A compound
     * written without one ("soapworks" against "soap works") is an edit, which keeps this check off
     * the many word pairs whose lengths merely add up; so is a word whose form NFKC expands (ß, ﬁ).
     */
    static boolean joinable(int compound, int parts) {
        return compound > parts && compound <= parts + MAX_JOIN_EXTRA;
    }

    /** Code points a joined compound may hold beyond its two words: "-", CR LF, two spaces. */
    static final int MAX_JOIN_EXTRA = 5;

    /** Seeds extended so far. */
    long extensions() {
        return extensions;
    }

    /**
     * Normalized forms of the output's words and of the current work's words, computed when a join,
     * split or collision check needs them.
     */
    private final class Forms implements NearAligner.Joins {
        private final String raw;
        private final NormalizedWords out;
        private CodePointIndex text; // built on first use: most outputs never need it
        private String[] outForms;
        private final Map<Integer, String> workForms = new HashMap<>();
        private int ordinal = -1;

        Forms(String text, NormalizedWords out) {
            this.raw = text;
            this.out = out;
        }

        private CodePointIndex text() {
            if (text == null) {
                text = CodePointIndex.of(raw);
                outForms = new String[out.size()];
            }
            return text;
        }

        void work(int ord) {
            if (ord != ordinal) {
                workForms.clear();
                ordinal = ord;
            }
        }

        private String outForm(int a) {
            text();
            String f = outForms[a];
            if (f == null) {
                f = WordNormalizer.key(text, out.starts()[a], out.ends()[a]);
                outForms[a] = f;
            }
            return f;
        }

        private String workForm(int g) {
            return workForms.computeIfAbsent(
                    g,
                    k -> {
                        String w = texts.region(ordinal, store.start(k), store.end(k));
                        return WordNormalizer.key(w, 0, w.codePointCount(0, w.length()));
                    });
        }

        /** Whether output word {@code a} and corpus word {@code g} have the same form. */
        boolean sameWord(int a, int g) {
            String w = texts.region(ordinal, store.start(g), store.end(g));
            CodePointIndex text = text();
            int oa = text.toUtf16(out.starts()[a]);
            int ob = text.toUtf16(out.ends()[a]);
            if (ob - oa == w.length()
                    && (text.text().regionMatches(oa, w, 0, w.length())
                            || SpanBuilder.asciiAlnumIgnoringCase(
                                    text.text(), oa, w, 0, w.length()))) {
                return true;
            }
            return outForm(a).equals(workForm(g));
        }

        @Override
        public boolean joined(int a, int w) {
            if (!joinable(
                    store.end(w) - store.start(w),
                    out.ends()[a] - out.starts()[a] + out.ends()[a + 1] - out.starts()[a + 1])) {
                return false;
            }
            String x = outForm(a);
            String y = outForm(a + 1);
            String z = workForm(w);
            return z.length() == x.length() + y.length() && z.startsWith(x) && z.endsWith(y);
        }

        @Override
        public boolean split(int a, int w) {
            if (out.ends()[a] - out.starts()[a]
                    < store.end(w) - store.start(w) + store.end(w + 1) - store.start(w + 1)) {
                return false;
            }
            String z = outForm(a);
            String x = workForm(w);
            String y = workForm(w + 1);
            return z.length() == x.length() + y.length() && z.startsWith(x) && z.endsWith(y);
        }
    }
}
