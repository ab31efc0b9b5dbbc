package dev.memaudit.core.records.sample;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Decoding settings of a sample campaign, as each generation and the config record them.
 *
 * @param maxNewTokens most tokens generated per sample
 * @param temperature sampling temperature (0 = greedy)
 * @param topK keep the k most likely tokens (0 = all)
 * @param topP keep the smallest set of tokens with this much probability (1 = all)
 * @param stopAtEos stop a sample at the end-of-sequence token
 * @param baseSeed the campaign seed every sample's own seed is derived from
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder(alphabetic = true)
public record SampleSettings(
        int maxNewTokens,
        double temperature,
        int topK,
        double topP,
        boolean stopAtEos,
        long baseSeed) {}
