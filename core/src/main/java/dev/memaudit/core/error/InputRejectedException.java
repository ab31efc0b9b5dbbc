package dev.memaudit.core.error;

/**
 * A backend's refusal of one input that no retry can change (a prompt longer than the model's
 * context, an empty sequence): a property of that input, not of the backend's health. Batch stages
 * record the input as skipped with this message as its reason and go on; every other backend
 * failure (exit 4) stops the stage. Exit 3 when it reaches the user.
 */
public final class InputRejectedException extends MemauditException {
    private static final long serialVersionUID = 1L;

    private final int row;

    /**
     * @param row the rejected input's 0-based position in the call's batch, or -1 when the backend
     *     cannot tell which input it was
     * @param message why, naming the input's size and the backend's limit
     */
    public InputRejectedException(int row, String message) {
        super(ExitCategory.BAD_INPUT, message);
        this.row = row;
    }

    /** The rejected input's position in the batch, or -1 when unknown. */
    public int row() {
        return row;
    }
}
