/**
 * Strict YAML configuration files ({@code audit.yaml}): every key's line is kept, unknown and
 * duplicate keys are errors, and all problems of a file are reported at once.
 */
package dev.memaudit.core.config;
