package dev.memaudit.reports.html;

import dev.memaudit.core.records.prevalence.PrevalenceSummary;
import dev.memaudit.reports.run.Passage;
import dev.memaudit.reports.run.WorkView;
import java.util.List;
import java.util.Map;

/**
 * What {@code report.jte} shows, typed, in the order of the page: built from a {@link
 * dev.memaudit.reports.run.RunView} in one place ({@link ReportPageBuilder}), so the templates only
 * lay out values and format numbers ({@link Format}); every decision (sort orders, what counts as a
 * finding, which passages fit) is made there. Strings are plain text: the templates escape them.
 * The only markup a page holds is {@link SafeSvg}, built by {@link Svg} from numbers.
 *
 * @param runName the run folder's name (not its path)
 * @param toolVersion the memaudit version writing the report
 * @param generatedUtc ISO-8601 UTC instant the report was written
 * @param reportCommand the report's own command line, shell-quoted, with the program name
 * @param stages the summary line of each stage a report knows (scan, extract, ppl), run or not
 * @param notes what the reader must know (texts not available, …), in the loader's order
 * @param overview the works table and its sorted copies
 * @param stagesNotRun stages that did not run, so per-work sections have no part for them
 * @param works one section per work, sorted by work id (as {@link
 *     dev.memaudit.reports.run.RunView#works()})
 * @param conventions definitions the ppl stage recorded ({@code ppl.json} conventions), in its
 *     order; empty without ppl
 * @param provenance one entry per stage folder read, in the loader's order
 * @param controlSplit the ppl false-positive check, or null when not computed
 * @param pplWarnings the ppl stage's run-level warnings
 * @param alpha the ppl run's significance level α ({@code ppl.json}), or null without ppl
 * @param pplNotMeasured features (or families) the ppl stage did not measure → why ({@code
 *     ppl.json} not_measured); empty without a ppl stage
 * @param calibration the method section's error rates measured on canaries ({@code report
 *     --calibration}), or null when no calibration was given
 * @param prevalence the run's prevalence stage ({@code prevalence.json}), or null when it had none
 * @param influence influence metered on the works ({@code report --influence}), or null when none
 *     was given
 */
public record ReportPage(
        String runName,
        String toolVersion,
        String generatedUtc,
        String reportCommand,
        List<StageSummary> stages,
        List<String> notes,
        Overview overview,
        List<String> stagesNotRun,
        List<WorkSection> works,
        List<Convention> conventions,
        List<StageProvenance> provenance,
        ControlSplit controlSplit,
        List<String> pplWarnings,
        Double alpha,
        Map<String, String> pplNotMeasured,
        Calibration calibration,
        PrevalenceSummary prevalence,
        Influence influence) {

    /**
     * Influence of works on behaviours, from {@code meter exact} / {@code meter approx} folders.
     *
     * @param sources one per influence.jsonl read, with its method and the uncertainty of its
     *     numbers in words
     * @param conventions the definitions, in words
     * @param works per metered work id: its most influenced behaviours (every method)
     * @param behaviours behaviours by total positive Δ over works, at most {@link
     *     InfluenceSection#BEHAVIOURS_SHOWN}
     * @param behavioursTotal behaviours in the files (per method)
     * @param notInRun metered works that are not works of this run (shown only per behaviour)
     * @param validationFile the validation.json given, or null
     * @param validationSha256 its SHA-256, or null
     * @param validationExact the meter exact folder it was made from, or null
     */
    public record Influence(
            List<InfluenceSource> sources,
            String conventions,
            Map<String, WorkInfluence> works,
            List<BehaviourInfluence> behaviours,
            int behavioursTotal,
            List<String> notInRun,
            String validationFile,
            String validationSha256,
            String validationExact) {
        /** The part of work {@code workId}, or null when it was not metered. */
        public WorkInfluence of(String workId) {
            return works.get(workId);
        }
    }

    /**
     * @param method {@code exact}, {@code unlearn} or {@code gradient}
     * @param file the influence.jsonl read
     * @param sha256 its SHA-256
     * @param pairs its lines
     * @param works works it meters
     * @param uncertainty what its numbers' uncertainty is (seed null, or agreement on canaries, or
     *     unvalidated)
     * @param validated exact, or approximate with a measured agreement
     */
    public record InfluenceSource(
            String method,
            String file,
            String sha256,
            int pairs,
            int works,
            String uncertainty,
            boolean validated) {}

    /**
     * @param rows the behaviours it moved most, per method, largest Δ first
     * @param kinds per method, its mean Δ/token by behaviour kind, in words
     */
    public record WorkInfluence(List<InfluenceRow> rows, List<String> kinds) {}

    /** One behaviour a work moved; figures formatted, signed. */
    public record InfluenceRow(
            String method,
            String behaviourId,
            String kind,
            int tokens,
            String delta,
            String deltaPerToken,
            String uncertainty) {}

    /**
     * Which works account for a behaviour.
     *
     * @param totalPositive the sum of the positive Δ over works, nats (the sort key)
     * @param works the works with the largest Δ, formatted with their share of the positive total
     */
    public record BehaviourInfluence(
            String method,
            String behaviourId,
            String kind,
            int worksMetered,
            double totalPositive,
            String total,
            List<String> works) {}

    /**
     * A {@code calibration.json} of {@code memaudit canary calibrate}, summarized for the method
     * section. Figures are formatted here ("value [low, high]", or "not measured (reason)").
     *
     * @param file the file as given to {@code --calibration}
     * @param sha256 its SHA-256
     * @param schemaVersion 1 (member-only canaries) or 2 (ladder canaries over a background)
     * @param memberOnly whether the canaries knew no language but their members (schema 1): a
     *     pipeline check, not evidence
     * @param regime "ladder" or "member-only"
     * @param seeds the canaries' seeds
     * @param settings the canaries' settings (background, background tokens, doses, …) as name,
     *     value
     * @param doses per dose (schema 2; empty for schema 1)
     * @param greedySlope the greedy share's slope per tenfold dose with its interval (schema 2)
     * @param coverageSlope the coverage's slope per tenfold dose with its interval (schema 2)
     * @param carlini one sentence placing the measured slope next to Carlini et al. 2022
     * @param chart the dose–response chart redrawn from the file's numbers (schema 2), or empty
     * @param svgFile {@code dose-response.svg} beside the file, or null
     * @param svgSha256 its SHA-256, or null
     * @param memberOnlyFeatures per feature (schema 1): AUC members vs non-members
     * @param memberOnlyTests the per-work test's rates (schema 1), one line each
     * @param alpha the per-work test's α
     */
    public record Calibration(
            String file,
            String sha256,
            int schemaVersion,
            boolean memberOnly,
            String regime,
            List<Long> seeds,
            List<Setting> settings,
            List<CalibrationDose> doses,
            String greedySlope,
            String coverageSlope,
            String carlini,
            SafeSvg chart,
            String svgFile,
            String svgSha256,
            List<MemberOnlyFeature> memberOnlyFeatures,
            List<String> memberOnlyTests,
            double alpha) {}

    /**
     * One dose of a ladder calibration.
     *
     * @param dose copies of each work seen in training (0 = held out, an in-distribution
     *     non-member)
     * @param works canary × work pairs at this dose
     * @param test the per-work test: at dose 0 its false-positive rate, above its power, as "k / n
     *     = rate [Clopper–Pearson interval]"
     * @param bestFeature the feature of highest AUC at this dose (empty at dose 0 or when none was
     *     measured)
     * @param bestAuc its AUC against dose 0 with its interval
     * @param nllAuc nll's AUC against dose 0 with its interval
     * @param greedyShare greedy share with its interval
     * @param coverage coverage at p_z ≥ 0.5 with its interval
     */
    public record CalibrationDose(
            int dose,
            int works,
            String test,
            String bestFeature,
            String bestAuc,
            String nllAuc,
            String greedyShare,
            String coverage) {}

    /** A feature of a member-only calibration: AUC members vs non-members, and TPR at 1 % FPR. */
    public record MemberOnlyFeature(String feature, String auc, String aucRange, String tpr) {}

    /**
     * One line of the summary.
     *
     * @param stage {@code scan}, {@code extract} or {@code ppl}
     * @param ran whether the run folder holds this stage
     * @param works works the stage reported
     * @param withFinding of those, works with a finding: a verbatim span (scan); coverage at {@link
     *     HtmlReport#OVERVIEW_TAU} above 0 or a greedy-extractable window (extract); a membership p
     *     below the run's α after Holm correction (ppl)
     */
    public record StageSummary(String stage, boolean ran, int works, int withFinding) {}

    /**
     * The overview table.
     *
     * @param workCount works in the table
     * @param presorted whether a sorted copy exists for every column and direction (false above
     *     {@link HtmlReport#PRESORT_MAX_WORKS} works: then only the default order is written and
     *     the headers have no sort links)
     * @param columns the columns, the work column first; only those of stages that ran
     * @param copies the sorted copies: by column and direction, then the default order last (the
     *     CSS shows the default copy unless the URL fragment names another)
     */
    public record Overview(
            int workCount, boolean presorted, List<Column> columns, List<SortedCopy> copies) {}

    /**
     * A column of the overview.
     *
     * @param key short name used in the sort ids ({@code by-<key>-asc}, {@code by-<key>-desc})
     */
    public record Column(String key, String header) {}

    /**
     * One copy of the overview table.
     *
     * @param id the element id, {@code by-<key>-<asc|desc>} or {@code overview-default}
     * @param isDefault whether this is the copy shown when no fragment names another
     * @param current the sort id this copy is in ({@code id}), or null for the default order
     * @param rows the works in this copy's order
     */
    public record SortedCopy(String id, boolean isDefault, String current, List<Row> rows) {
        /** Whether the header link to {@code sortId} names this copy's order. */
        public boolean isCurrent(String sortId) {
            return sortId.equals(current);
        }
    }

    /**
     * One work's row of the overview; the same object in every sorted copy.
     *
     * @param anchor the number of the work's section ({@code #work-<anchor>})
     * @param heading the work's title, or its id when it has none
     * @param cells one cell per column after the work column, in column order
     */
    public record Row(String workId, int anchor, String heading, List<Cell> cells) {}

    /**
     * A cell's text; {@code note} marks a word instead of a number (a ppl status such as "not
     * enough control text"), shown in muted italics.
     */
    public record Cell(String text, boolean note) {
        static Cell of(String text) {
            return new Cell(text, false);
        }
    }

    /**
     * One work's section.
     *
     * @param anchor section number, 1-based in work-id order ({@code id="work-<anchor>"})
     * @param heading title, or the work id when the work has none
     * @param workChars length of the original text in code points, null when unknown
     * @param scan the scan part, null when the scan stage did not run
     * @param extract the extract part, null when the extract stage did not run
     * @param ppl the ppl part, null when the ppl stage did not run
     */
    public record WorkSection(
            int anchor,
            String heading,
            String workId,
            Integer workChars,
            ScanPart scan,
            ExtractPart extract,
            PplPart ppl,
            Licensing licensing) {}

    /**
     * A work's declared reservation and what the run found despite it; null without a reservation.
     *
     * @param reservation as the corpus declares it
     * @param reproduced outputs hold a verbatim span or near passage of the work
     * @param memorized extraction found a greedy-extractable window or an exact attempt
     */
    public record Licensing(
            dev.memaudit.core.records.run.Reservation reservation,
            boolean reproduced,
            boolean memorized) {}

    /**
     * @param scan the stage's findings for the work, null when the scan did not report it
     */
    public record ScanPart(WorkView.Scan scan, Passages passages) {}

    /**
     * @param extract the stage's findings for the work, null when the run did not cover it
     * @param strip the p_z map, null without windows or without the work's length
     * @param legend the p_z map's colour legend
     */
    public record ExtractPart(
            WorkView.Extract extract,
            SafeSvg strip,
            SafeSvg nearStrip,
            SafeSvg legend,
            Passages attempts) {}

    /**
     * @param ppl the stage's statistics for the work, null when the run did not cover it
     * @param boxes one box plot per feature the work's chunks have, in feature order
     */
    public record PplPart(WorkView.Ppl ppl, List<BoxPlot> boxes, double alpha) {
        /** Whether the work's membership test is significant at α after Holm; null if no p. */
        public Boolean significant() {
            return ppl == null || ppl.pHolm() == null ? null : ppl.pHolm() < alpha;
        }
    }

    /** A feature's box plot, work chunks against control chunks (empty when no finite value). */
    public record BoxPlot(String feature, SafeSvg svg) {}

    /**
     * Passages shown side by side: at most {@link HtmlReport#PASSAGES_SHOWN} of those whose texts
     * are available.
     *
     * @param modelLabel heading of the model's side ("Model output", "Model generation")
     * @param hidden passages listed but not shown (all are in spans.csv)
     * @param textsMissing whether passages were listed but none could be shown for lack of texts
     */
    public record Passages(
            String modelLabel, List<Passage> shown, int hidden, boolean textsMissing) {}

    /** A definition the ppl stage recorded: a name and its text (or JSON). */
    public record Convention(String name, String definition) {}

    /**
     * What a stage folder's manifest says about its making.
     *
     * @param folder the stage folder's name
     * @param reproduce the stage's command line, shell-quoted, with the program name
     * @param config each config key with its value as JSON, in the manifest's order
     * @param seeds the manifest's {@code seeds} section as JSON, or null
     * @param inputs model, index, outputs and other inputs (open by default)
     * @param sources the work and control source files
     */
    public record StageProvenance(
            String command,
            String folder,
            String reproduce,
            String toolVersion,
            String startedUtc,
            String endedUtc,
            String java,
            String os,
            List<Setting> config,
            String seeds,
            List<InputHash> inputs,
            List<InputHash> sources) {}

    /** A config key of a stage with its value as JSON. */
    public record Setting(String key, String json) {}

    /**
     * One input of a stage.
     *
     * @param sha256 hex SHA-256 as the manifest recorded it
     * @param bytes size as the manifest recorded it, null when it did not
     */
    public record InputHash(String name, String sha256, String bytes) {}

    /** The ppl false-positive check: the control texts split in two, tested against each other. */
    /**
     * The control-split false-positive check.
     *
     * @param p null when the check did not run
     * @param status why it did not run ("not enough control text"), or "ok"
     */
    public record ControlSplit(Double p, boolean significant, String status) {}
}
