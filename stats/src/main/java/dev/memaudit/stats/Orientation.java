package dev.memaudit.stats;

/** Which direction of a feature points to membership. */
public enum Orientation {
    LOWER_IS_MEMBER("lower_is_member"),
    HIGHER_IS_MEMBER("higher_is_member");

    private final String label;

    Orientation(String label) {
        this.label = label;
    }

    /** The name used in JSON. */
    public String label() {
        return label;
    }

    /**
     * The orientation of a chunk feature by name (docs/run-folders.md): Min-K% and Min-K%++ ({@code
     * min_k_*}) are higher for members; NLL, perplexity, zlib ratio, lowercase ratio and reference
     * difference are lower for members.
     */
    public static Orientation ofFeature(String name) {
        return name.startsWith("min_k_") ? HIGHER_IS_MEMBER : LOWER_IS_MEMBER;
    }

    /** The value turned so that higher means more member-like. */
    public double memberward(double value) {
        return this == HIGHER_IS_MEMBER ? value : -value;
    }
}
