package dev.memaudit.index.source;

import java.util.List;

/**
 * What a single-work reader got out of a file: the original text, and metadata the file itself
 * declares (used only where the manifest gives none).
 *
 * @param text the original text
 * @param title the title declared in the file, or null
 * @param authors the authors declared in the file, empty when none
 */
public record ExtractedText(String text, String title, List<String> authors) {

    public ExtractedText {
        authors = authors == null ? List.of() : List.copyOf(authors);
    }

    /** Text without metadata of its own. */
    public static ExtractedText of(String text) {
        return new ExtractedText(text, null, List.of());
    }
}
