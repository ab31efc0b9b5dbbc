package dev.memaudit.core.error;

/** The process exit code a failure maps to (the CLI contract in DESIGN.md). */
public enum ExitCategory {
    /** A bug or an unexpected state inside memaudit. */
    INTERNAL(1),
    /** The command line itself is wrong (unknown flag, missing argument, bad value). */
    USAGE(2),
    /** A corpus, config, outputs file or other input is malformed or unusable. */
    BAD_INPUT(3),
    /** The model backend is unavailable or answered outside its protocol. */
    BACKEND(4),
    /** A hash, format, version or signature check failed (corrupt or foreign data). */
    INTEGRITY(5);

    private final int code;

    ExitCategory(int code) {
        this.code = code;
    }

    /** The process exit code. */
    public int code() {
        return code;
    }
}
