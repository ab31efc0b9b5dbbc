package dev.memaudit.reports.md;

import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.html.Format;
import dev.memaudit.reports.run.RunView;
import dev.memaudit.reports.run.WorkView;
import java.util.List;

/**
 * {@code summary.md}: the findings in a few lines and a table, for pasting into an issue or a mail.
 * Untrusted strings are escaped so that they render as the text they are (no links, no HTML, no
 * table breaks).
 */
public final class SummaryMarkdown {
    private SummaryMarkdown() {}

    public static String render(RunView view, ReportInfo info) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Memorization audit: ")
                .append(md(info.runName()))
                .append("\n\nmemaudit ")
                .append(md(info.toolVersion()))
                .append(", generated ")
                .append(md(info.generatedUtc()))
                .append(". Full report: `report.html`; data: `report.json`, `works.csv`,")
                .append(" `spans.csv`.\n\n");
        for (String stage : new String[] {"scan", "extract", "ppl"}) {
            sb.append("- ")
                    .append(stage)
                    .append(view.ran(stage) ? ": ran" : ": did not run")
                    .append('\n');
        }
        sb.append("\n| work | title | longest span (words) | spans | coverage p_z≥0.1 |")
                .append(" greedy windows | exact/tries | p | p Holm | p BH |\n")
                .append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (WorkView w : view.works()) {
            WorkView.Scan s = w.scan();
            WorkView.Extract e = w.extract();
            WorkView.Ppl p = w.ppl();
            sb.append("| ")
                    .append(md(w.workId()))
                    .append(" | ")
                    .append(md(w.title() == null ? "" : w.title()))
                    .append(" | ")
                    .append(s == null ? Format.NA : Format.integer(s.longestSpanWords()))
                    .append(" | ")
                    .append(s == null ? Format.NA : Format.integer(s.spans()))
                    .append(" | ")
                    .append(e == null ? Format.NA : Format.percent(e.coverage().get("0.1")))
                    .append(" | ")
                    .append(e == null ? Format.NA : Format.integer(e.greedyExtractableWindows()))
                    .append(" | ")
                    .append(e == null ? Format.NA : e.ledger().exact() + "/" + e.ledger().total())
                    .append(" | ")
                    .append(p == null ? Format.NA : Format.p(p.p()))
                    .append(" | ")
                    .append(p == null ? Format.NA : Format.p(p.pHolm()))
                    .append(" | ")
                    .append(p == null ? Format.NA : Format.p(p.pBh()))
                    .append(" |\n");
        }
        List<String> notes =
                view.notes().stream()
                        .filter(n -> !n.endsWith("did not run in this run folder."))
                        .toList();
        if (!notes.isEmpty()) {
            sb.append("\nNotes:\n\n");
            for (String n : notes) {
                sb.append("- ").append(md(n)).append('\n');
            }
        }
        sb.append("\nMembership statistics are weak evidence; extraction evidence comes first.")
                .append(" A negative result does not prove that a work was never seen.\n");
        return sb.toString();
    }

    /** Escapes Markdown and HTML specials and folds line breaks, for one table cell or line. */
    static String md(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '\n', '\r', '\t' -> sb.append(' ');
                case '\\', '`', '*', '_', '[', ']', '(', ')', '#', '|', '!', '~', '{', '}' ->
                        sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
