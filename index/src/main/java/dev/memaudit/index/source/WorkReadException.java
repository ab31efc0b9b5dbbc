package dev.memaudit.index.source;

/**
 * A whole file could not be read as a work. {@link CorpusLoader} turns it into a {@link
 * WorkProblem}; it never reaches the user as an exception.
 */
public final class WorkReadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final WorkProblem.Kind kind;
    private final Integer line;

    public WorkReadException(WorkProblem.Kind kind, String reason) {
        this(kind, null, reason, null);
    }

    public WorkReadException(WorkProblem.Kind kind, Integer line, String reason, Throwable cause) {
        super(reason, cause);
        this.kind = kind;
        this.line = line;
    }

    /** A file that is corrupt or not what it claims to be. */
    public static WorkReadException failed(String reason) {
        return new WorkReadException(WorkProblem.Kind.FAILED, reason);
    }

    /** A file that is corrupt, with the library exception that said so. */
    public static WorkReadException failed(String reason, Throwable cause) {
        return new WorkReadException(WorkProblem.Kind.FAILED, null, reason, cause);
    }

    /** A well-formed file that holds no usable text. */
    public static WorkReadException skipped(String reason) {
        return new WorkReadException(WorkProblem.Kind.SKIPPED, reason);
    }

    public WorkProblem.Kind kind() {
        return kind;
    }

    /** The 1-based line the problem is on, or null. */
    public Integer line() {
        return line;
    }
}
