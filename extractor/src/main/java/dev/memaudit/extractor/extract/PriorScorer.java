package dev.memaudit.extractor.extract;

import dev.memaudit.core.error.InputRejectedException;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ScoredSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The commonness control of windows ({@link WindowRecord.Prior}; prior-aware memorization, arXiv
 * 2602.18733): would the model say the suffix anyway? Each window's suffix is scored after K
 * unrelated prefixes of its prefix's token length, drawn from other texts (the index's other works,
 * controls included, and the {@code --prior-controls} texts), and compared with its score after its
 * own prefix, the window's t1 ln p_z.
 *
 * <p>The draw of window w of work W depends only on the seed, W's id and w: K times, a text other
 * than W is chosen with probability proportional to its number of possible prefix starts (tokens −
 * prefix length + 1), then a start uniformly among them (with replacement: the same prefix may be
 * drawn twice). The K × batch sequences of a batch of windows go to the model in calls of at most
 * {@code batch} rows, teacher-forced at temperature 1.
 */
final class PriorScorer {
    /** A text unrelated prefixes are drawn from, tokenized by the audited model. */
    record Source(String id, int[] tokens) {}

    private final LanguageModel model;
    private final List<Source> sources;
    private final int prefixes;
    private final long seed;
    private final int batch;

    /**
     * @param prefixes K, at least 1
     * @param batch most rows per model call
     */
    PriorScorer(LanguageModel model, List<Source> sources, int prefixes, long seed, int batch) {
        if (prefixes < 1) {
            throw new IllegalArgumentException("prior prefixes must be ≥ 1, got " + prefixes);
        }
        this.model = model;
        this.sources = List.copyOf(sources);
        this.prefixes = prefixes;
        this.seed = seed;
        this.batch = batch;
    }

    /** One drawn prefix: its source and its 0-based token start. */
    record Draw(Source source, int start) {
        String label() {
            return source.id() + "@" + start;
        }
    }

    /**
     * The K prefixes of {@code length} tokens for window {@code window} of work {@code workId};
     * empty when no other text is that long.
     */
    List<Draw> draws(String workId, int window, int length) {
        List<Source> usable = new ArrayList<>();
        long total = 0;
        for (Source s : sources) {
            if (!s.id().equals(workId) && s.tokens().length >= length) {
                usable.add(s);
                total += s.tokens().length - length + 1;
            }
        }
        if (usable.isEmpty()) {
            return List.of();
        }
        SplittableRandom r =
                new SplittableRandom(ExtractService.attemptSeed(seed, workId, window, -1));
        List<Draw> out = new ArrayList<>(prefixes);
        for (int j = 0; j < prefixes; j++) {
            long at = r.nextLong(total);
            for (Source s : usable) {
                long starts = s.tokens().length - length + 1;
                if (at < starts) {
                    out.add(new Draw(s, (int) at));
                    break;
                }
                at -= starts;
            }
        }
        return out;
    }

    /**
     * {@code records} (the window records of {@code windows}, in order) with their prior; a window
     * keeps none where its own t1 log-probability is not finite, no other text is long enough, or
     * some unrelated score is not finite (not measured, never a guess).
     */
    List<WindowRecord> attach(
            TokenizedWork work, List<Window> windows, List<WindowRecord> records) {
        List<int[]> seqs = new ArrayList<>();
        List<List<Draw>> drawn = new ArrayList<>();
        for (Window w : windows) {
            List<Draw> d = draws(work.workId(), w.index(), w.prefixTokens());
            drawn.add(d);
            int[] suffix = work.slice(w.suffixStart(), w.suffixEnd());
            for (Draw x : d) {
                int[] seq = new int[w.prefixTokens() + suffix.length];
                System.arraycopy(x.source().tokens(), x.start(), seq, 0, w.prefixTokens());
                System.arraycopy(suffix, 0, seq, w.prefixTokens(), suffix.length);
                seqs.add(seq);
            }
        }
        List<ScoredSequence> scored = new ArrayList<>(seqs.size());
        for (int i = 0; i < seqs.size(); i += batch) {
            try {
                scored.addAll(
                        model.score(seqs.subList(i, Math.min(seqs.size(), i + batch)), false));
            } catch (InputRejectedException e) {
                // the row of an unrelated sequence is not the row of a window: let the caller
                // find the window one by one
                throw new InputRejectedException(
                        -1, "an unrelated prefix of the commonness control: " + e.getMessage());
            }
        }
        List<WindowRecord> out = new ArrayList<>(records.size());
        int row = 0;
        for (int i = 0; i < windows.size(); i++) {
            Window w = windows.get(i);
            List<Draw> d = drawn.get(i);
            double[] lps = new double[d.size()];
            for (int j = 0; j < d.size(); j++) {
                lps[j] =
                        WindowScorer.suffixLogprob(
                                scored.get(row++).logprobs(),
                                w.prefixTokens(),
                                w.prefixTokens() + w.suffixTokens());
            }
            WindowRecord r = records.get(i);
            out.add(withPrior(r, prior(r.logPZ().get(Scheme.T1.name()), lps, d)));
        }
        return out;
    }

    /**
     * The prior of a window from its own ln P(suffix | own prefix) and the unrelated ones; null
     * when one of them is missing or not finite.
     */
    static WindowRecord.Prior prior(Double own, double[] unrelated, List<Draw> from) {
        if (own == null || !Double.isFinite(own) || unrelated.length == 0) {
            return null;
        }
        double sum = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (double lp : unrelated) {
            if (!Double.isFinite(lp)) {
                return null;
            }
            sum += lp;
            max = Math.max(max, lp);
        }
        double expSum = 0;
        for (double lp : unrelated) {
            expSum += Math.exp(lp - max);
        }
        double logMeanExp = max + Math.log(expSum / unrelated.length);
        return new WindowRecord.Prior(
                unrelated.length,
                own,
                sum / unrelated.length,
                max,
                logMeanExp,
                own - logMeanExp,
                from.stream().map(Draw::label).toList());
    }

    static WindowRecord withPrior(WindowRecord r, WindowRecord.Prior p) {
        return new WindowRecord(
                r.schemaVersion(),
                r.workId(),
                r.window(),
                r.prefixCharStart(),
                r.prefixCharEnd(),
                r.suffixCharStart(),
                r.suffixCharEnd(),
                r.prefixTokens(),
                r.suffixTokens(),
                r.prefixTokenStart(),
                r.suffixTokenStart(),
                r.suffixTokenEnd(),
                r.pZ(),
                r.logPZ(),
                r.greedyExtractable(),
                r.longestRank1Run(),
                r.attemptsNeeded(),
                r.bitsToExtract(),
                r.bitsRanksBeyondM(),
                r.bitsNotMeasured(),
                r.notMeasured(),
                p);
    }
}
