package dev.memaudit.model.canary;

/**
 * One work of a training corpus.
 *
 * @param id the work id (unique within a corpus)
 * @param text its full text
 */
public record CorpusText(String id, String text) {}
