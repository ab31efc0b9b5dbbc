package dev.memaudit.index.source;

/**
 * A work exceeds one of its {@link ReadLimits}: thrown by a reader (also from inside a parser
 * library's callbacks, hence unchecked) and turned by {@link CorpusLoader} into a FAILED {@link
 * WorkProblem} that names the limit; it never reaches the user as an exception.
 */
public final class OverLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ReadLimits.Key limit;

    /** Use {@link ReadLimits#exceeded}, which words the message. */
    OverLimitException(ReadLimits.Key limit, String message) {
        super(message, null, false, false);
        this.limit = limit;
    }

    /** The limit that was exceeded. */
    public ReadLimits.Key limit() {
        return limit;
    }
}
