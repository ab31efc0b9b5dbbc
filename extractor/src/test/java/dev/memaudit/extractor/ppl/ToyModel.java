package dev.memaudit.extractor.ppl;

import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.canary.BpeTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A language model with a known, context-free next-token distribution over a real BPE tokenizer:
 * p(z) ∝ (z mod 7) + 1, or uniform. Its scores can be computed by hand, so tests of the ppl stage
 * check exact feature values. {@code fullDistribution = false} behaves like an HTTP backend that
 * gives no μ/σ² (Min-K%++ not measurable).
 */
final class ToyModel implements LanguageModel {
    private final ModelTokenizer tokenizer;
    private final boolean fullDistribution;
    private final boolean uniform;
    private final int maxLength;
    int scoreCalls;

    ToyModel(ModelTokenizer tokenizer, boolean fullDistribution, boolean uniform, int maxLength) {
        this.tokenizer = tokenizer;
        this.fullDistribution = fullDistribution;
        this.uniform = uniform;
        this.maxLength = maxLength;
    }

    /** Words drawn with a seed: text written for the test, no real work. */
    static String text(long seed, int words) {
        String[] vocab = {
            "lantern", "harbour", "copper", "gull", "tide", "ledger", "salt", "kiln", "weather",
            "ferry", "orchard", "the", "a", "of", "and", "under", "quiet", "north", "rope", "glass"
        };
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String w = vocab[r.nextInt(vocab.length)];
            b.append(i % 9 == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
            b.append(i % 9 == 8 ? ". " : " ");
        }
        return b.toString().trim();
    }

    static ModelTokenizer tokenizer(Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        List<String> corpus = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            corpus.add(text(s, 400));
            corpus.add(text(s, 400).toLowerCase(java.util.Locale.ROOT));
        }
        BpeTrainer.train(corpus, 300).write(file);
        return ModelTokenizer.load(file);
    }

    double p(int z) {
        int v = tokenizer.vocabSize();
        if (uniform) {
            return 1.0 / v;
        }
        double norm = 0;
        for (int i = 0; i < v; i++) {
            norm += i % 7 + 1;
        }
        return (z % 7 + 1) / norm;
    }

    @Override
    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String describe() {
        return "toy";
    }

    @Override
    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    @Override
    public int maxSequenceLength() {
        return maxLength;
    }

    @Override
    public List<ScoredSequence> score(
            List<int[]> sequences, boolean fullDistributionStats, GenerationSettings scheme) {
        scoreCalls++;
        double mu = 0;
        double second = 0;
        for (int z = 0; z < vocabSize(); z++) {
            double lp = Math.log(p(z));
            mu += p(z) * lp;
            second += p(z) * lp * lp;
        }
        List<ScoredSequence> out = new ArrayList<>();
        for (int[] ids : sequences) {
            if (ids.length > maxLength) {
                throw new IllegalArgumentException("too long");
            }
            float[] lp = new float[ids.length];
            float[] means =
                    fullDistribution && fullDistributionStats ? new float[ids.length] : null;
            float[] vars = means == null ? null : new float[ids.length];
            lp[0] = Float.NaN;
            for (int i = 1; i < ids.length; i++) {
                lp[i] = (float) Math.log(p(ids[i]));
                if (means != null) {
                    means[i] = (float) mu;
                    vars[i] = (float) (second - mu * mu);
                }
            }
            if (means != null) {
                means[0] = Float.NaN;
                vars[0] = Float.NaN;
            }
            out.add(new ScoredSequence(ids, lp, new int[ids.length], means, vars, null, null));
        }
        return out;
    }

    @Override
    public List<Generation> generate(
            List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings) {
        throw new UnsupportedOperationException("not needed by ppl");
    }

    @Override
    public void close() {}
}
