package dev.memaudit.cli;

import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.canary.BpeTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic language model in plain Java, for tests whose outputs must be the same bit for
 * bit on every machine (the golden report): a memory of some "member" texts over a real BPE
 * tokenizer. Canary training and the DJL runtime are not bit-reproducible across machines and
 * thread counts; this model is, because every number comes from {@link StrictMath} on doubles.
 *
 * <p>Next-token distribution after a context whose last {@value #CONTEXT} tokens occur in a member
 * text: {@value #RECALL} of the mass on the tokens that followed them there (in proportion to how
 * often), the rest spread like the background; after any other context, the background alone, p₀(z)
 * ∝ (z mod 7) + 1 (a fixed, context-free shape, as in the extractor's ToyModel). So a member text
 * is reproduced from its own prefix, a non-member only by chance, and both perplexity and
 * extraction separate them as they would for a model that memorized the members.
 *
 * <p>Decoding schemes follow the rules of {@code DjlLanguageModel}: temperature on the
 * log-probabilities, then top-k, then top-p (the smallest prefix of the sorted tokens whose mass
 * reaches p), renormalized; ties are ordered by token id, and greedy takes the lowest id among the
 * most probable tokens. Scoring and generation use the same rules, so p_z and sampled attempts
 * agree.
 */
final class MemorizingModel implements LanguageModel {
    /** Tokens of context the memory is keyed by. */
    static final int CONTEXT = 8;

    /** Share of the probability mass on remembered continuations when the context is known. */
    static final double RECALL = 0.98;

    private final ModelTokenizer tokenizer;
    private final int vocab;
    private final int eos;
    private final int members;
    private final Dist background;

    /** Context (the last {@value #CONTEXT} token ids as chars) → next token id → count. */
    private final Map<String, Map<Integer, Integer>> memory = new HashMap<>();

    /** Distributions after remembered contexts, computed once each. */
    private final Map<String, Dist> known = new HashMap<>();

    /**
     * @param tokenizer the model's tokenizer (owned by the model from now on)
     * @param memberTexts the texts the model remembers
     */
    MemorizingModel(ModelTokenizer tokenizer, List<String> memberTexts) {
        this.tokenizer = tokenizer;
        this.vocab = tokenizer.vocabSize();
        if (vocab > Character.MAX_VALUE) {
            throw new IllegalArgumentException("vocab must be at most 65535, got " + vocab);
        }
        this.eos = tokenizer.specialTokenId(BpeTrainer.END_OF_TEXT);
        this.members = memberTexts.size();
        double[] p = new double[vocab];
        double norm = 0;
        for (int z = 0; z < vocab; z++) {
            norm += z % 7 + 1;
        }
        for (int z = 0; z < vocab; z++) {
            p[z] = (z % 7 + 1) / norm;
        }
        background = new Dist(p);
        for (String text : memberTexts) {
            int[] ids = tokenizer.encodeIds(text);
            for (int i = CONTEXT; i < ids.length; i++) {
                memory.computeIfAbsent(key(ids, i), k -> new TreeMap<>())
                        .merge(ids[i], 1, Integer::sum);
            }
        }
    }

    /** The context of position {@code i}: tokens i-CONTEXT .. i-1, one char each. */
    private static String key(int[] ids, int i) {
        char[] c = new char[CONTEXT];
        for (int j = 0; j < CONTEXT; j++) {
            c[j] = (char) ids[i - CONTEXT + j];
        }
        return new String(c);
    }

    /** The distribution of the token at position {@code i} of {@code seq}, given those before. */
    private Dist next(int[] seq, int i) {
        if (i < CONTEXT) {
            return background;
        }
        String k = key(seq, i);
        Map<Integer, Integer> seen = memory.get(k);
        if (seen == null) {
            return background;
        }
        return known.computeIfAbsent(
                k,
                x -> {
                    double[] p = new double[vocab];
                    for (int z = 0; z < vocab; z++) {
                        p[z] = (1 - RECALL) * background.p[z];
                    }
                    long total = 0;
                    for (int c : seen.values()) {
                        total += c;
                    }
                    for (Map.Entry<Integer, Integer> e : seen.entrySet()) {
                        p[e.getKey()] += RECALL * e.getValue() / total;
                    }
                    return new Dist(p);
                });
    }

    /** One next-token distribution with what scoring and sampling read from it. */
    private static final class Dist {
        final double[] p;
        final double[] logp;
        final int argmax;
        final double mu;
        final double variance;
        private final Map<GenerationSettings, double[]> schemes = new HashMap<>();

        Dist(double[] p) {
            this.p = p;
            logp = new double[p.length];
            int best = 0;
            double m = 0;
            double second = 0;
            for (int z = 0; z < p.length; z++) {
                logp[z] = StrictMath.log(p[z]);
                m += p[z] * logp[z];
                second += p[z] * logp[z] * logp[z];
                if (p[z] > p[best]) {
                    best = z; // the lowest id among the most probable
                }
            }
            argmax = best;
            mu = m;
            variance = second - m * m;
        }

        /** 1 + the number of tokens strictly more probable than {@code x}. */
        int rank(int x) {
            int higher = 0;
            for (double v : p) {
                if (v > p[x]) {
                    higher++;
                }
            }
            return higher + 1;
        }

        /**
         * The distribution a sampling scheme draws from: temperature, then top-k, then top-p,
         * renormalized; excluded tokens get 0. Not for greedy schemes.
         */
        double[] scheme(GenerationSettings s) {
            GenerationSettings key = s.withSeed(0);
            return schemes.computeIfAbsent(key, k -> truncate(s));
        }

        private double[] truncate(GenerationSettings s) {
            int v = p.length;
            double[] q = new double[v];
            double max = logp[argmax];
            for (int z = 0; z < v; z++) {
                q[z] = StrictMath.exp((logp[z] - max) / s.temperature());
            }
            int keep = s.topK() > 0 ? Math.min(s.topK(), v) : v;
            if (keep < v || s.topP() < 1) {
                Integer[] order = new Integer[v];
                for (int z = 0; z < v; z++) {
                    order[z] = z;
                }
                Arrays.sort(order, (a, b) -> q[a] != q[b] ? Double.compare(q[b], q[a]) : a - b);
                double kept = 0;
                for (int r = 0; r < keep; r++) {
                    kept += q[order[r]];
                }
                int cut = keep;
                if (s.topP() < 1) {
                    double cum = 0;
                    for (int r = 0; r < keep; r++) {
                        cum += q[order[r]] / kept;
                        if (cum >= s.topP()) {
                            cut = r + 1;
                            break;
                        }
                    }
                }
                for (int r = cut; r < v; r++) {
                    q[order[r]] = 0;
                }
            }
            double z = 0;
            for (double x : q) {
                z += x;
            }
            for (int t = 0; t < v; t++) {
                q[t] /= z;
            }
            return q;
        }
    }

    @Override
    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT,
                "memorizing test model (%d-token contexts of %d member texts, recall %.2f, vocab"
                        + " %d)",
                CONTEXT,
                members,
                RECALL,
                vocab);
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int maxSequenceLength() {
        return MAX_LENGTH;
    }

    private static final int MAX_LENGTH = 4096;

    @Override
    public List<ScoredSequence> score(
            List<int[]> sequences, boolean fullDistributionStats, GenerationSettings scheme) {
        List<ScoredSequence> out = new ArrayList<>();
        for (int[] ids : sequences) {
            if (ids.length < 1 || ids.length > MAX_LENGTH) {
                throw new IllegalArgumentException(
                        "sequence length must be between 1 and "
                                + MAX_LENGTH
                                + ", got "
                                + ids.length);
            }
            int n = ids.length;
            float[] lp = new float[n];
            int[] ranks = new int[n];
            float[] means = fullDistributionStats ? new float[n] : null;
            float[] vars = fullDistributionStats ? new float[n] : null;
            float[] schemeLp = scheme == null ? null : new float[n];
            float[] greedyLp = new float[n];
            lp[0] = Float.NaN;
            greedyLp[0] = Float.NaN;
            if (means != null) {
                means[0] = Float.NaN;
                vars[0] = Float.NaN;
            }
            if (schemeLp != null) {
                schemeLp[0] = Float.NaN;
            }
            for (int i = 1; i < n; i++) {
                Dist d = next(ids, i);
                int x = ids[i];
                lp[i] = (float) d.logp[x];
                ranks[i] = d.rank(x);
                greedyLp[i] = x == d.argmax ? 0f : Float.NEGATIVE_INFINITY;
                if (means != null) {
                    means[i] = (float) d.mu;
                    vars[i] = (float) d.variance;
                }
                if (schemeLp != null) {
                    if (scheme.isGreedy()) {
                        schemeLp[i] = x == d.argmax ? 0f : Float.NEGATIVE_INFINITY;
                    } else {
                        double q = d.scheme(scheme)[x];
                        schemeLp[i] = q > 0 ? (float) StrictMath.log(q) : Float.NEGATIVE_INFINITY;
                    }
                }
            }
            out.add(new ScoredSequence(ids.clone(), lp, ranks, means, vars, schemeLp, greedyLp));
        }
        return out;
    }

    @Override
    public boolean givesLogits() {
        return true;
    }

    /** The log-probabilities of the next token as logits (softmax gives the distribution back). */
    @Override
    public List<float[]> nextTokenLogits(List<int[]> prefixes) {
        List<float[]> out = new ArrayList<>(prefixes.size());
        for (int[] prefix : prefixes) {
            double[] logp = next(prefix, prefix.length).logp;
            float[] row = new float[vocab];
            for (int z = 0; z < vocab; z++) {
                row[z] = (float) logp[z];
            }
            out.add(row);
        }
        return out;
    }

    @Override
    public List<Generation> generate(
            List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings) {
        List<Generation> out = new ArrayList<>();
        for (int r = 0; r < prefixes.size(); r++) {
            int[] prefix = prefixes.get(r);
            SplittableRandom rng = new SplittableRandom(rowSeeds[r]);
            int[] seq = Arrays.copyOf(prefix, prefix.length + settings.maxNewTokens());
            float[] lps = new float[settings.maxNewTokens()];
            int produced = 0;
            boolean stopped = false;
            while (produced < settings.maxNewTokens() && prefix.length + produced < MAX_LENGTH) {
                int at = prefix.length + produced;
                Dist d = next(seq, at);
                int token = settings.isGreedy() ? d.argmax : draw(d.scheme(settings), rng);
                seq[at] = token;
                lps[produced++] = (float) d.logp[token];
                if (settings.stopAtEos() && token == eos) {
                    stopped = true;
                    break;
                }
            }
            out.add(
                    new Generation(
                            prefix.clone(),
                            Arrays.copyOfRange(seq, prefix.length, prefix.length + produced),
                            Arrays.copyOf(lps, produced),
                            stopped));
        }
        return out;
    }

    /** Inverse-CDF draw in token-id order; rounding falls back to the last token with mass. */
    private static int draw(double[] q, SplittableRandom rng) {
        double u = rng.nextDouble();
        double cum = 0;
        int last = -1;
        for (int z = 0; z < q.length; z++) {
            if (q[z] > 0) {
                cum += q[z];
                last = z;
                if (cum > u) {
                    return z;
                }
            }
        }
        return last;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
