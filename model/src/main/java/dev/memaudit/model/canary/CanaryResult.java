package dev.memaudit.model.canary;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a canary training run produced.
 *
 * @param outDir the Hugging Face model folder written
 * @param members member work ids, sorted
 * @param nonMembers non-member work ids (dose 0), sorted
 * @param doses every work's dose by id (0 = non-member)
 * @param steps optimizer steps run
 * @param finalLoss mean training loss (nats per token) over the last steps
 * @param skippedUpdates steps whose update was skipped (non-finite loss or gradient)
 * @param probeTokens a member prefix the trainer scored after training
 * @param probeLogits the trainer's own logits for {@code probeTokens} ([position][vocab]), to check
 *     that the saved folder loads to the same model
 * @param heldOutBackground the background pieces held out of training (token ids), empty without a
 *     background
 */
public record CanaryResult(
        Path outDir,
        List<String> members,
        List<String> nonMembers,
        Map<String, Integer> doses,
        int steps,
        double finalLoss,
        int skippedUpdates,
        int[] probeTokens,
        float[][] probeLogits,
        List<int[]> heldOutBackground) {}
