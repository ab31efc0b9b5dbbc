package dev.memaudit.extractor.ppl;

/**
 * A text to cut into chunks and score.
 *
 * @param set {@code "work"} (a work under audit) or {@code "control"} (a text the model cannot have
 *     seen)
 * @param id the work or control id
 * @param title its title, or null
 * @param text its original text; offsets in records are code points into it
 */
public record PplText(String set, String id, String title, String text) {
    public static final String WORK = "work";
    public static final String CONTROL = "control";

    public PplText {
        if (!WORK.equals(set) && !CONTROL.equals(set)) {
            throw new IllegalArgumentException("set must be work or control, got " + set);
        }
    }
}
