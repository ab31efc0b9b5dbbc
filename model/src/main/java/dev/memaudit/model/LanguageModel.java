package dev.memaudit.model;

import dev.memaudit.core.records.run.ModelIdentity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A causal language model whose per-token probabilities can be read exactly.
 *
 * <p>Units: every log-probability is a natural logarithm; every position and length counts model
 * tokens, 0-based. Implementations hold native resources: close them.
 */
public interface LanguageModel extends AutoCloseable {

    /** The model's tokenizer (owned by the model: do not close it separately). */
    ModelTokenizer tokenizer();

    /** A short description: architecture, size, source folder. */
    String describe();

    /**
     * What this backend measures exactly; a remote server may lack prompt log-probs, the full
     * distribution or exact ranks. Local models measure everything.
     */
    default Capabilities capabilities() {
        return Capabilities.local("local tokenizer.json");
    }

    /**
     * The backend's provenance for a run manifest ({@code RunManifest.section("backend", …)}):
     * description, probed capabilities, tokenization source. Never contains credentials.
     */
    default Map<String, Object> manifestSection() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("description", describe());
        m.putAll(capabilities().toMap());
        return m;
    }

    /**
     * What the model is, never where it is served (a run pins it for {@code --resume}): a local
     * folder's weight and tokenizer hashes, a server's model name, reported id, context length and
     * tokenizer fingerprint. This default, for backends that say nothing more, is the description,
     * the context length and the tokenizer fingerprint.
     */
    default ModelIdentity identity() {
        return new ModelIdentity(
                describe(),
                null,
                null,
                null,
                null,
                maxSequenceLength(),
                ModelIdentities.tokenizerFingerprint(tokenizer()));
    }

    /**
     * Where the model is served from (a folder, a server's base URL; never a credential), recorded
     * in the manifest of every run it served.
     */
    default String address() {
        return describe();
    }

    /**
     * Number of rows in the output distribution (config {@code vocab_size}); 0 when a remote
     * backend does not say.
     */
    int vocabSize();

    /** Longest sequence (prefix plus generated tokens) the model accepts, in tokens. */
    int maxSequenceLength();

    /**
     * Teacher-forced scoring of token sequences. Sequences may have different lengths; each is
     * scored exactly as if it were alone.
     *
     * @param sequences token ids, each of length ≥ 1 and ≤ {@link #maxSequenceLength()}
     * @param fullDistributionStats also compute μ and σ² of log p under the model's own next-token
     *     distribution at every position (Min-K%++); costs one more pass over the vocabulary
     * @return one result per sequence, in input order
     */
    default List<ScoredSequence> score(List<int[]> sequences, boolean fullDistributionStats) {
        return score(sequences, fullDistributionStats, null);
    }

    /**
     * Like {@link #score(List, boolean)}, and also the log-probability of every token under a
     * decoding scheme ({@link ScoredSequence#schemeLogprobs()}), from the same teacher-forced pass.
     *
     * @param scheme the decoding scheme, or null for none; only temperature, top-k and top-p are
     *     used
     */
    List<ScoredSequence> score(
            List<int[]> sequences, boolean fullDistributionStats, GenerationSettings scheme);

    /**
     * Whether {@link #nextTokenLogits} is available: the backend gives the whole next-token
     * distribution (a local model), not just a top list (a server).
     */
    default boolean givesLogits() {
        return false;
    }

    /**
     * The model's raw next-token logits after each prefix (vocabulary-long rows), from one padded
     * forward pass; the caller bounds the batch.
     *
     * @throws UnsupportedOperationException when {@link #givesLogits()} is false
     */
    default List<float[]> nextTokenLogits(List<int[]> prefixes) {
        throw new UnsupportedOperationException(
                describe() + " gives no whole next-token distribution");
    }

    /**
     * Generates a continuation of every prefix. Rows are independent: the random stream of row r is
     * derived from {@code settings.seed()} and r only, so a row's output does not depend on the
     * other rows of the batch.
     *
     * @param prefixes token ids; an empty prefix starts from the beginning-of-sequence token
     * @return one generation per prefix, in input order
     */
    default List<Generation> generate(List<int[]> prefixes, GenerationSettings settings) {
        long[] seeds = new long[prefixes.size()];
        for (int r = 0; r < seeds.length; r++) {
            seeds[r] = rowSeed(settings.seed(), r);
        }
        return generate(prefixes, seeds, settings);
    }

    /**
     * Generates with an explicit random seed per row ({@code settings.seed()} is ignored). A row's
     * output depends only on its prefix, its seed and the settings, never on the other rows.
     */
    List<Generation> generate(List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings);

    /** The seed of row {@code r} of a call seeded with {@code seed} (SplitMix64 finalizer). */
    static long rowSeed(long seed, long r) {
        long z = seed * 0x9E3779B97F4A7C15L + r + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    void close();
}
