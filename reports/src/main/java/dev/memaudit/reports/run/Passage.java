package dev.memaudit.reports.run;

import java.util.List;

/**
 * A model output beside the work's original, for reading side by side. Each side is a list of
 * segments; {@code shared} segments are the words both texts have.
 *
 * @param source {@code scan} (a span of a scanned output) or {@code extract} (an attempt)
 * @param label the output id, or {@code window w, attempt a (scheme)} for an attempt
 * @param outputCharStart code-point offset of the shared span in the output, null when unknown
 * @param workCharStart code-point offset into the work's original text (half-open with end)
 * @param words the span's length in normalized words (scan), or the longest common token run
 * @param model segments of the model's text, null when the text is not available
 * @param original segments of the work's text, null when the text is not available
 * @param near for a near-verbatim passage of the scan, its similarity, edits and alignment; null
 *     for an exact span and for an attempt
 * @param chanceLog10 the scan's chance score of the passage (spans.jsonl {@code chance_log10});
 *     null when the scan had no background text, and for an attempt
 */
public record Passage(
        String source,
        String label,
        Integer outputCharStart,
        Integer outputCharEnd,
        Integer workCharStart,
        Integer workCharEnd,
        Integer words,
        Integer tokens,
        boolean exact,
        List<Segment> model,
        List<Segment> original,
        Near near,
        Double chanceLog10) {

    /** An exact span, or an attempt. */
    public Passage(
            String source,
            String label,
            Integer outputCharStart,
            Integer outputCharEnd,
            Integer workCharStart,
            Integer workCharEnd,
            Integer words,
            Integer tokens,
            boolean exact,
            List<Segment> model,
            List<Segment> original) {
        this(
                source,
                label,
                outputCharStart,
                outputCharEnd,
                workCharStart,
                workCharEnd,
                words,
                tokens,
                exact,
                model,
                original,
                null,
                null);
    }

    /** The same passage with the texts of both sides. */
    public Passage withSides(List<Segment> model, List<Segment> original) {
        return new Passage(
                source,
                label,
                outputCharStart,
                outputCharEnd,
                workCharStart,
                workCharEnd,
                words,
                tokens,
                exact,
                model,
                original,
                near,
                chanceLog10);
    }

    /**
     * A near-verbatim passage's figures (see spans.jsonl).
     *
     * @param wordsWork normalized words of the work side ({@code words} is the output side)
     */
    public record Near(double similarity, int editDistance, int wordsWork, String alignment) {}

    /**
     * A run of text, {@code shared} when the other side has the same words here, {@code edit} when
     * it is a word of a near-verbatim passage that the other side does not have there (substituted,
     * inserted or deleted).
     */
    public record Segment(String text, boolean shared, boolean edit) {
        public Segment(String text, boolean shared) {
            this(text, shared, false);
        }
    }
}
