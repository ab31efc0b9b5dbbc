/**
 * Cutting works into extraction windows (prefix, true suffix) in the audited model's tokens, with
 * exact code-point offsets into the original text.
 */
package dev.memaudit.extractor.window;
