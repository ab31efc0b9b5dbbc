package dev.memaudit.extractor.testing;

import dev.memaudit.core.error.InputRejectedException;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.model.Capabilities;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A backend double over a real model: it answers like the model until its {@code calls} budget of
 * model calls (score and generate) is spent, then fails every call as a dead server does after its
 * retries (exit 4); and it refuses for good, like a server with a shorter context, every input (a
 * scored sequence or a prefix to continue) that {@code refuse} picks. It tests the stages' handling
 * of backend failures, not a model.
 */
public final class FlakyBackend implements LanguageModel {
    private final LanguageModel model;
    private final int calls;
    private final Predicate<int[]> refuse;
    private int made;

    /**
     * @param calls model calls answered before every call fails ({@code Integer.MAX_VALUE}: never)
     * @param refuse picks the inputs (token ids) refused for good
     */
    public FlakyBackend(LanguageModel model, int calls, Predicate<int[]> refuse) {
        this.model = model;
        this.calls = calls;
        this.refuse = refuse;
    }

    /** Model calls made so far, failed ones included. */
    public int calls() {
        return made;
    }

    private void call() {
        made++;
        if (made > calls) {
            throw MemauditException.backend(
                    "http://127.0.0.1:9/v1/completions: connection refused (after 8 retries)",
                    null);
        }
    }

    @Override
    public List<ScoredSequence> score(
            List<int[]> sequences, boolean fullDistributionStats, GenerationSettings scheme) {
        call();
        for (int i = 0; i < sequences.size(); i++) {
            if (refuse.test(sequences.get(i))) {
                throw new InputRejectedException(
                        i,
                        "sequence of "
                                + sequences.get(i).length
                                + " tokens: longer than the context");
            }
        }
        return model.score(sequences, fullDistributionStats, scheme);
    }

    @Override
    public List<Generation> generate(
            List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings) {
        call();
        for (int i = 0; i < prefixes.size(); i++) {
            if (refuse.test(prefixes.get(i))) {
                int n = prefixes.get(i).length + settings.maxNewTokens();
                throw new InputRejectedException(
                        i, "prefix of " + n + " tokens with the new ones: longer than the context");
            }
        }
        return model.generate(prefixes, rowSeeds, settings);
    }

    @Override
    public ModelTokenizer tokenizer() {
        return model.tokenizer();
    }

    @Override
    public String describe() {
        return model.describe();
    }

    @Override
    public Capabilities capabilities() {
        return model.capabilities();
    }

    @Override
    public ModelIdentity identity() {
        return model.identity();
    }

    @Override
    public String address() {
        return model.address();
    }

    @Override
    public Map<String, Object> manifestSection() {
        return model.manifestSection();
    }

    @Override
    public int vocabSize() {
        return model.vocabSize();
    }

    @Override
    public int maxSequenceLength() {
        return model.maxSequenceLength();
    }

    @Override
    public void close() {
        // the wrapped model belongs to the test
    }
}
