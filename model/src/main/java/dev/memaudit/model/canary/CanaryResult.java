package dev.memaudit.model.canary;

import java.nio.file.Path;
import java.util.List;

/**
 * What a canary training run produced.
 *
 * @param outDir the Hugging Face model folder written
 * @param members member work ids, sorted
 * @param nonMembers non-member work ids, sorted
 * @param steps optimizer steps run
 * @param finalLoss mean training loss (nats per token) over the last steps
 * @param skippedUpdates steps whose update was skipped (non-finite loss or gradient)
 * @param probeTokens a member prefix the trainer scored after training
 * @param probeLogits the trainer's own logits for {@code probeTokens} ([position][vocab]), to check
 *     that the saved folder loads to the same model
 */
public record CanaryResult(
        Path outDir,
        List<String> members,
        List<String> nonMembers,
        int steps,
        double finalLoss,
        int skippedUpdates,
        int[] probeTokens,
        float[][] probeLogits) {}
