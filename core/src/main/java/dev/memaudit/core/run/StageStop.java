package dev.memaudit.core.run;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one message a model-calling stage stops with when its backend fails after its retries: what
 * is done (and kept), what remains, the cause, and how to continue. Nothing that failed is
 * recorded, so {@code --resume} runs exactly the remaining items.
 */
public final class StageStop {
    private StageStop() {}

    /** Whether {@code e} is a backend failure (exit 4) that must stop the stage. */
    public static boolean isBackendFailure(RuntimeException e) {
        return e instanceof MemauditException me && me.category() == ExitCategory.BACKEND;
    }

    /**
     * A backend failure (exit 4) wrapping {@code cause}.
     *
     * @param stage the stage and phase, e.g. {@code "extract attempts"}
     * @param done items of this phase recorded (earlier runs included)
     * @param total items of this phase, or -1 when not known (a streamed input)
     * @param unit what an item is, plural ("windows", "attempts", "chunks", "samples")
     * @param ledger where the done items are
     * @param resumable whether the command continues with {@code --resume}
     */
    public static MemauditException backend(
            String stage,
            long done,
            long total,
            String unit,
            Path ledger,
            boolean resumable,
            RuntimeException cause) {
        long left = Math.max(0, total - done);
        String message =
                String.format(
                        Locale.ROOT,
                        "%s stopped: the model backend failed: %s. Done: %d%s %s (kept in %s);"
                                + " remaining: %s. Nothing that failed was recorded.%s",
                        stage,
                        cause.getMessage(),
                        done,
                        total < 0 ? "" : " of " + total,
                        unit,
                        ledger,
                        total < 0 ? "the rest of the input" : Long.toString(left),
                        resumable
                                ? " Run the same command with --resume (the same model at"
                                        + " another URL is fine) to do exactly the remaining "
                                        + left
                                        + "."
                                : "");
        return new MemauditException(ExitCategory.BACKEND, message, cause);
    }
}
