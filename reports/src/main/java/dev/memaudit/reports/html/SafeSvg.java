package dev.memaudit.reports.html;

import gg.jte.Content;
import gg.jte.TemplateOutput;

/**
 * Inline SVG markup that {@link Svg} built from numbers, colours of its own and escaped labels: the
 * only markup a template writes unescaped ({@code ${svg}} writes it as it is). It cannot be made
 * from a string outside this package, so no text from a run folder can reach the page unescaped.
 */
public final class SafeSvg implements Content {
    /** No chart (a box plot without a finite value). */
    static final SafeSvg EMPTY = new SafeSvg("");

    private final String markup;

    SafeSvg(String markup) {
        this.markup = markup;
    }

    @Override
    public void writeTo(TemplateOutput output) {
        output.writeContent(markup);
    }

    @Override
    public boolean isEmptyContent() {
        return markup.isEmpty();
    }

    @Override
    public String toString() {
        return markup;
    }
}
