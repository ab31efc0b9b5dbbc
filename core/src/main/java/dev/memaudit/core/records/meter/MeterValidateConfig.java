package dev.memaudit.core.records.meter;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.run.StageConfig;
import java.util.List;

/**
 * The {@code config} of a {@code meter validate} folder's manifest: which exact run the
 * approximations were compared with, and how.
 *
 * @param exact the meter exact folder, as given
 * @param exactInfluenceSha256 SHA-256 of its {@code influence.jsonl}
 * @param methods the approximate methods run, in order
 * @param topK the k of top-k agreement
 * @param seed seed of the approximations (projection, retain sample) and of the bootstrap
 * @param approxArgs further {@code meter approx} options passed to every method, as given
 */
@JsonTypeName("meter validate")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MeterValidateConfig(
        String exact,
        String exactInfluenceSha256,
        List<String> methods,
        int topK,
        long seed,
        List<String> approxArgs)
        implements StageConfig {}
