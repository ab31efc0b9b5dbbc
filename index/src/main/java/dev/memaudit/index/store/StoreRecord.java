package dev.memaudit.index.store;

import dev.memaudit.core.text.NormalizedWords;

/**
 * One work as the works store holds it: its id, original text (UTF-8), and normalized words (hashes
 * and code-point offsets into the original text).
 */
public record StoreRecord(String id, byte[] textUtf8, int codePoints, NormalizedWords words) {}
