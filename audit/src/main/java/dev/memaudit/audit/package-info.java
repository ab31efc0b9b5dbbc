/**
 * {@code memaudit audit}: one YAML file ({@link dev.memaudit.audit.AuditConfig}, every key listed
 * there) becomes a plan of stages, each the memaudit command a user would type, run in this process
 * through {@link dev.memaudit.audit.StageCommands} (the cli module gives it picocli's command line)
 * by {@link dev.memaudit.audit.AuditRunner}, which skips current stages, resumes interrupted ones
 * and moves superseded ones aside, recording each in {@code audit-state.json}.
 *
 * <p>The subpackages are the other services that join stages of different modules: canary training
 * and calibration on a corpus ({@code canary}), re-running recorded attempts for {@code verify
 * --replay} ({@code replay}) and the texts a report shows passages against ({@code report}).
 */
package dev.memaudit.audit;
