/**
 * Influence metering: behaviours (texts whose likelihood a work may move), their scoring, and the
 * approximations of a work's influence for models that cannot be retrained.
 */
package dev.memaudit.model.influence;
