package dev.memaudit.reports.html;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.ppl.PplSummary;
import dev.memaudit.core.records.run.FileDigest;
import dev.memaudit.core.records.run.Manifest;
import dev.memaudit.core.records.scan.ScanCoverage;
import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.Shell;
import dev.memaudit.reports.calibration.CalibrationFile;
import dev.memaudit.reports.html.ReportPage.BoxPlot;
import dev.memaudit.reports.html.ReportPage.Cell;
import dev.memaudit.reports.html.ReportPage.Column;
import dev.memaudit.reports.html.ReportPage.ControlSplit;
import dev.memaudit.reports.html.ReportPage.Convention;
import dev.memaudit.reports.html.ReportPage.ExtractPart;
import dev.memaudit.reports.html.ReportPage.InputHash;
import dev.memaudit.reports.html.ReportPage.Overview;
import dev.memaudit.reports.html.ReportPage.Passages;
import dev.memaudit.reports.html.ReportPage.PplPart;
import dev.memaudit.reports.html.ReportPage.Row;
import dev.memaudit.reports.html.ReportPage.ScanPart;
import dev.memaudit.reports.html.ReportPage.Setting;
import dev.memaudit.reports.html.ReportPage.SortedCopy;
import dev.memaudit.reports.html.ReportPage.StageProvenance;
import dev.memaudit.reports.html.ReportPage.StageSummary;
import dev.memaudit.reports.html.ReportPage.WorkSection;
import dev.memaudit.reports.influence.InfluenceFolder;
import dev.memaudit.reports.run.Passage;
import dev.memaudit.reports.run.RunView;
import dev.memaudit.reports.run.StageFolder;
import dev.memaudit.reports.run.WorkView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds the {@link ReportPage} of a {@link RunView}: the one place where run-folder data becomes
 * what the templates show. Sort orders, findings, the passages that fit and the provenance tables
 * are decided here; wording and markup are in the templates.
 */
final class ReportPageBuilder {
    /** The stages the summary and the per-work sections cover, in page order. */
    static final List<String> REPORTED_STAGES = List.of("scan", "extract", "ppl");

    private final RunView view;
    private final Map<String, Integer> anchor = new HashMap<>();

    private ReportPageBuilder(RunView view) {
        this.view = view;
        for (int i = 0; i < view.works().size(); i++) {
            anchor.put(view.works().get(i).workId(), i + 1);
        }
    }

    static ReportPage build(RunView view, ReportInfo info) {
        return build(view, info, null);
    }

    /** The page, with the method section's calibration when {@code calibration} is not null. */
    static ReportPage build(RunView view, ReportInfo info, CalibrationFile calibration) {
        return build(view, info, calibration, List.of(), null);
    }

    /** The page, with influence when {@code influence} is not empty. */
    static ReportPage build(
            RunView view,
            ReportInfo info,
            CalibrationFile calibration,
            List<InfluenceFolder> influence,
            InfluenceFolder.Validation validation) {
        return new ReportPageBuilder(view).page(info, calibration, influence, validation);
    }

    private ReportPage page(
            ReportInfo info,
            CalibrationFile calibration,
            List<InfluenceFolder> influence,
            InfluenceFolder.Validation validation) {
        List<String> notes = new ArrayList<>(view.notes());
        // the summary says which stages did not run, and what that means
        notes.removeIf(n -> n.endsWith("stage did not run in this run folder."));
        List<String> notRun = REPORTED_STAGES.stream().filter(s -> !view.ran(s)).toList();
        PplSummary ppl = view.pplRun();
        List<String> pplWarnings = ppl == null ? List.of() : ppl.warnings();
        return new ReportPage(
                info.runName(),
                info.toolVersion(),
                info.generatedUtc(),
                Shell.command(info.command()),
                REPORTED_STAGES.stream().map(this::summary).toList(),
                List.copyOf(notes),
                overview(),
                notRun,
                view.works().stream().map(this::section).toList(),
                conventions(),
                view.stages().stream().map(ReportPageBuilder::provenance).toList(),
                ppl == null
                        ? null
                        : new ControlSplit(
                                ppl.controlSplit().p(),
                                ppl.controlSplit().significant(),
                                ppl.controlSplit().status()),
                List.copyOf(pplWarnings),
                ppl == null ? null : ppl.alpha(),
                ppl == null ? Map.of() : new TreeMap<>(ppl.notMeasured()),
                CalibrationSection.of(calibration),
                view.prevalence(),
                InfluenceSection.of(influence, validation, view));
    }

    private StageSummary summary(String stage) {
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
                        Double c = w.extract().coverage().get(HtmlReport.OVERVIEW_TAU);
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
                        if (w.ppl().pHolm() != null && w.ppl().pHolm() < view.pplRun().alpha()) {
                            hits++;
                        }
                    }
                }
            }
        }
        return new StageSummary(stage, view.ran(stage), works, hits);
    }

    // ------------------------------------------------------------ overview table

    /**
     * A column: its key and header, the stage it needs, its sort key (null sorts last) and its
     * cell.
     */
    private record ColumnDef(
            String key,
            String header,
            String stage,
            Function<WorkView, Comparable<?>> sortKey,
            Function<WorkView, Cell> cell) {}

    private static List<ColumnDef> columns() {
        String tau = HtmlReport.OVERVIEW_TAU;
        List<ColumnDef> cols = new ArrayList<>();
        cols.add(new ColumnDef("work", "Work", null, WorkView::workId, null));
        cols.add(
                new ColumnDef(
                        "longest",
                        "Longest verbatim span (words)",
                        "scan",
                        w -> w.scan() == null ? null : w.scan().longestSpanWords(),
                        w ->
                                Cell.of(
                                        w.scan() == null
                                                ? Format.NA
                                                : Format.integer(w.scan().longestSpanWords()))));
        cols.add(
                new ColumnDef(
                        "spans",
                        "Spans (outputs)",
                        "scan",
                        w -> w.scan() == null ? null : w.scan().spans(),
                        w ->
                                Cell.of(
                                        w.scan() == null
                                                ? Format.NA
                                                : Format.integer(w.scan().spans())
                                                        + " ("
                                                        + Format.integer(w.scan().outputsHit())
                                                        + ")")));
        cols.add(
                new ColumnDef(
                        "near",
                        "Longest near-verbatim passage (words)",
                        "scan",
                        w -> w.scan() == null ? null : w.scan().longestNearWords(),
                        w -> {
                            if (w.scan() == null) {
                                return Cell.of(Format.NA);
                            }
                            if (w.scan().longestNearWords() == null) {
                                return new Cell("not looked for", true);
                            }
                            return Cell.of(Format.integer(w.scan().longestNearWords()));
                        }));
        cols.add(
                new ColumnDef(
                        "bmc",
                        "Covered by outputs, bmc@5: exact / with near",
                        "scan",
                        w -> w.scan() == null ? null : w.scan().coverage().exactK().share(),
                        w -> {
                            if (w.scan() == null) {
                                return Cell.of(Format.NA);
                            }
                            ScanCoverage c = w.scan().coverage();
                            return Cell.of(
                                    Format.percent(c.exactK().share())
                                            + " / "
                                            + (c.nearK() == null
                                                    ? "not looked for"
                                                    : Format.percent(c.nearK().share())));
                        }));
        cols.add(
                new ColumnDef(
                        "coverage",
                        "Extraction coverage (p_z ≥ " + tau + ")",
                        "extract",
                        w -> w.extract() == null ? null : w.extract().coverage().get(tau),
                        w ->
                                Cell.of(
                                        w.extract() == null
                                                ? Format.NA
                                                : Format.percent(
                                                        w.extract().coverage().get(tau)))));
        cols.add(
                new ColumnDef(
                        "greedy",
                        "Greedy-extractable windows",
                        "extract",
                        w -> w.extract() == null ? null : w.extract().greedyExtractableWindows(),
                        w ->
                                Cell.of(
                                        w.extract() == null
                                                ? Format.NA
                                                : Format.integer(
                                                                w.extract()
                                                                        .greedyExtractableWindows())
                                                        + " / "
                                                        + Format.integer(
                                                                w.extract().windowCount()))));
        cols.add(
                new ColumnDef(
                        "pz",
                        "p_z median / max",
                        "extract",
                        w -> w.extract() == null ? null : w.extract().pzMax(),
                        w ->
                                Cell.of(
                                        w.extract() == null
                                                ? Format.NA
                                                : Format.num(w.extract().pzMedian())
                                                        + " / "
                                                        + Format.num(w.extract().pzMax()))));
        cols.add(
                new ColumnDef(
                        "attempts",
                        "Exact attempts / tries (skipped)",
                        "extract",
                        w -> w.extract() == null ? null : w.extract().ledger().exact(),
                        w -> {
                            if (w.extract() == null) {
                                return Cell.of(Format.NA);
                            }
                            WorkView.Ledger l = w.extract().ledger();
                            return Cell.of(
                                    Format.integer(l.exact())
                                            + " / "
                                            + Format.integer(l.total())
                                            + " ("
                                            + Format.integer(l.skipped())
                                            + ")");
                        }));
        cols.add(
                new ColumnDef(
                        "p",
                        "Membership p",
                        "ppl",
                        w -> w.ppl() == null ? null : w.ppl().p(),
                        w -> w.ppl() == null ? Cell.of(Format.NA) : pCell(w.ppl())));
        cols.add(
                new ColumnDef(
                        "holm",
                        "p (Holm)",
                        "ppl",
                        w -> w.ppl() == null ? null : w.ppl().pHolm(),
                        w -> Cell.of(w.ppl() == null ? Format.NA : Format.p(w.ppl().pHolm()))));
        cols.add(
                new ColumnDef(
                        "bh",
                        "p (BH)",
                        "ppl",
                        w -> w.ppl() == null ? null : w.ppl().pBh(),
                        w -> Cell.of(w.ppl() == null ? Format.NA : Format.p(w.ppl().pBh()))));
        return cols;
    }

    /** The p-value, or the status that explains why there is none. */
    private static Cell pCell(WorkView.Ppl ppl) {
        if (ppl.p() == null && ppl.status() != null && !ppl.status().equals("ok")) {
            return new Cell(ppl.status(), true);
        }
        return Cell.of(Format.p(ppl.p()));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<WorkView> by(ColumnDef c, boolean descending) {
        Comparator<Comparable> natural = Comparator.naturalOrder();
        Comparator<Comparable> dir = descending ? natural.reversed() : natural;
        // missing values sort last in both directions
        return Comparator.comparing(
                        (WorkView w) -> (Comparable) c.sortKey().apply(w),
                        Comparator.nullsLast(dir))
                .thenComparing(WorkView::workId);
    }

    /** Evidence first: longest span, then coverage, then smallest BH p-value, then id. */
    private static Comparator<WorkView> defaultOrder() {
        return Comparator.comparing(
                        (WorkView w) -> w.scan() == null ? null : w.scan().longestSpanWords(),
                        Comparator.nullsLast(Comparator.<Integer>reverseOrder()))
                .thenComparing(
                        w ->
                                w.extract() == null
                                        ? null
                                        : w.extract().coverage().get(HtmlReport.OVERVIEW_TAU),
                        Comparator.nullsLast(Comparator.<Double>reverseOrder()))
                .thenComparing(
                        w -> w.ppl() == null ? null : w.ppl().pBh(),
                        Comparator.nullsLast(Comparator.<Double>naturalOrder()))
                .thenComparing(WorkView::workId);
    }

    private Overview overview() {
        List<ColumnDef> cols = new ArrayList<>(columns());
        cols.removeIf(c -> c.stage() != null && !view.ran(c.stage()));
        // rows are built once and shared by every sorted copy
        Map<String, Row> rows = new HashMap<>();
        for (WorkView w : view.works()) {
            List<Cell> cells = new ArrayList<>();
            for (ColumnDef c : cols.subList(1, cols.size())) {
                cells.add(c.cell().apply(w));
            }
            rows.put(
                    w.workId(),
                    new Row(w.workId(), anchor.get(w.workId()), heading(w), List.copyOf(cells)));
        }
        Function<Comparator<WorkView>, List<Row>> sorted =
                order ->
                        view.works().stream().sorted(order).map(w -> rows.get(w.workId())).toList();
        boolean presort = view.works().size() <= HtmlReport.PRESORT_MAX_WORKS;
        List<SortedCopy> copies = new ArrayList<>();
        if (presort) {
            for (ColumnDef c : cols) {
                for (boolean desc : new boolean[] {false, true}) {
                    String id = "by-" + c.key() + (desc ? "-desc" : "-asc");
                    copies.add(new SortedCopy(id, false, id, sorted.apply(by(c, desc))));
                }
            }
        }
        copies.add(new SortedCopy("overview-default", true, null, sorted.apply(defaultOrder())));
        return new Overview(
                view.works().size(),
                presort,
                cols.stream().map(c -> new Column(c.key(), c.header())).toList(),
                List.copyOf(copies));
    }

    private static String heading(WorkView w) {
        return w.title() != null ? w.title() : w.workId();
    }

    // ------------------------------------------------------------ per work

    private WorkSection section(WorkView w) {
        ScanPart scan =
                !view.ran("scan")
                        ? null
                        : new ScanPart(
                                w.scan(),
                                passages(
                                        w.scan() == null ? List.of() : w.scan().passages(),
                                        "Model output"));
        ExtractPart extract = null;
        if (view.ran("extract")) {
            WorkView.Extract e = w.extract();
            SafeSvg strip =
                    e == null || e.windows().isEmpty() || w.workChars() == null
                            ? null
                            : Svg.pzStrip(e.windows(), w.workChars(), e.scheme());
            SafeSvg nearStrip =
                    e == null || e.nearWindows().isEmpty() || w.workChars() == null
                            ? null
                            : Svg.nearStrip(e.nearWindows(), w.workChars(), e.scheme());
            extract =
                    new ExtractPart(
                            e,
                            strip,
                            nearStrip,
                            Svg.pzLegend(),
                            passages(e == null ? List.of() : e.attempts(), "Model generation"));
        }
        PplPart ppl = null;
        if (view.ran("ppl")) {
            List<BoxPlot> boxes = new ArrayList<>();
            if (w.ppl() != null) {
                for (Map.Entry<String, double[]> f : w.ppl().chunkFeatures().entrySet()) {
                    double[] control =
                            view.controlFeatures().getOrDefault(f.getKey(), new double[0]);
                    boxes.add(
                            new BoxPlot(
                                    f.getKey(), Svg.boxPlot(f.getKey(), f.getValue(), control)));
                }
            }
            ppl = new PplPart(w.ppl(), List.copyOf(boxes), view.pplRun().alpha());
        }
        return new WorkSection(
                anchor.get(w.workId()),
                heading(w),
                w.workId(),
                w.workChars(),
                scan,
                extract,
                ppl,
                w.reservation() == null
                        ? null
                        : new ReportPage.Licensing(w.reservation(), w.reproduced(), w.memorized()));
    }

    /** The first {@link HtmlReport#PASSAGES_SHOWN} passages that have a text to show. */
    private static Passages passages(List<Passage> list, String modelLabel) {
        List<Passage> shown = new ArrayList<>();
        for (Passage p : list) {
            if (shown.size() < HtmlReport.PASSAGES_SHOWN
                    && (p.model() != null || p.original() != null)) {
                shown.add(p);
            }
        }
        return new Passages(
                modelLabel,
                List.copyOf(shown),
                list.size() - shown.size(),
                shown.isEmpty() && !list.isEmpty());
    }

    // ------------------------------------------------------------ method, provenance

    private List<Convention> conventions() {
        Map<String, String> conventions =
                view.pplRun() == null ? Map.of() : view.pplRun().conventions();
        List<Convention> out = new ArrayList<>();
        for (Map.Entry<String, String> e : conventions.entrySet()) {
            out.add(new Convention(e.getKey(), e.getValue()));
        }
        return List.copyOf(out);
    }

    private static StageProvenance provenance(StageFolder s) {
        Manifest m = s.manifest();
        List<Setting> config = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : s.configJson().properties()) {
            config.add(new Setting(e.getKey(), e.getValue().toString()));
        }
        List<InputHash> inputs = new ArrayList<>();
        List<InputHash> sources = new ArrayList<>();
        for (Map.Entry<String, FileDigest> e : m.inputs().entrySet()) {
            InputHash h =
                    new InputHash(
                            e.getKey(),
                            e.getValue().sha256(),
                            e.getValue().bytes() == null ? null : e.getValue().bytes().toString());
            boolean source = e.getKey().startsWith("work/") || e.getKey().startsWith("control/");
            (source ? sources : inputs).add(h);
        }
        return new StageProvenance(
                s.command(),
                s.dir().getFileName() == null ? "" : s.dir().getFileName().toString(),
                Shell.command(m.args()),
                m.toolVersion(),
                m.startedUtc(),
                m.endedUtc(),
                m.java(),
                m.os(),
                List.copyOf(config),
                m.seeds() == null ? null : Records.sortedTree(m.seeds()).toString(),
                List.copyOf(inputs),
                List.copyOf(sources));
    }
}
