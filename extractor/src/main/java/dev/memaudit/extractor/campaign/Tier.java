package dev.memaudit.extractor.campaign;

import dev.memaudit.core.error.MemauditException;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a sampling-campaign prompt asks for text, from plain use to deliberate probing. Reports keep
 * the tiers apart: reproduction under a plain prompt weighs differently from reproduction that a
 * prompt naming the work had to ask for.
 */
public enum Tier {
    /** The opening of a work, as a plain text to continue. */
    PLAIN,
    /** An instruction naming the work ("Continue this passage from …") followed by its opening. */
    INSTRUCTION,
    /** Only the work's title and authors, no text of the work. */
    TITLE,
    /** No prompt at all: generation from the beginning-of-sequence token. */
    UNCONDITIONED;

    /** The name used in files and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Tier parse(String s) {
        for (Tier t : values()) {
            if (t.id().equals(s.trim())) {
                return t;
            }
        }
        throw MemauditException.usage(
                "tier must be one of "
                        + Arrays.stream(values()).map(Tier::id).toList()
                        + ", got "
                        + s);
    }
}
