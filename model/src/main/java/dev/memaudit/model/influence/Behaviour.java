package dev.memaudit.model.influence;

/**
 * A behaviour whose likelihood a work may influence: the log-probability of {@code text} after
 * {@code prompt}.
 *
 * @param id unique id
 * @param prompt text before it, or null for none
 * @param text the scored text (non-empty)
 * @param kind {@code own}, {@code style}, {@code generation}, {@code unrelated} or {@code given}
 *     (see {@link dev.memaudit.core.records.meter.InfluenceRecord})
 * @param workId the work it belongs to ({@code own}, {@code style}, {@code generation}), or null
 */
public record Behaviour(String id, String prompt, String text, String kind, String workId) {}
