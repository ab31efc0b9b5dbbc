package dev.memaudit.reports.html;

import gg.jte.TemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;

/**
 * jte's HTML output with this project's escaping: every {@code ${}} string, in element text and in
 * quoted attribute values alike, goes through {@link Html#esc} (all five metacharacters escaped,
 * stray control characters and lone surrogates replaced), so text from a run folder can neither
 * close an element nor leave an attribute, and cannot make the UTF-8 writer fail. A template that
 * puts a value where this escaping is not enough (an event handler, a script or style element)
 * fails the rendering instead of writing it.
 */
final class ReportOutput extends OwaspHtmlTemplateOutput {
    ReportOutput(TemplateOutput out) {
        super(out);
    }

    @Override
    public void setContext(String tagName, String attributeName) {
        if (attributeName != null
                && attributeName.toLowerCase(java.util.Locale.ROOT).startsWith("on")) {
            throw new IllegalStateException(
                    "a report template writes a value into the event handler " + attributeName);
        }
        if ("script".equals(tagName) || "style".equals(tagName)) {
            throw new IllegalStateException(
                    "a report template writes a value inside <" + tagName + ">");
        }
        super.setContext(tagName, attributeName);
    }

    @Override
    public void writeUserContent(String value) {
        if (value != null) {
            writeContent(Html.esc(value));
        }
    }
}
