package dev.memaudit.model;

/**
 * One generated continuation.
 *
 * @param prefix the prefix tokens as given
 * @param tokens the generated tokens (not including the prefix)
 * @param logprobs {@code logprobs[i]} = ln p(tokens[i] | prefix, tokens[0..i-1]) under the model's
 *     own distribution (temperature 1, no truncation), natural log
 * @param stoppedAtEos whether generation ended because the row produced the EOS token
 */
public record Generation(int[] prefix, int[] tokens, float[] logprobs, boolean stoppedAtEos) {}
