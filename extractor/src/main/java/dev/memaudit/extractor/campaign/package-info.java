/**
 * Sampling campaigns ({@code memaudit sample --campaign}): prompts built from the indexed works in
 * tiers from plain use to deliberate probing, sampled into a resumable {@code sample} run folder.
 */
package dev.memaudit.extractor.campaign;
