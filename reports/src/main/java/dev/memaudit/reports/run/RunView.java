package dev.memaudit.reports.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.memaudit.core.records.ppl.PplSummary;
import dev.memaudit.core.records.prevalence.PrevalenceSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a report shows, read from one run folder: the stages that ran, one {@link WorkView}
 * per work (sorted by work id), the control chunks' features, and notes (what could not be shown
 * and why).
 *
 * @param runDir the folder given to {@code report --run}
 * @param stages the stage folders read, in the order scan, extract, sample, ppl
 * @param works every work any stage reported, sorted by id
 * @param controlFeatures per feature, the values of every control chunk (ppl), empty without ppl
 * @param pplRun the ppl stage's {@code ppl.json} (self-checks, warnings), or null
 * @param prevalence the prevalence stage's {@code prevalence.json}, or null
 * @param notes things the reader must know (texts not available, stages missing, …)
 */
public record RunView(
        @JsonIgnore Path runDir,
        @JsonIgnore List<StageFolder> stages,
        List<WorkView> works,
        @JsonIgnore Map<String, double[]> controlFeatures,
        @JsonIgnore PplSummary pplRun,
        @JsonIgnore PrevalenceSummary prevalence,
        List<String> notes) {
    /** The stages a report knows, in report order. */
    public static final List<String> KNOWN_STAGES =
            List.of("scan", "extract", "sample", "ppl", "prevalence");

    /** A view without a prevalence stage. */
    public RunView(
            Path runDir,
            List<StageFolder> stages,
            List<WorkView> works,
            Map<String, double[]> controlFeatures,
            PplSummary pplRun,
            List<String> notes) {
        this(runDir, stages, works, controlFeatures, pplRun, null, notes);
    }

    /** The stage folder for {@code command}, or null when that stage did not run. */
    public StageFolder stage(String command) {
        for (StageFolder s : stages) {
            if (s.command().equals(command)) {
                return s;
            }
        }
        return null;
    }

    public boolean ran(String command) {
        return stage(command) != null;
    }
}
