package dev.memaudit.reports.calibration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A {@code calibration.json} read for a report: where it is, its SHA-256, and its figures, typed.
 * Exactly one of {@code ladder} (schema 2) and {@code memberOnly} (schema 1) is set.
 *
 * @param file the file as given
 * @param sha256 its SHA-256 (hex)
 * @param schemaVersion 1 or 2
 * @param ladder the ladder calibration (schema 2), or null
 * @param memberOnly the member-only calibration (schema 1), or null
 * @param doseResponseSvg {@code dose-response.svg} beside the file, or null when there is none
 * @param doseResponseSvgSha256 its SHA-256, or null
 */
public record CalibrationFile(
        Path file,
        String sha256,
        int schemaVersion,
        Ladder ladder,
        MemberOnly memberOnly,
        Path doseResponseSvg,
        String doseResponseSvgSha256) {

    /** The file name {@code canary calibrate} writes its chart to, beside calibration.json. */
    public static final String DOSE_RESPONSE_SVG = "dose-response.svg";

    /** A figure with its interval; value, low and high are null when not measured. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Estimate(Double value, Double low, Double high, int units, String notMeasured) {
        public boolean measured() {
            return notMeasured == null && value != null;
        }
    }

    /** Schema 2: ladder canaries over a background (dose 0 = held-out in-distribution works). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Ladder(
            int schemaVersion,
            String regime,
            double alpha,
            List<Long> seeds,
            List<Integer> doses,
            double lowFpr,
            Intervals intervals,
            PerWorkTest perWorkTest,
            Extraction extraction,
            List<FeatureDose> features,
            LadderSettings settings,
            List<Canary> canaries) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Intervals(double level, String ratesOfWorks, String other, long bootstrapSeed) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PerWorkTest(String rule, List<TestDose> byDose) {}

    /** The per-work test at one dose: its false-positive rate at dose 0, its power above. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TestDose(
            int dose, String rate, int tested, int untested, int significant, Estimate estimate) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Extraction(
            String definition, List<ExtractionDose> byDose, Slopes logLinearSlope) {}

    /** Extraction at one dose: means over canary × work pairs. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ExtractionDose(
            int dose,
            int works,
            @JsonProperty("coverage_0.5") Estimate coverage,
            Estimate greedyShare) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Slopes(
            Slope greedyShare,
            @JsonProperty("coverage_0.5") Slope coverage,
            String definition,
            String reference) {}

    /** A least-squares slope per tenfold dose, with its interval. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Slope(
            Double value,
            Double low,
            Double high,
            int units,
            String notMeasured,
            @JsonProperty("intercept_at_dose_1") Double interceptAtDose1) {
        public Estimate estimate() {
            return new Estimate(value, low, high, units, notMeasured);
        }
    }

    /** One feature's AUC and TPR at 1 % FPR, dose-d chunks against dose-0 chunks. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FeatureDose(
            String feature,
            String orientation,
            int dose,
            @JsonProperty("auc_vs_dose_0") Estimate auc,
            @JsonProperty("tpr_at_1pct_fpr") Estimate tpr) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LadderSettings(
            boolean fast,
            String background,
            List<Integer> doses,
            Long backgroundTokens,
            Long steps,
            Integer chunkTokens,
            Map<String, Integer> extractionWindows,
            String extractionCoverageScheme) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Canary(
            long seed,
            String model,
            Long steps,
            Double finalLoss,
            Long backgroundTokens,
            Double heldOutBackgroundNll,
            Map<String, Double> meanNllByDose,
            Map<String, String> notMeasured) {}

    /** Schema 1: canaries trained on their members alone (no background language). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record MemberOnly(
            int schemaVersion,
            double alpha,
            List<Long> seeds,
            double lowFpr,
            List<MemberOnlyFeature> features,
            List<MemberOnlyTest> aggregateTest,
            int controlSplitSignificant,
            int controlSplitTested,
            Map<String, List<String>> warnings,
            MemberOnlySettings settings) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record MemberOnlyFeature(
            String feature,
            String orientation,
            Double auc,
            Double aucMin,
            Double aucMax,
            @JsonProperty("tpr_at_1pct_fpr") Double tpr,
            Double aucMembersVsControls,
            int nonMemberWelchTests,
            int nonMemberWelchSignificant,
            @JsonProperty("non_member_text_p_significant") int nonMemberTextPSignificant) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record MemberOnlyTest(
            String works,
            int tested,
            int significantP,
            @JsonProperty("significant_p_holm") int significantPHolm,
            Double rateP,
            @JsonProperty("rate_p_holm") Double ratePHolm) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record MemberOnlySettings(
            boolean fast,
            Integer repeat,
            Long steps,
            Double memberFraction,
            Integer chunkTokens,
            String tokenizerCorpus) {}

    /**
     * Reads and checks a calibration.json.
     *
     * @throws MemauditException bad input (exit 3) naming the file and the reason: missing, not
     *     JSON, an unknown schema version, a missing or unknown key
     */
    public static CalibrationFile read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw MemauditException.badInput(
                    file
                            + ": no such calibration file (calibration.json of memaudit canary"
                            + " calibrate)");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw MemauditException.badInput(
                    file + ": not a calibration.json: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw MemauditException.badInput(file + ": not a calibration.json: not a JSON object");
        }
        JsonNode v = root.get("schema_version");
        if (v == null || !v.isInt()) {
            throw MemauditException.badInput(
                    file + ": not a calibration.json: no integer schema_version");
        }
        int version = v.asInt();
        Ladder ladder = null;
        MemberOnly memberOnly = null;
        try {
            switch (version) {
                case 1 -> memberOnly = Json.MAPPER.treeToValue(root, MemberOnly.class);
                case 2 -> ladder = Json.MAPPER.treeToValue(root, Ladder.class);
                default ->
                        throw MemauditException.badInput(
                                file
                                        + ": calibration.json schema_version "
                                        + version
                                        + " is not one this memaudit reads (1 or 2)");
            }
        } catch (JsonProcessingException e) {
            throw MemauditException.badInput(
                    file
                            + ": not a calibration.json of schema "
                            + version
                            + ": "
                            + e.getOriginalMessage(),
                    e);
        }
        if (ladder != null) {
            check(file, ladder);
        } else {
            check(file, memberOnly);
        }
        Path svg = file.toAbsolutePath().normalize().resolveSibling(DOSE_RESPONSE_SVG);
        boolean hasSvg = ladder != null && Files.isRegularFile(svg);
        return new CalibrationFile(
                file,
                Sha256.of(file),
                version,
                ladder,
                memberOnly,
                hasSvg ? svg : null,
                hasSvg ? Sha256.of(svg) : null);
    }

    private static void check(Path file, Ladder l) {
        require(file, l.regime() != null && l.regime().equals("ladder"), "regime is not ladder");
        require(file, l.seeds() != null && !l.seeds().isEmpty(), "no seeds");
        require(file, l.doses() != null && l.doses().contains(0), "no dose 0 in doses");
        require(
                file,
                l.perWorkTest() != null && l.perWorkTest().byDose() != null,
                "no per_work_test.by_dose");
        require(
                file,
                l.extraction() != null
                        && l.extraction().byDose() != null
                        && l.extraction().logLinearSlope() != null
                        && l.extraction().logLinearSlope().greedyShare() != null
                        && l.extraction().logLinearSlope().coverage() != null,
                "no extraction.by_dose or extraction.log_linear_slope");
        require(file, l.features() != null, "no features");
        require(file, l.settings() != null, "no settings");
        for (TestDose t : l.perWorkTest().byDose()) {
            require(
                    file,
                    t.estimate() != null,
                    "per_work_test dose " + t.dose() + " has no estimate");
        }
        for (ExtractionDose x : l.extraction().byDose()) {
            require(
                    file,
                    x.coverage() != null && x.greedyShare() != null,
                    "extraction dose " + x.dose() + " lacks coverage_0.5 or greedy_share");
        }
        for (FeatureDose f : l.features()) {
            require(
                    file,
                    f.feature() != null && f.auc() != null && f.tpr() != null,
                    "a feature row lacks feature, auc_vs_dose_0 or tpr_at_1pct_fpr");
        }
    }

    private static void check(Path file, MemberOnly m) {
        require(file, m.seeds() != null && !m.seeds().isEmpty(), "no seeds");
        require(file, m.features() != null, "no features");
        require(file, m.aggregateTest() != null, "no aggregate_test");
    }

    private static void require(Path file, boolean ok, String why) {
        if (!ok) {
            throw MemauditException.badInput(file + ": not a usable calibration.json: " + why);
        }
    }
}
