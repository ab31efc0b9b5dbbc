package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * {@code membership.json} of a canary model folder ({@code memaudit canary train}): the ground
 * truth of which works the canary was trained on, at which dose, when its copies were seen, what
 * background text it learned language from, and how it was trained.
 *
 * @param members works in the training stream (dose ≥ 1), sorted by id
 * @param nonMembers works held out (dose 0), sorted by id
 * @param background the background text, or null when the canary was trained on its members alone
 * @param seed seed of membership choice, initialization and data order
 * @param steps optimizer steps run
 * @param windows training windows in one pass over the stream
 * @param passesOverStream steps × batch size / windows
 * @param finalLoss mean training loss over the last steps, nats per token
 * @param skippedSteps steps skipped because the loss was not finite
 * @param evaluation what the trained canary gives its works and held-out background (teacher
 *     forced), or null when not measured
 * @param settings the model and training settings
 * @param counterfactual for a counterfactual canary, what was withheld; absent otherwise
 */
@RecordFile(name = "membership.json", version = Membership.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Membership(
        int schemaVersion,
        List<Work> members,
        List<Work> nonMembers,
        @Nullable Background background,
        long seed,
        int steps,
        int windows,
        double passesOverStream,
        double finalLoss,
        int skippedSteps,
        @Nullable Evaluation evaluation,
        Settings settings,
        @OptionalField Counterfactual counterfactual) {

    /** Without a counterfactual section (an ordinary canary). */
    public Membership(
            int schemaVersion,
            List<Work> members,
            List<Work> nonMembers,
            Background background,
            long seed,
            int steps,
            int windows,
            double passesOverStream,
            double finalLoss,
            int skippedSteps,
            Evaluation evaluation,
            Settings settings) {
        this(
                schemaVersion,
                members,
                nonMembers,
                background,
                seed,
                steps,
                windows,
                passesOverStream,
                finalLoss,
                skippedSteps,
                evaluation,
                settings,
                null);
    }

    /**
     * How a counterfactual canary ({@code memaudit meter exact}) differs from the canary it pairs
     * with: the same seed, data order and steps, with each withheld work's copies replaced by as
     * many background tokens from outside the training budget (so every other window and step is
     * unchanged); the withheld works are listed as non-members.
     *
     * @param dataSeed the seed that chose the background pieces trained on and held out (the
     *     canary's own seed unless a seed-variation run keeps another canary's data)
     * @param withheld the works whose copies were replaced, sorted by id
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Counterfactual(long dataSeed, List<Withheld> withheld) {
        public Counterfactual {
            withheld = List.copyOf(withheld);
        }
    }

    /**
     * @param id the withheld work
     * @param dose the copies it has in the paired canary, each replaced here
     * @param fillerTokens background tokens laid where its copies would be (dose × its tokens)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Withheld(String id, int dose, long fillerTokens) {}

    /** Version of the membership.json layout (2: doses, background, steps seen, evaluation). */
    public static final int SCHEMA_VERSION = 2;

    /**
     * @param dose copies of the work in one pass over the training stream (0 for a non-member)
     * @param tokens its length in the canary's tokens
     * @param seenAtSteps the optimizer steps (1-based, ascending, distinct) whose batch held any of
     *     its tokens; empty for a non-member
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Work(String id, int dose, int tokens, List<Integer> seenAtSteps) {
        public Work {
            seenAtSteps = List.copyOf(seenAtSteps);
        }
    }

    /**
     * The background text: documents the canary learned language from, never members, controls or
     * audited works.
     *
     * @param source the folder or corpus.yaml given
     * @param files every background file read, in the order given
     * @param tokens background tokens in the training stream
     * @param heldOutTokens background tokens kept out of training to measure the language model
     * @param requestedTokens the background-token budget asked for
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Background(
            String source,
            List<BackgroundFile> files,
            long tokens,
            long heldOutTokens,
            long requestedTokens) {
        public Background {
            files = List.copyOf(files);
        }
    }

    /**
     * @param id the background entry's id
     * @param path the file as read (absolute)
     * @param sha256 lower-case hex SHA-256 of the file's bytes
     * @param tokens its length in the canary's tokens, or null for a file left out (not tokenized)
     * @param usedTokens of them, tokens in training or held out (0 when the budget ran out before
     *     it or it was left out)
     * @param excluded why the file was left out (it contains the text of an audited work), or null
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BackgroundFile(
            String id,
            String path,
            String sha256,
            @Nullable Long tokens,
            long usedTokens,
            @Nullable String excluded) {}

    /**
     * Teacher-forced scores of the trained canary, through the runtime's scoring path.
     *
     * @param heldOutBackgroundNll mean negative log-likelihood of the held-out background, nats per
     *     token, or null without a background
     * @param works per work (members and non-members), sorted by id
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Evaluation(@Nullable Double heldOutBackgroundNll, List<WorkScore> works) {
        public Evaluation {
            works = List.copyOf(works);
        }
    }

    /**
     * @param nll mean negative log-likelihood of the work's tokens, nats per token
     * @param top1 share of its tokens that are the canary's most likely next token
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WorkScore(String id, int dose, double nll, double top1) {}

    /**
     * @param arch the Hugging Face architecture name
     * @param vocabSize the trained tokenizer's vocabulary size
     * @param requestedVocabSize the vocabulary size asked for
     * @param contextLength positions of the model, in tokens
     * @param repeat the dose of members named without one ({@code --repeat})
     * @param doses the dose ladder the works were assigned to round-robin, or null
     * @param parameters trainable parameters
     * @param microBatch windows per forward/backward pass (gradients accumulated over the {@code
     *     batchSize} windows of a step)
     * @param weightDecay decoupled (AdamW) weight decay of the weight matrices
     * @param warmupSteps linear learning-rate warm-up steps actually used
     * @param minLearningRateFraction share of the peak rate the cosine decay ends at
     * @param clipNorm global gradient-norm clipping threshold (0 = none)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Settings(
            String arch,
            int vocabSize,
            int requestedVocabSize,
            int hidden,
            int layers,
            int heads,
            int intermediate,
            int contextLength,
            int batchSize,
            int repeat,
            @Nullable List<Integer> doses,
            double learningRate,
            long parameters,
            int microBatch,
            double weightDecay,
            int warmupSteps,
            double minLearningRateFraction,
            double clipNorm) {}
}
