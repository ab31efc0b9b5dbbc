package dev.memaudit.extractor.extract;

import dev.memaudit.core.records.extract.AttemptsNeeded;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.model.Capabilities;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ScoredSequence;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast path: one teacher-forced pass per batch of windows gives, per suffix token, the model's
 * log-probability and whether it is the token greedy decoding emits, hence p_z for greedy decoding
 * (1 iff greedy decoding reproduces the suffix, ties broken by lower token id as the sampler breaks
 * them) and for T=1 sampling (the product of the probabilities). Each further scheme (temperature,
 * top-k, top-p) costs one more pass, except the first, which rides on the first pass. Every
 * scheme's per-token probability comes from {@link dev.memaudit.model.DecodingDistribution}, the
 * implementation the sampler draws from.
 *
 * <p>With a remote backend ({@link dev.memaudit.model.Capabilities}) a token beyond the server's
 * list is known not to be greedy's; a scheme whose log-probabilities the server's list does not
 * determine (NaN, e.g. a tie at the top the list cannot break, a top-k longer than the list) is
 * left out of that window's maps rather than guessed, unless another suffix token already makes p_z
 * exactly 0, and the record's {@code not_measured} says why.
 *
 * <p>The same pass gives each window's bits to extract ({@link #bitsToExtract}) from the ranks and
 * untruncated log-probabilities of its suffix tokens.
 */
public final class WindowScorer {
    /** Version of the windows.jsonl record layout. */
    public static final int SCHEMA_VERSION = WindowRecord.SCHEMA_VERSION;

    private static final double[] TARGETS = {0.5, 0.99};

    private final LanguageModel model;
    private final List<Scheme> extraSchemes;

    /** What the backend returns, for not-measured reasons; built at the first one. */
    private String reasonPrefix;

    /**
     * @param extraSchemes schemes besides greedy and t1 (which are always computed)
     */
    public WindowScorer(LanguageModel model, List<Scheme> extraSchemes) {
        this.model = model;
        List<Scheme> extra = new ArrayList<>();
        for (Scheme s : extraSchemes) {
            if (!s.isGreedy() && !s.isPlain() && !extra.contains(s)) {
                extra.add(s);
            }
        }
        this.extraSchemes = List.copyOf(extra);
    }

    /** The schemes of every record, greedy and t1 first. */
    public List<Scheme> schemes() {
        List<Scheme> all = new ArrayList<>(List.of(Scheme.GREEDY, Scheme.T1));
        all.addAll(extraSchemes);
        return all;
    }

    /** Scores {@code windows} of {@code work} in one batch. */
    public List<WindowRecord> score(TokenizedWork work, List<Window> windows) {
        List<int[]> seqs = new ArrayList<>(windows.size());
        for (Window w : windows) {
            seqs.add(work.slice(w.prefixStart(), w.suffixEnd()));
        }
        List<List<ScoredSequence>> passes = new ArrayList<>();
        Scheme first = extraSchemes.isEmpty() ? null : extraSchemes.get(0);
        passes.add(model.score(seqs, false, first == null ? null : settings(first)));
        for (int i = 1; i < extraSchemes.size(); i++) {
            passes.add(model.score(seqs, false, settings(extraSchemes.get(i))));
        }
        List<WindowRecord> out = new ArrayList<>(windows.size());
        int ranksUpTo = model.capabilities().exactRanksUpTo();
        for (int r = 0; r < windows.size(); r++) {
            Window w = windows.get(r);
            ScoredSequence base = passes.get(0).get(r);
            float[] greedy = base.greedyLogprobs();
            int from = w.prefixTokens();
            int to = from + w.suffixTokens();
            double lpT1 = 0;
            int run = 0;
            int longest = 0;
            for (int i = from; i < to; i++) {
                lpT1 += base.logprobs()[i];
                // the token greedy decoding emits (ties broken as the sampler breaks them)
                if (greedy != null && greedy[i] == 0f) {
                    run++;
                    longest = Math.max(longest, run);
                } else {
                    run = 0;
                }
            }
            double lpGreedy = greedy == null ? Double.NaN : suffixLogprob(greedy, from, to);
            Map<String, Double> logPz = new LinkedHashMap<>();
            Map<String, String> notMeasured = new LinkedHashMap<>();
            logPz.put(Scheme.GREEDY.name(), lpGreedy);
            if (Double.isNaN(lpGreedy)) {
                notMeasured.put(Scheme.GREEDY.name(), reason(Scheme.GREEDY, greedy, from, to));
            }
            logPz.put(Scheme.T1.name(), lpT1);
            for (int i = 0; i < extraSchemes.size(); i++) {
                float[] lps = passes.get(i).get(r).schemeLogprobs();
                Scheme scheme = extraSchemes.get(i);
                double lp = lps == null ? Double.NaN : suffixLogprob(lps, from, to);
                logPz.put(scheme.name(), lp);
                if (Double.isNaN(lp)) {
                    notMeasured.put(scheme.name(), reason(scheme, lps, from, to));
                }
            }
            Bits bits =
                    bitsToExtract(
                            base.ranks(),
                            base.logprobs(),
                            from,
                            to,
                            ranksUpTo,
                            WindowRecord.BITS_RANK_CUTOFF);
            out.add(record(work.workId(), w, logPz, notMeasured, lpGreedy == 0, longest, bits));
        }
        return out;
    }

    /**
     * Bits to extract of one window, or why they are not measured.
     *
     * @param bits −log2 p of the rank-aware probability; NaN when not measured
     * @param ranksBeyondM suffix tokens of rank above m; 0 when not measured
     * @param notMeasured why not; null when measured
     */
    record Bits(double bits, int ranksBeyondM, String notMeasured) {
        static Bits notMeasured(String why) {
            return new Bits(Double.NaN, 0, why);
        }
    }

    /**
     * The bits to extract the suffix at positions [from, to): b = −log2 p, p = Π_t (1/r_t if r_t ≤
     * m else P(x_t)) (Liu, Evans, Xiong 2026). An adversary who tries the model's candidates in
     * rank order finds a token of rank r ≤ m at the r-th try, so is charged log2 r bits; a token
     * beyond the m tries costs what sampling it would, −log2 P(x_t).
     *
     * @param ranks rank of each token in the untruncated next-token distribution ({@link
     *     ScoredSequence#ranks()}: 1 + the number of tokens with a strictly higher logit, so tied
     *     tokens share the better rank; 0 = beyond the top {@code exactRanksUpTo} a server listed)
     * @param logprobs ln P(x_t), untruncated (temperature 1)
     * @param exactRanksUpTo ranks are exact up to this ({@link Capabilities#exactRanksUpTo()})
     * @param m ranks up to m are tried as candidates
     */
    static Bits bitsToExtract(
            int[] ranks, float[] logprobs, int from, int to, int exactRanksUpTo, int m) {
        if (ranks == null) {
            return Bits.notMeasured("the backend returns no ranks");
        }
        double log2p = 0;
        int beyond = 0;
        for (int t = from; t < to; t++) {
            int r = ranks[t];
            if (r >= 1 && r <= m) {
                log2p -= Math.log(r) / Math.log(2);
                continue;
            }
            if (r == 0 && exactRanksUpTo < m) {
                // beyond a list shorter than m: the rank may or may not be within m
                return Bits.notMeasured(
                        "suffix token "
                                + (t - from)
                                + " is not among the server's top "
                                + exactRanksUpTo
                                + " log-probs, fewer than m = "
                                + m
                                + ": whether its rank is at most m is unknown");
            }
            if (r < 0 || (r == 0 && exactRanksUpTo == Integer.MAX_VALUE)) {
                return Bits.notMeasured(
                        "suffix token " + (t - from) + " has no rank (" + r + ") from the backend");
            }
            // rank above m, read or known from a list of at least m
            float lp = logprobs[t];
            if (!(lp > Float.NEGATIVE_INFINITY) || lp > 0) {
                return Bits.notMeasured(
                        "suffix token "
                                + (t - from)
                                + " has rank above m = "
                                + m
                                + " and no finite log-prob ("
                                + lp
                                + ")");
            }
            beyond++;
            log2p += lp / Math.log(2);
        }
        // -0.0 when every token has rank 1
        return new Bits(log2p == 0 ? 0.0 : -log2p, beyond, null);
    }

    /**
     * ln p_z of a scheme: the sum of its per-token log-probs over positions [from, to). One
     * impossible token makes it -Infinity whatever the others are; otherwise a token the backend
     * could not measure (NaN) makes it NaN, not measured.
     */
    static double suffixLogprob(float[] lps, int from, int to) {
        double sum = 0;
        for (int t = from; t < to; t++) {
            if (lps[t] == Float.NEGATIVE_INFINITY) {
                return Double.NEGATIVE_INFINITY;
            }
            sum += lps[t];
        }
        return sum;
    }

    /**
     * Why the backend could not measure {@code scheme} for the suffix [from, to): the first suffix
     * token whose probability its answer does not determine, what the backend returns and the rule
     * it follows ({@link Capabilities#schemeLogprobs()}).
     */
    private String reason(Scheme scheme, float[] lps, int from, int to) {
        if (reasonPrefix == null) {
            Capabilities caps = model.capabilities();
            // the list length of a remote backend, as its manifest section records it
            Object listed = model.manifestSection().get("top_logprobs");
            String lists =
                    !caps.ranksExact()
                            ? "top-" + caps.exactRanksUpTo() + " log-prob lists"
                            : listed instanceof Number n && n.intValue() > 0
                                    ? "top-" + n.intValue() + " log-prob lists"
                                    : "log-probs";
            reasonPrefix =
                    caps.backend()
                            + " returns "
                            + lists
                            + "; scheme log-probs "
                            + caps.schemeLogprobs()
                            + ("partial".equals(caps.schemeLogprobs())
                                    ? " (greedy unless the top is tied, temperature 1, top-k while"
                                            + " k fits the list, top-p at temperature 1 while the"
                                            + " list reaches p)"
                                    : "");
        }
        if (lps == null) {
            return reasonPrefix + ": no per-token probabilities for " + scheme.name();
        }
        int at = -1;
        for (int t = from; t < to && at < 0; t++) {
            at = Float.isNaN(lps[t]) ? t - from : -1;
        }
        return reasonPrefix
                + ": they do not determine the probability of suffix token "
                + at
                + " under "
                + scheme.name();
    }

    /**
     * The record of one window from ln p_z per scheme; a NaN value (not measured) leaves the scheme
     * out of every map and puts it in {@code not_measured} with its reason from {@code reasons} (a
     * generic one when it has none).
     */
    static WindowRecord record(
            String workId,
            Window w,
            Map<String, Double> logPz,
            Map<String, String> reasons,
            boolean greedy,
            int longest,
            Bits bits) {
        Map<String, Double> pz = new LinkedHashMap<>();
        Map<String, Double> lpOut = new LinkedHashMap<>();
        Map<String, Map<String, AttemptsNeeded>> needed = new LinkedHashMap<>();
        Map<String, String> notMeasured = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : logPz.entrySet()) {
            if (Double.isNaN(e.getValue())) {
                notMeasured.put(
                        e.getKey(),
                        reasons.getOrDefault(
                                e.getKey(), "the backend could not measure this scheme"));
                continue;
            }
            double lp = Math.min(0, e.getValue());
            pz.put(e.getKey(), Math.exp(lp));
            lpOut.put(e.getKey(), Double.isFinite(lp) ? lp : null);
            Map<String, AttemptsNeeded> n = new LinkedHashMap<>();
            for (double target : TARGETS) {
                n.put(Double.toString(target), attemptsNeeded(lp, target));
            }
            needed.put(e.getKey(), n);
        }
        return new WindowRecord(
                SCHEMA_VERSION,
                workId,
                w.index(),
                w.prefixCharStart(),
                w.prefixCharEnd(),
                w.suffixCharStart(),
                w.suffixCharEnd(),
                w.prefixTokens(),
                w.suffixTokens(),
                w.prefixStart(),
                w.suffixStart(),
                w.suffixEnd(),
                pz,
                lpOut,
                greedy,
                longest,
                needed,
                bits.notMeasured() == null ? bits.bits() : null,
                bits.notMeasured() == null ? bits.ranksBeyondM() : null,
                bits.notMeasured(),
                notMeasured.isEmpty() ? null : notMeasured,
                null);
    }

    /**
     * Independent attempts needed for at least one success with probability {@code target} when
     * each succeeds with probability {@code exp(logP)}: ⌈ln(1−target) / ln(1−p)⌉; unreachable when
     * p = 0 (logP = −∞); beyond a double's range (p below about 1e-308) its log10 computed from
     * logP as log10(−ln(1−target)) − logP / ln 10 (ln(1−p) = −p to double precision there), never
     * capped.
     *
     * @throws IllegalArgumentException for a NaN logP (not measured: there is no count to give)
     */
    public static AttemptsNeeded attemptsNeeded(double logP, double target) {
        if (Double.isNaN(logP)) {
            throw new IllegalArgumentException("ln p_z not measured (NaN): no attempts needed");
        }
        if (logP == Double.NEGATIVE_INFINITY) {
            return AttemptsNeeded.UNREACHABLE;
        }
        if (logP >= 0) {
            return AttemptsNeeded.of(1);
        }
        // ln(1 − e^lp), accurate at both ends
        double ln1mP = logP > -0.693 ? Math.log(-Math.expm1(logP)) : Math.log1p(-Math.exp(logP));
        double lnMiss = Math.log1p(-target);
        double n;
        if (ln1mP == 0) {
            // p below double resolution next to 1: ln(1 − p) ≈ −p
            n = -lnMiss * Math.exp(-logP);
        } else {
            n = lnMiss / ln1mP;
        }
        if (!Double.isFinite(n)) {
            // p so small that the count passes the largest double: log10 n = log10(−ln(1−t)) − lp
            return AttemptsNeeded.ofLog10(Math.log10(-lnMiss) - logP / Math.log(10));
        }
        n = Math.ceil(n - 1e-9);
        return n < 9.007199254740992e15
                ? AttemptsNeeded.of(Math.max(1L, (long) n))
                : AttemptsNeeded.of(BigDecimal.valueOf(n));
    }

    private static GenerationSettings settings(Scheme s) {
        return s.settings(1, 0);
    }
}
