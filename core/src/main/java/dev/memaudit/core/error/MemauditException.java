package dev.memaudit.core.error;

/**
 * A failure with a message meant for the user and the exit code it maps to. Messages name the file,
 * line and reason where there is one; the CLI prints the message without a stack trace.
 */
public class MemauditException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitCategory category;

    public MemauditException(ExitCategory category, String message) {
        super(message);
        this.category = category;
    }

    public MemauditException(ExitCategory category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    public ExitCategory category() {
        return category;
    }

    /** Malformed or unusable input (exit 3). */
    public static MemauditException badInput(String message) {
        return new MemauditException(ExitCategory.BAD_INPUT, message);
    }

    /** Malformed or unusable input (exit 3), with the underlying cause. */
    public static MemauditException badInput(String message, Throwable cause) {
        return new MemauditException(ExitCategory.BAD_INPUT, message, cause);
    }

    /** Corrupt, tampered or foreign data (exit 5). */
    public static MemauditException integrity(String message) {
        return new MemauditException(ExitCategory.INTEGRITY, message);
    }

    /** Corrupt, tampered or foreign data (exit 5), with the underlying cause. */
    public static MemauditException integrity(String message, Throwable cause) {
        return new MemauditException(ExitCategory.INTEGRITY, message, cause);
    }

    /** The model backend failed (exit 4). */
    public static MemauditException backend(String message, Throwable cause) {
        return new MemauditException(ExitCategory.BACKEND, message, cause);
    }

    /** A bad command-line value (exit 2). */
    public static MemauditException usage(String message) {
        return new MemauditException(ExitCategory.USAGE, message);
    }
}
