package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * {@code membership.json} of a canary model folder ({@code memaudit canary train}): the ground
 * truth of which works the canary was trained on, how often, and how it was trained.
 *
 * @param members works in the training stream, sorted by id
 * @param nonMembers works held out, sorted by id
 * @param seed seed of membership choice, initialization and data order
 * @param steps optimizer steps run
 * @param windows training windows in the stream
 * @param passesOverStream steps × batch size / windows
 * @param finalLoss mean training loss over the last steps, nats per token
 * @param skippedSteps steps skipped because the loss was not finite
 * @param settings the model and training settings
 */
@RecordFile(name = "membership.json", version = Membership.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Membership(
        int schemaVersion,
        List<Work> members,
        List<Work> nonMembers,
        long seed,
        int steps,
        int windows,
        double passesOverStream,
        double finalLoss,
        int skippedSteps,
        Settings settings) {

    /** Version of the membership.json layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * @param repetitions times the work appears in the training stream (0 for a non-member)
     * @param tokens its length in the canary's tokens
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Work(String id, int repetitions, int tokens) {}

    /**
     * @param arch the Hugging Face architecture name
     * @param vocabSize the trained tokenizer's vocabulary size
     * @param requestedVocabSize the vocabulary size asked for
     * @param contextLength positions of the model, in tokens
     * @param parameters trainable parameters
     * @param microBatch windows per forward/backward pass (gradients accumulated over the {@code
     *     batchSize} windows of a step)
     * @param weightDecay decoupled (AdamW) weight decay of the weight matrices
     * @param warmupSteps linear learning-rate warm-up steps actually used
     * @param minLearningRateFraction share of the peak rate the cosine decay ends at
     * @param clipNorm global gradient-norm clipping threshold (0 = none)
     *     <p>The last five are absent in files written before they were recorded; those canaries
     *     were trained with micro-batch = batch size, weight decay 0, a warm-up of a tenth of the
     *     steps (at most 50), a floor of 0.1 and clipping at 1.
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
            double learningRate,
            long parameters,
            @OptionalField Integer microBatch,
            @OptionalField Double weightDecay,
            @OptionalField Integer warmupSteps,
            @OptionalField Double minLearningRateFraction,
            @OptionalField Double clipNorm) {}
}
