package dev.memaudit.core.records.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.extract.ExtractConfig;
import dev.memaudit.core.records.meter.ApproxConfig;
import dev.memaudit.core.records.meter.MeterExactConfig;
import dev.memaudit.core.records.meter.MeterValidateConfig;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.prevalence.PrevalenceConfig;
import dev.memaudit.core.records.sample.SampleConfig;
import dev.memaudit.core.records.scan.ScanConfig;
import java.util.Map;

/**
 * The {@code config} of a {@link Manifest} and of {@code run-config.json} ({@link RunConfigFile}):
 * the effective settings of one command, one record type per command (chosen by the file's {@code
 * command}). Components marked {@link NotPinned} may change when a run is resumed; every other one
 * must stay as the run started.
 */
@JsonSubTypes({
    @JsonSubTypes.Type(ScanConfig.class),
    @JsonSubTypes.Type(ExtractConfig.class),
    @JsonSubTypes.Type(SampleConfig.class),
    @JsonSubTypes.Type(PplConfig.class),
    @JsonSubTypes.Type(ReportConfig.class),
    @JsonSubTypes.Type(PrevalenceConfig.class),
    @JsonSubTypes.Type(MeterExactConfig.class),
    @JsonSubTypes.Type(MeterValidateConfig.class),
    @JsonSubTypes.Type(ApproxConfig.class)
})
public interface StageConfig {
    /** The command whose settings these are ({@code @JsonTypeName} of the record). */
    @JsonIgnore
    default String command() {
        return getClass().getAnnotation(JsonTypeName.class).value();
    }

    // Named unlike any record component: Jackson would carry @JsonIgnore over to an accessor
    // that overrode these.

    /** The index folder the stage read, as given; null when it read none. */
    @JsonIgnore
    @Nullable
    default String readIndex() {
        return this instanceof IndexInput i ? i.index() : null;
    }

    /** The uid of the index the stage read; null when it read none. */
    @JsonIgnore
    @Nullable
    default String readIndexUid() {
        return this instanceof IndexInput i ? i.indexUid() : null;
    }

    /** The seeds among the settings, by their config key (empty when there are none). */
    @JsonIgnore
    default Map<String, Long> configSeeds() {
        return Map.of();
    }
}
