package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Chained greedy reconstruction of one work: the model gets the work's first prefix tokens and
 * keeps generating greedily from its own output; counted is how many tokens come out in order.
 *
 * @param tokensGenerated tokens generated in all
 * @param tokensInOrder leading generated tokens equal to the work's
 * @param share {@code tokensInOrder / (work tokens − prefix tokens)}, 0 when nothing follows
 * @param charEnd code-point offset where the reproduced text ends (the prefix's end when none)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Reconstruction(int tokensGenerated, int tokensInOrder, double share, int charEnd) {}
