package dev.memaudit.reports.html;

import static dev.memaudit.reports.html.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.ppl.PplSummary;
import dev.memaudit.core.records.run.FileDigest;
import dev.memaudit.core.records.run.Manifest;
import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.Shell;
import dev.memaudit.reports.run.Passage;
import dev.memaudit.reports.run.RunView;
import dev.memaudit.reports.run.StageFolder;
import dev.memaudit.reports.run.WorkView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The self-contained {@code report.html}: one file with inline CSS and inline SVG, no script, no
 * font, image or style from anywhere else, and a Content-Security-Policy that forbids every request
 * ({@link #CSP}). The overview table sorts without JavaScript: it is written once per column and
 * direction, and CSS {@code :target} shows the copy the header link names. Every string from a run
 * folder (model output, work text, ids, titles, config values) is escaped.
 */
public final class HtmlReport {
    /** No fetch of any kind; inline style only; no script at all. */
    public static final String CSP =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
                    + " form-action 'none'";

    /** The coverage threshold the overview shows (all thresholds are in each work's section). */
    static final String OVERVIEW_TAU = "0.1";

    /**
     * Above this many works the overview is written in the default order only: every sorted copy
     * repeats the whole table, and 20 copies of a very large table would dwarf the rest.
     */
    public static final int PRESORT_MAX_WORKS = 2_000;

    /** Most passages shown side by side per work and kind (all are in spans.csv). */
    public static final int PASSAGES_SHOWN = 10;

    private final RunView view;
    private final ReportInfo info;
    private final Map<String, Integer> anchor = new HashMap<>();
    private final StringBuilder out = new StringBuilder(1 << 16);

    private HtmlReport(RunView view, ReportInfo info) {
        this.view = view;
        this.info = info;
        for (int i = 0; i < view.works().size(); i++) {
            anchor.put(view.works().get(i).workId(), i + 1);
        }
    }

    /** The whole document. */
    public static String render(RunView view, ReportInfo info) {
        return new HtmlReport(view, info).document();
    }

    private String document() {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
                .append(CSP)
                .append("\">\n<meta name=\"referrer\" content=\"no-referrer\">\n")
                .append(
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>memaudit report: ")
                .append(esc(info.runName()))
                .append("</title>\n<style>\n")
                .append(CSS)
                .append("</style>\n</head>\n<body>\n");
        header();
        summary();
        overview();
        works();
        method();
        provenance();
        limitations();
        out.append("<footer>memaudit ")
                .append(esc(info.toolVersion()))
                .append(" · generated ")
                .append(esc(info.generatedUtc()))
                .append("</footer>\n</body>\n</html>\n");
        return out.toString();
    }

    private void header() {
        out.append(
                        "<header><h1>Memorization audit report</h1>\n<p class=\"meta\">Run folder <code>")
                .append(esc(info.runName()))
                .append("</code> · memaudit ")
                .append(esc(info.toolVersion()))
                .append(" · generated ")
                .append(esc(info.generatedUtc()))
                .append(
                        "</p>\n<nav><a href=\"#summary\">Summary</a> <a href=\"#overview-default\">")
                .append(
                        "Works</a> <a href=\"#details\">Per work</a> <a href=\"#method\">Method</a>")
                .append(" <a href=\"#provenance\">Provenance</a> <a href=\"#limitations\">")
                .append("Limitations</a></nav></header>\n");
    }

    private void summary() {
        out.append("<section id=\"summary\"><h2>Summary</h2>\n<ul class=\"stages\">\n");
        for (String stage : List.of("scan", "extract", "ppl")) {
            out.append("<li>");
            if (view.ran(stage)) {
                out.append("<strong>").append(stage).append("</strong> ran: ");
                out.append(stageFinding(stage));
            } else {
                out.append("<strong>")
                        .append(stage)
                        .append("</strong> did not run: ")
                        .append(missingMeaning(stage));
            }
            out.append("</li>\n");
        }
        out.append("</ul>\n");
        List<String> notes = new ArrayList<>(view.notes());
        notes.removeIf(n -> n.endsWith("stage did not run in this run folder."));
        if (!notes.isEmpty()) {
            out.append("<div class=\"notes\"><h3>Notes</h3><ul>");
            for (String n : notes) {
                out.append("<li>").append(esc(n)).append("</li>");
            }
            out.append("</ul></div>\n");
        }
        out.append("</section>\n");
    }

    private String stageFinding(String stage) {
        int works = 0;
        int hits = 0;
        for (WorkView w : view.works()) {
            switch (stage) {
                case "scan" -> {
                    if (w.scan() != null) {
                        works++;
                        if (w.scan().spans() != null && w.scan().spans() > 0) {
                            hits++;
                        }
                    }
                }
                case "extract" -> {
                    if (w.extract() != null) {
                        works++;
                        Double c = w.extract().coverage().get(OVERVIEW_TAU);
                        if ((c != null && c > 0)
                                || (w.extract().greedyExtractableWindows() != null
                                        && w.extract().greedyExtractableWindows() > 0)) {
                            hits++;
                        }
                    }
                }
                default -> {
                    if (w.ppl() != null) {
                        works++;
                        if (w.ppl().pHolm() != null && w.ppl().pHolm() < 0.05) {
                            hits++;
                        }
                    }
                }
            }
        }
        return switch (stage) {
            case "scan" ->
                    hits
                            + " of "
                            + works
                            + " works have verbatim passages in the scanned model outputs.";
            case "extract" ->
                    hits
                            + " of "
                            + works
                            + " works have windows with p_z ≥ "
                            + OVERVIEW_TAU
                            + " or greedy-extractable windows.";
            default ->
                    hits
                            + " of "
                            + works
                            + " works have a membership p-value below 0.05 after Holm correction"
                            + " (weak evidence; see Limitations).";
        };
    }

    private static String missingMeaning(String stage) {
        return switch (stage) {
            case "scan" -> "no model outputs were scanned for verbatim passages.";
            case "extract" ->
                    "no extraction attack was run; nothing here says how easily the"
                            + " model reproduces the works from their own prefixes.";
            default -> "no perplexity-based membership statistics were computed.";
        };
    }

    // ------------------------------------------------------------ overview table

    private record Column(
            String key,
            String header,
            String stage,
            Function<WorkView, Comparable<?>> sortKey,
            Function<WorkView, String> cell) {}

    private List<Column> columns() {
        List<Column> cols = new ArrayList<>();
        cols.add(
                new Column(
                        "work",
                        "Work",
                        null,
                        WorkView::workId,
                        w ->
                                "<a href=\"#work-"
                                        + anchor.get(w.workId())
                                        + "\">"
                                        + esc(w.title() != null ? w.title() : w.workId())
                                        + "</a><br><code>"
                                        + esc(w.workId())
                                        + "</code>"));
        cols.add(
                new Column(
                        "longest",
                        "Longest verbatim span (words)",
                        "scan",
                        w -> w.scan() == null ? null : w.scan().longestSpanWords(),
                        w ->
                                w.scan() == null
                                        ? Format.NA
                                        : Format.integer(w.scan().longestSpanWords())));
        cols.add(
                new Column(
                        "spans",
                        "Spans (outputs)",
                        "scan",
                        w -> w.scan() == null ? null : w.scan().spans(),
                        w ->
                                w.scan() == null
                                        ? Format.NA
                                        : Format.integer(w.scan().spans())
                                                + " ("
                                                + Format.integer(w.scan().outputsHit())
                                                + ")"));
        cols.add(
                new Column(
                        "coverage",
                        "Extraction coverage (p_z ≥ " + OVERVIEW_TAU + ")",
                        "extract",
                        w -> w.extract() == null ? null : w.extract().coverage().get(OVERVIEW_TAU),
                        w ->
                                w.extract() == null
                                        ? Format.NA
                                        : Format.percent(
                                                w.extract().coverage().get(OVERVIEW_TAU))));
        cols.add(
                new Column(
                        "greedy",
                        "Greedy-extractable windows",
                        "extract",
                        w -> w.extract() == null ? null : w.extract().greedyExtractableWindows(),
                        w ->
                                w.extract() == null
                                        ? Format.NA
                                        : Format.integer(w.extract().greedyExtractableWindows())
                                                + " / "
                                                + Format.integer(w.extract().windowCount())));
        cols.add(
                new Column(
                        "pz",
                        "p_z median / max",
                        "extract",
                        w -> w.extract() == null ? null : w.extract().pzMax(),
                        w ->
                                w.extract() == null
                                        ? Format.NA
                                        : Format.num(w.extract().pzMedian())
                                                + " / "
                                                + Format.num(w.extract().pzMax())));
        cols.add(
                new Column(
                        "attempts",
                        "Exact attempts / tries (failed)",
                        "extract",
                        w -> w.extract() == null ? null : w.extract().ledger().exact(),
                        w ->
                                w.extract() == null
                                        ? Format.NA
                                        : Format.integer(w.extract().ledger().exact())
                                                + " / "
                                                + Format.integer(w.extract().ledger().total())
                                                + " ("
                                                + Format.integer(w.extract().ledger().failed())
                                                + ")"));
        cols.add(
                new Column(
                        "p",
                        "Membership p",
                        "ppl",
                        w -> w.ppl() == null ? null : w.ppl().p(),
                        w -> w.ppl() == null ? Format.NA : pCell(w.ppl().p(), w.ppl().status())));
        cols.add(
                new Column(
                        "holm",
                        "p (Holm)",
                        "ppl",
                        w -> w.ppl() == null ? null : w.ppl().pHolm(),
                        w -> w.ppl() == null ? Format.NA : Format.p(w.ppl().pHolm())));
        cols.add(
                new Column(
                        "bh",
                        "p (BH)",
                        "ppl",
                        w -> w.ppl() == null ? null : w.ppl().pBh(),
                        w -> w.ppl() == null ? Format.NA : Format.p(w.ppl().pBh())));
        cols.removeIf(c -> c.stage() != null && !view.ran(c.stage()));
        return cols;
    }

    private static String pCell(Double p, String status) {
        if (p == null && status != null && !status.equals("ok")) {
            return "<span class=\"na\">" + esc(status) + "</span>";
        }
        return Format.p(p);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<WorkView> by(Column c, boolean descending) {
        Comparator<Comparable> natural = Comparator.naturalOrder();
        Comparator<Comparable> dir = descending ? natural.reversed() : natural;
        // missing values sort last in both directions
        return Comparator.comparing(
                        (WorkView w) -> (Comparable) c.sortKey().apply(w),
                        Comparator.nullsLast(dir))
                .thenComparing(WorkView::workId);
    }

    /** Evidence first: longest span, then coverage, then smallest BH p-value, then id. */
    private Comparator<WorkView> defaultOrder() {
        return Comparator.comparing(
                        (WorkView w) -> w.scan() == null ? null : w.scan().longestSpanWords(),
                        Comparator.nullsLast(Comparator.<Integer>reverseOrder()))
                .thenComparing(
                        w -> w.extract() == null ? null : w.extract().coverage().get(OVERVIEW_TAU),
                        Comparator.nullsLast(Comparator.<Double>reverseOrder()))
                .thenComparing(
                        w -> w.ppl() == null ? null : w.ppl().pBh(),
                        Comparator.nullsLast(Comparator.<Double>naturalOrder()))
                .thenComparing(WorkView::workId);
    }

    private void overview() {
        List<Column> cols = columns();
        out.append("<section id=\"overview\"><h2>Works</h2>\n<p class=\"hint\">")
                .append(view.works().size())
                .append(" works. Sort with the arrows in the column headers (no script: each")
                .append(" order is a prepared copy of the table); ")
                .append("<a href=\"#overview-default\">default order</a> puts the strongest")
                .append(" evidence first: longest verbatim span, then extraction coverage, then")
                .append(" membership p.</p>\n<div class=\"sorts\">\n");
        boolean presort = view.works().size() <= PRESORT_MAX_WORKS;
        if (!presort) {
            out.append("<p class=\"hint\">")
                    .append(view.works().size())
                    .append(" works are too many to pre-sort by every column in one file: sort")
                    .append(" works.csv in a spreadsheet instead.</p>\n");
        }
        for (Column c : presort ? cols : List.<Column>of()) {
            for (boolean desc : new boolean[] {false, true}) {
                String id = "by-" + c.key() + (desc ? "-desc" : "-asc");
                table(id, cols, view.works().stream().sorted(by(c, desc)).toList(), id, false);
            }
        }
        table(
                "overview-default",
                cols,
                view.works().stream().sorted(defaultOrder()).toList(),
                null,
                true);
        out.append("</div></section>\n");
    }

    /** Cell HTML by work id and column key, computed once for all sorted copies. */
    private final Map<String, String> cells = new HashMap<>();

    private void table(
            String id, List<Column> cols, List<WorkView> rows, String current, boolean isDefault) {
        out.append("<div class=\"sortview")
                .append(isDefault ? " default" : "")
                .append("\" id=\"")
                .append(id)
                .append("\"><table class=\"works\"><thead><tr>");
        for (Column c : cols) {
            out.append("<th scope=\"col\">")
                    .append(esc(c.header()))
                    .append("<span class=\"sortlinks\">");
            for (String d :
                    rows.size() <= PRESORT_MAX_WORKS
                            ? new String[] {"asc", "desc"}
                            : new String[0]) {
                String target = "by-" + c.key() + "-" + d;
                out.append(" <a href=\"#")
                        .append(target)
                        .append("\" title=\"sort ")
                        .append(d.equals("asc") ? "ascending" : "descending")
                        .append("\"")
                        .append(target.equals(current) ? " class=\"on\"" : "")
                        .append(">")
                        .append(d.equals("asc") ? "▲" : "▼")
                        .append("</a>");
            }
            out.append("</span></th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (WorkView w : rows) {
            out.append("<tr data-work=\"").append(esc(w.workId())).append("\">");
            for (Column c : cols) {
                out.append(c.key().equals("work") ? "<td>" : "<td class=\"n\">")
                        .append(
                                cells.computeIfAbsent(
                                        w.workId() + "\u0000" + c.key(), k -> c.cell().apply(w)))
                        .append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</tbody></table></div>\n");
    }

    // ------------------------------------------------------------ per work

    private void works() {
        out.append("<section id=\"details\"><h2>Per work</h2>\n");
        List<String> missing = new ArrayList<>();
        for (String stage : List.of("scan", "extract", "ppl")) {
            if (!view.ran(stage)) {
                missing.add(stage);
            }
        }
        if (!missing.isEmpty()) {
            out.append("<p class=\"na\">Not in this run, so not below: ")
                    .append(String.join(", ", missing))
                    .append(" (the stage did not run).</p>\n");
        }
        for (WorkView w : view.works()) {
            out.append("<article class=\"work\" id=\"work-")
                    .append(anchor.get(w.workId()))
                    .append("\"><h3>")
                    .append(esc(w.title() != null ? w.title() : w.workId()))
                    .append(" <code>")
                    .append(esc(w.workId()))
                    .append("</code></h3>\n");
            if (w.workChars() != null) {
                out.append("<p class=\"meta\">")
                        .append(Format.integer(w.workChars()))
                        .append(" code points of original text.</p>\n");
            }
            scanSection(w);
            extractSection(w);
            pplSection(w);
            out.append("</article>\n");
        }
        out.append("</section>\n");
    }

    private void scanSection(WorkView w) {
        if (!view.ran("scan")) {
            return;
        }
        out.append("<h4>Verbatim passages in model outputs (scan)</h4>\n");
        WorkView.Scan s = w.scan();
        if (s == null) {
            out.append("<p class=\"na\">The scan did not report this work.</p>\n");
            return;
        }
        out.append("<p>")
                .append(Format.integer(s.spans()))
                .append(Integer.valueOf(1).equals(s.spans()) ? " span in " : " spans in ")
                .append(Format.integer(s.outputsHit()))
                .append(Integer.valueOf(1).equals(s.outputsHit()) ? " output; " : " outputs; ")
                .append(Format.integer(s.charsReproduced()))
                .append(" code points of the work reproduced (")
                .append(Format.percent(s.shareReproduced()))
                .append("); longest span ")
                .append(Format.integer(s.longestSpanWords()))
                .append(" words.</p>\n");
        passages(s.passages(), "Model output");
    }

    private void passages(List<Passage> list, String modelLabel) {
        int shown = 0;
        for (Passage p : list) {
            if (shown == PASSAGES_SHOWN || (p.model() == null && p.original() == null)) {
                continue;
            }
            shown++;
            out.append("<div class=\"passage\"><p class=\"pmeta\">")
                    .append(esc(p.source().equals("scan") ? "output " + p.label() : p.label()))
                    .append(" · ")
                    .append(p.source().equals("scan") ? "" : "longest common token run ")
                    .append(Format.integer(p.words()))
                    .append(p.source().equals("scan") ? " words" : "")
                    .append(
                            p.tokens() != null
                                    ? " · " + Format.integer(p.tokens()) + " tokens"
                                    : "")
                    .append(" · ")
                    .append(
                            p.source().equals("scan")
                                    ? (p.exact()
                                            ? "identical characters"
                                            : "identical after normalization")
                                    : (p.exact()
                                            ? "reproduces the true suffix exactly"
                                            : "differs from the true suffix"))
                    .append("</p>\n<div class=\"side\"><h5>")
                    .append(modelLabel);
            if (p.outputCharStart() != null) {
                out.append(" <span class=\"off\">[")
                        .append(p.outputCharStart())
                        .append(", ")
                        .append(p.outputCharEnd())
                        .append(")</span>");
            }
            out.append("</h5>");
            segments(p.model());
            out.append("</div><div class=\"side\"><h5>Original work");
            if (p.workCharStart() != null) {
                out.append(" <span class=\"off\">[")
                        .append(p.workCharStart())
                        .append(", ")
                        .append(p.workCharEnd())
                        .append(")</span>");
            }
            out.append("</h5>");
            segments(p.original());
            out.append("</div></div>\n");
        }
        int hidden = list.size() - shown;
        if (shown == 0 && !list.isEmpty()) {
            out.append("<p class=\"na\">Texts are not available, so passages are listed by offset")
                    .append(" only in spans.csv.</p>\n");
        } else if (hidden > 0) {
            out.append("<p class=\"hint\">").append(hidden).append(" more in spans.csv.</p>\n");
        }
    }

    private void segments(List<Passage.Segment> segs) {
        if (segs == null) {
            out.append("<p class=\"na\">text not available</p>");
            return;
        }
        out.append("<p class=\"text\">");
        for (Passage.Segment s : segs) {
            if (s.shared()) {
                out.append("<mark>").append(esc(s.text())).append("</mark>");
            } else {
                out.append(esc(s.text()));
            }
        }
        out.append("</p>");
    }

    private void extractSection(WorkView w) {
        if (!view.ran("extract")) {
            return;
        }
        out.append("<h4>Extraction from the work's own prefixes (extract)</h4>\n");
        WorkView.Extract e = w.extract();
        if (e == null) {
            out.append("<p class=\"na\">The extraction run did not cover this work.</p>\n");
            return;
        }
        out.append("<table class=\"kv\"><tbody>");
        kv(
                "Windows",
                Format.integer(e.windowCount()) + " (" + Format.integer(e.tokens()) + " tokens)");
        for (Map.Entry<String, Double> c : e.coverage().entrySet()) {
            kv(
                    "Coverage, p_z ≥ " + esc(c.getKey()) + " (" + esc(e.scheme()) + ")",
                    Format.percent(c.getValue()));
        }
        kv(
                "Greedy-extractable windows",
                Format.integer(e.greedyExtractableWindows())
                        + " ("
                        + Format.percent(e.greedyExtractableShare())
                        + ")");
        kv("Longest extractable run", Format.integer(e.longestExtractableTokens()) + " tokens");
        kv(
                "p_z median / p90 / max",
                Format.num(e.pzMedian())
                        + " / "
                        + Format.num(e.pzP90())
                        + " / "
                        + Format.num(e.pzMax()));
        kv(
                "Attempts (ledger)",
                Format.integer(e.ledger().total())
                        + " tries, "
                        + Format.integer(e.ledger().exact())
                        + " exact, "
                        + Format.integer(e.ledger().failed())
                        + " failed");
        if (e.empiricalRate() != null) {
            kv(
                    "Empirical extraction rate (95% Clopper–Pearson)",
                    Format.percent(e.empiricalRate())
                            + " ["
                            + Format.percent(e.empiricalCiLow())
                            + ", "
                            + Format.percent(e.empiricalCiHigh())
                            + "]"
                            + (e.empiricalExpectedRate() == null
                                    ? ""
                                    : "; expected from p_z: "
                                            + Format.percent(e.empiricalExpectedRate())));
        }
        for (Map.Entry<String, Long> s : e.ledger().byScheme().entrySet()) {
            kv("Tries with scheme " + esc(s.getKey()), Format.integer(s.getValue()));
        }
        for (Map.Entry<String, Long> s : e.ledger().errors().entrySet()) {
            kv("Failed: " + esc(s.getKey()), Format.integer(s.getValue()));
        }
        out.append("</tbody></table>\n");
        if (!e.windows().isEmpty() && w.workChars() != null) {
            out.append("<figure><figcaption>p_z (")
                    .append(esc(e.scheme()))
                    .append(") window by window along the work, from character 0 to ")
                    .append(Format.integer(w.workChars()))
                    .append(" (each column: the highest p_z of the windows covering it)")
                    .append("</figcaption>")
                    .append(Svg.pzStrip(e.windows(), w.workChars(), e.scheme()))
                    .append(Svg.pzLegend())
                    .append("</figure>\n");
        }
        if (!e.attempts().isEmpty()) {
            out.append("<h5>Best attempts (generation vs the true continuation)</h5>\n");
            passages(e.attempts(), "Model generation");
        }
    }

    private void kv(String k, String v) {
        out.append("<tr><th scope=\"row\">")
                .append(k)
                .append("</th><td>")
                .append(v)
                .append("</td></tr>");
    }

    private void pplSection(WorkView w) {
        if (!view.ran("ppl")) {
            return;
        }
        out.append("<h4>Membership statistics (ppl)</h4>\n");
        WorkView.Ppl p = w.ppl();
        if (p == null) {
            out.append("<p class=\"na\">The ppl run did not cover this work.</p>\n");
            return;
        }
        out.append("<p>Status: ")
                .append(esc(p.status() == null ? Format.NA : p.status()))
                .append(" · ")
                .append(Format.integer(p.chunks()))
                .append(" chunks · aggregate p ")
                .append(Format.p(p.p()))
                .append(" (Holm ")
                .append(Format.p(p.pHolm()))
                .append(", BH ")
                .append(Format.p(p.pBh()))
                .append(") on ")
                .append(Format.integer(p.testChunks()))
                .append(" held-out chunks");
        if (p.pChunks() != null || p.pTexts() != null) {
            out.append(" (chunk-level p ")
                    .append(Format.p(p.pChunks()))
                    .append(", text-level p ")
                    .append(Format.p(p.pTexts()))
                    .append(")");
        }
        out.append(".</p>\n");
        for (String warning : p.warnings()) {
            out.append("<p class=\"warn\">Warning: ").append(esc(warning)).append("</p>\n");
        }
        if (!p.features().isEmpty()) {
            out.append("<table class=\"feat\"><thead><tr><th>Feature</th><th>Member-like when</th>")
                    .append("<th>Work mean</th><th>Control mean</th><th>Gap [95% CI]</th>")
                    .append("<th>Effect size</th><th>Welch p</th><th>Mann–Whitney p</th>")
                    .append("</tr></thead><tbody>\n");
            for (WorkView.Feature f : p.features()) {
                out.append("<tr><td><code>")
                        .append(esc(f.name()))
                        .append("</code></td><td>")
                        .append(
                                "lower_is_member".equals(f.orientation())
                                        ? "lower"
                                        : "higher_is_member".equals(f.orientation())
                                                ? "higher"
                                                : esc(f.orientation()))
                        .append("</td><td class=\"n\">")
                        .append(Format.num(f.workMean()))
                        .append("</td><td class=\"n\">")
                        .append(Format.num(f.controlMean()))
                        .append("</td><td class=\"n\">")
                        .append(Format.num(f.gap()))
                        .append(" [")
                        .append(Format.num(f.gapCiLow()))
                        .append(", ")
                        .append(Format.num(f.gapCiHigh()))
                        .append("]</td><td class=\"n\">")
                        .append(Format.num(f.effectSize()))
                        .append("</td><td class=\"n\">")
                        .append(Format.p(f.welchP()))
                        .append("</td><td class=\"n\">")
                        .append(Format.p(f.mannwhitneyP()))
                        .append("</td></tr>\n");
            }
            out.append("</tbody></table>\n");
        }
        if (!p.chunkFeatures().isEmpty()) {
            out.append("<div class=\"boxes\">");
            for (Map.Entry<String, double[]> f : p.chunkFeatures().entrySet()) {
                double[] control = view.controlFeatures().getOrDefault(f.getKey(), new double[0]);
                out.append("<figure class=\"boxfig\"><figcaption><code>")
                        .append(esc(f.getKey()))
                        .append("</code></figcaption>")
                        .append(Svg.boxPlot(f.getKey(), f.getValue(), control))
                        .append("</figure>");
            }
            out.append("</div>\n");
        }
    }

    // ------------------------------------------------------------ method, provenance

    private void method() {
        out.append("<section id=\"method\"><h2>Method and conventions</h2>\n").append(METHOD);
        Map<String, String> conventions =
                view.pplRun() == null ? Map.of() : view.pplRun().conventions();
        if (!conventions.isEmpty()) {
            out.append("<h3>Definitions recorded by the ppl stage</h3>\n<dl>");
            for (Map.Entry<String, String> e : conventions.entrySet()) {
                out.append("<dt><code>")
                        .append(esc(e.getKey()))
                        .append("</code></dt><dd>")
                        .append(esc(e.getValue()))
                        .append("</dd>");
            }
            out.append("</dl>\n");
        }
        out.append("</section>\n");
    }

    private void provenance() {
        out.append("<section id=\"provenance\"><h2>Provenance</h2>\n<p>This report: <code>")
                .append(esc(Shell.command(info.command())))
                .append("</code> (memaudit ")
                .append(esc(info.toolVersion()))
                .append("). The bundle's <code>manifest.json</code> lists the SHA-256 of every")
                .append(" input file and of every file written here; <code>memaudit verify</code>")
                .append(" checks them.</p>\n");
        for (StageFolder s : view.stages()) {
            Manifest m = s.manifest();
            out.append("<h3>Stage <code>")
                    .append(esc(s.command()))
                    .append("</code> (folder <code>")
                    .append(
                            esc(
                                    s.dir().getFileName() == null
                                            ? ""
                                            : s.dir().getFileName().toString()))
                    .append("</code>)</h3>\n<table class=\"kv\"><tbody>");
            kv("Reproduce", "<code>" + esc(Shell.command(m.args())) + "</code>");
            kv("Tool version", esc(m.toolVersion()));
            kv("Started / ended (UTC)", esc(m.startedUtc()) + " / " + esc(m.endedUtc()));
            kv("Platform", esc(m.java()) + " · " + esc(m.os()));
            for (Iterator<Map.Entry<String, JsonNode>> it = s.configJson().fields();
                    it.hasNext(); ) {
                var e = it.next();
                kv(
                        "config <code>" + esc(e.getKey()) + "</code>",
                        "<code>" + esc(e.getValue().toString()) + "</code>");
            }
            if (m.seeds() != null) {
                kv("Seeds", "<code>" + esc(Records.sortedTree(m.seeds()).toString()) + "</code>");
            }
            out.append("</tbody></table>\n");
            List<String[]> key = new ArrayList<>();
            List<String[]> works = new ArrayList<>();
            for (Map.Entry<String, FileDigest> e : m.inputs().entrySet()) {
                String[] row = {
                    e.getKey(),
                    e.getValue().sha256(),
                    e.getValue().bytes() == null ? null : e.getValue().bytes().toString()
                };
                (e.getKey().startsWith("work/") || e.getKey().startsWith("control/") ? works : key)
                        .add(row);
            }
            hashTable("Inputs (model, index, outputs, …)", key, true);
            hashTable("Work and control source files (" + works.size() + ")", works, false);
        }
        out.append("</section>\n");
    }

    private void hashTable(String caption, List<String[]> rows, boolean open) {
        if (rows.isEmpty()) {
            return;
        }
        out.append("<details")
                .append(open ? " open" : "")
                .append("><summary>")
                .append(esc(caption))
                .append(
                        "</summary><table class=\"hashes\"><thead><tr><th>Input</th><th>SHA-256</th>")
                .append("<th>Bytes</th></tr></thead><tbody>");
        for (String[] r : rows) {
            out.append("<tr><td><code>")
                    .append(esc(r[0]))
                    .append("</code></td><td><code class=\"hash\">")
                    .append(esc(r[1]))
                    .append("</code></td><td class=\"n\">")
                    .append(r[2] == null ? Format.NA : esc(r[2]))
                    .append("</td></tr>");
        }
        out.append("</tbody></table></details>\n");
    }

    private void limitations() {
        out.append("<section id=\"limitations\"><h2>Limitations</h2>\n<ul>").append(LIMITATIONS);
        PplSummary ppl = view.pplRun();
        if (ppl != null) {
            boolean sig = ppl.controlSplit().significant();
            // the check ran only when it has a p
            if (ppl.controlSplit().p() != null) {
                out.append("<li>False-positive check: the control texts split in two and tested")
                        .append(" against each other gave p = ")
                        .append(Format.p(ppl.controlSplit().p()))
                        .append(
                                sig
                                        ? ", which is <strong>significant</strong>: the membership"
                                                + " test finds differences between texts that are"
                                                + " all non-members, so its p-values here should"
                                                + " not be relied on."
                                        : ", not significant, as it should be.")
                        .append("</li>");
            } else {
                // without a p the check did not run: saying "not significant" would claim a pass
                out.append("<li>False-positive check (the control texts split in two): not run (")
                        .append(esc(ppl.controlSplit().status()))
                        .append(").</li>");
            }
            for (String w : ppl.warnings()) {
                out.append("<li>ppl warning: ").append(esc(w)).append("</li>");
            }
        }
        out.append("</ul></section>\n");
    }

    private static final String METHOD =
            """
            <p>All offsets are <strong>Unicode code points, 0-based and half-open</strong> \
            ([start, end)), into the text exactly as decoded: the same numbers select the same \
            characters with Python's <code>text[start:end]</code>. Log-probabilities are natural \
            logarithms; token counts are in the audited model's tokens.</p>
            <dl>
            <dt>Verbatim span (scan)</dt><dd>A maximal run of at least <em>min-words</em> words \
            that a model output and a work share, words compared after Unicode NFKC case folding \
            with quotes, dashes and line-end hyphenation unified. Every occurrence in every work \
            is reported. <em>Identical characters</em> means the two original passages are \
            equal character for character, not only after normalization.</dd>
            <dt>Per-token log-probability</dt><dd>lp<sub>t</sub> = ln p(x<sub>t</sub> | \
            x<sub>&lt;t</sub>).</dd>
            <dt>NLL and perplexity</dt><dd>NLL = −mean<sub>t</sub>(lp<sub>t</sub>); PPL = \
            exp(NLL). Lower means the model finds the text more familiar.</dd>
            <dt>zlib ratio</dt><dd>NLL(x) divided by the size in bytes of x's UTF-8 compressed \
            with zlib at level 6. Lower is more member-like. (Some papers use the reciprocal; \
            this report does not.)</dd>
            <dt>Min-K%</dt><dd>The mean of the lowest k% of the lp<sub>t</sub> of a text (k in \
            5, 10, 20, 30, 50). Higher is more member-like.</dd>
            <dt>Min-K%++</dt><dd>The same over standardized scores (lp<sub>t</sub> − \
            μ<sub>t</sub>) / σ<sub>t</sub>, where μ<sub>t</sub> = Σ<sub>z</sub> p(z) ln p(z) \
            and σ<sub>t</sub><sup>2</sup> = Σ<sub>z</sub> p(z) (ln p(z))<sup>2</sup> − \
            μ<sub>t</sub><sup>2</sup> over the whole next-token distribution. Higher is more \
            member-like.</dd>
            <dt>Reference ratio</dt><dd>NLL<sub>audited</sub>(x) − NLL<sub>reference</sub>(x); \
            lower is more member-like.</dd>
            <dt>p_z, (n, p)-discoverable extraction</dt><dd>For a window of the work split into \
            a prefix a and a true suffix b, and a decoding scheme h (temperature, top-k, top-p), \
            p_z = Π<sub>t</sub> P<sub>h</sub>(b<sub>t</sub> | a, b<sub>&lt;t</sub>), from one \
            teacher-forced pass with the scheme's truncation and renormalization applied at each \
            position (greedy: 1 when every suffix token is the most likely one, else 0). The \
            suffix comes out at least once in n independent attempts with probability 1 − (1 − \
            p_z)<sup>n</sup>; reaching probability p takes ln(1 − p) / ln(1 − p_z) attempts.</dd>
            <dt>Greedy-extractable</dt><dd>Greedy decoding from the prefix gives back the suffix \
            exactly.</dd>
            <dt>Coverage</dt><dd>The share of a work's tokens lying in windows whose p_z (scheme \
            t1, sampling at temperature 1, unless stated) is at least τ, for τ = 0.5, 0.1 and \
            0.01.</dd>
            <dt>Membership statistics</dt><dd>Chunk features of the work are compared with \
            chunks of control texts the model cannot have seen (for instance published after \
            its training cutoff): one-sided Welch t-test and Mann–Whitney U per feature, a \
            bootstrap confidence interval of the gap, an effect size, and a combined test \
            (features weighted by a linear model fitted on one half of the chunks and tested on \
            the other). p-values across works are adjusted by Holm (family-wise error) and by \
            Benjamini–Hochberg (false discovery rate).</dd>
            </dl>
            """;

    private static final String LIMITATIONS =
            """
            <li><strong>Extraction first.</strong> A verbatim span in a model output, or a \
            suffix the model reproduces from the work's own prefix, is direct evidence that the \
            model can reproduce the work. Membership statistics are indirect.</li>
            <li><strong>Membership statistics are weak evidence.</strong> A small p-value says \
            the work's chunks look different to the model from the control texts; differences \
            in genre, date, style or preprocessing can do that too. They should support, not \
            replace, extraction evidence.</li>
            <li><strong>A negative result does not prove a work was never seen.</strong> Models \
            memorize some of their training data, not all of it; a work without spans, with low \
            p_z and without a significant p-value may still have been in the training data.</li>
            <li>p_z is computed for the decoding schemes listed; other settings (temperature, \
            top-k, top-p, system prompts) can make extraction easier or harder.</li>
            <li>Scan finds only what the scanned outputs contain: it says nothing about outputs \
            that were not collected.</li>
            """;

    private static final String CSS =
            """
            :root{--fg:#1b1b1b;--muted:#5a5a5a;--line:#d4d4d4;--bg2:#f6f6f4}
            *{box-sizing:border-box}
            body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;\
            color:var(--fg);background:#fff;max-width:1240px;margin:0 auto;padding:1rem 1.5rem 3rem}
            h1{font-size:1.7rem;margin:.2rem 0}h2{border-bottom:2px solid var(--fg);\
            padding-bottom:.2rem;margin-top:2.2rem}h3{margin-top:1.6rem}h4{margin:1.2rem 0 .4rem}
            h5{margin:.2rem 0 .3rem;font-size:.85rem;color:var(--muted)}
            code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.88em;\
            overflow-wrap:anywhere}
            .meta,.hint,footer{color:var(--muted);font-size:.9rem}
            nav a{margin-right:.8rem}
            .na{color:var(--muted);font-style:italic}.warn{color:#8a4b00}
            table{border-collapse:collapse;margin:.5rem 0}
            th,td{border:1px solid var(--line);padding:.25rem .5rem;vertical-align:top;text-align:left}
            thead th{background:var(--bg2);font-size:.85rem}
            td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            table.works{width:100%}
            .sortlinks a{text-decoration:none;color:#999;font-size:.75rem}
            .sortlinks a.on{color:var(--fg)}
            .sortview{display:none}.sortview.default{display:block}
            .sortview:target{display:block}.sortview:target~.default{display:none}
            .kv th{font-weight:normal;background:var(--bg2);max-width:24rem}
            .passage{display:grid;grid-template-columns:1fr 1fr;gap:.6rem;border:1px solid var(--line);\
            border-radius:4px;padding:.5rem;margin:.6rem 0}
            .passage .pmeta{grid-column:1/3;margin:0;font-size:.85rem;color:var(--muted);\
            overflow-wrap:anywhere}
            .side .text{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:.92rem}
            mark{background:#ffe28a;color:inherit}
            .off{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:normal}
            figure{margin:.6rem 0}figcaption{font-size:.85rem;color:var(--muted)}
            svg.strip{display:block;height:46px;border:0}
            .legend{font-size:.8rem;color:var(--muted)}.legend .sw{margin-right:.6rem;white-space:nowrap}
            .boxes{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem}
            .hashes code.hash{font-size:.78em}
            details summary{cursor:pointer;margin:.4rem 0}
            dt{font-weight:600;margin-top:.6rem}dd{margin-left:1.2rem}
            article.work{border-top:1px solid var(--line);margin-top:1.5rem}
            @media print{
            body{max-width:none;padding:0;font-size:10.5pt}
            nav,.sortlinks,.hint a{display:none}
            .sortview{display:none!important}.sortview.default{display:block!important}
            a{color:inherit;text-decoration:none}
            details>*{display:block}
            .passage,figure,tr{break-inside:avoid}
            article.work{break-before:page}
            mark{background:#ffe28a;-webkit-print-color-adjust:exact;print-color-adjust:exact}
            svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}
            }
            """;
}
