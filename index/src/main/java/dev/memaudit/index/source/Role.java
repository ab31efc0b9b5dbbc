package dev.memaudit.index.source;

/** Whether a corpus entry is a work under audit or a control text the model cannot have seen. */
public enum Role {
    /** A rightsholder's work, listed under {@code works:}. */
    WORK,
    /**
     * A control text (e.g. published after the model's training cutoff), under {@code controls:}.
     */
    CONTROL
}
