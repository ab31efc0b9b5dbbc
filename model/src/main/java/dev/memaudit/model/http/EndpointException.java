package dev.memaudit.model.http;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;

/**
 * A failure of the model server (exit 4): down, refusing, or answering outside the protocol. The
 * message names the URL and the reason, never the API key.
 */
public final class EndpointException extends MemauditException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param status the HTTP status, or -1 when there was no HTTP answer (connection refused,
     *     reset, timeout) or the answer was not the protocol
     */
    public EndpointException(int status, String message, Throwable cause) {
        super(ExitCategory.BACKEND, message, cause);
        this.status = status;
    }

    /** The HTTP status, or -1 when there was no usable HTTP answer. */
    public int status() {
        return status;
    }
}
