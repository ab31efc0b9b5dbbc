/**
 * {@code memaudit verify --replay}: {@link dev.memaudit.audit.replay.AttemptReplay}, a check of the
 * reports module's verifier that re-runs recorded extraction attempts with the model.
 */
package dev.memaudit.audit.replay;
