package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;

/**
 * Settings of the commonness control ({@code extract --prior-prefixes}, {@link
 * WindowRecord.Prior}).
 *
 * @param prefixes K, unrelated prefixes scored per window
 * @param seed the seed their choice derives from (with the work id and window index)
 * @param controls the corpus.yaml whose {@code controls:} add to the unrelated texts; null when
 *     only the index's other works (controls included) are drawn from
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PriorSettings(int prefixes, long seed, @Nullable String controls) {}
