package dev.memaudit.index.guard;

import dev.memaudit.core.error.MemauditException;
import java.util.Locale;

/** What the guard does with an answer whose text holds passages of indexed works. */
public enum GuardPolicy {
    /** Pass the answer on, each choice carrying its matches ({@code memaudit.matches}). */
    ANNOTATE,
    /** Refuse the answer: HTTP 451 (a stream: an error event), naming the works. */
    BLOCK,
    /** Replace each matched passage by a short notice naming the work and its licence. */
    REDACT;

    /** The name on the command line and in the log. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The policy named {@code s} (annotate, block or redact). */
    public static GuardPolicy parse(String s) {
        for (GuardPolicy p : values()) {
            if (p.id().equals(s)) {
                return p;
            }
        }
        throw MemauditException.usage(
                "--policy must be annotate, block or redact, got \"" + s + "\"");
    }
}
