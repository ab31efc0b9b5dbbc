package dev.memaudit.reports.calibration;

import dev.memaudit.core.io.Json;
import dev.memaudit.stats.Calibration;
import dev.memaudit.stats.DoseCalibration;
import dev.memaudit.stats.DoseCalibration.Estimate;
import dev.memaudit.stats.DoseCalibration.ExtractionDose;
import dev.memaudit.stats.DoseCalibration.FeatureDose;
import dev.memaudit.stats.DoseCalibration.LogLinearFit;
import dev.memaudit.stats.DoseCalibration.TestDose;
import dev.memaudit.stats.Orientation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * calibration.json files written the way {@code memaudit canary calibrate} writes them: the figures
 * through the stats module's own writers ({@link DoseCalibration#toMap}, {@link
 * Calibration#toMap}), settings and canaries as {@code LadderCalibration} and {@code
 * CanaryCalibration} add them. Numbers are chosen by the test, not measured.
 */
public final class CalibrationSamples {
    private CalibrationSamples() {}

    static Estimate est(double v, double lo, double hi, int units) {
        return new Estimate(v, lo, hi, units, null);
    }

    /**
     * A ladder calibration at doses 0, 1, 16; {@code extractable} false gives greedy share and
     * coverage 0 at every dose and a slope of 0.
     */
    public static Path ladder(Path file, boolean extractable) {
        Orientation nll = Orientation.ofFeature("nll");
        Orientation mink = Orientation.ofFeature("min_k_10");
        List<FeatureDose> features =
                List.of(
                        new FeatureDose(
                                "min_k_10",
                                mink,
                                1,
                                est(0.469, 0.399, 0.529, 8),
                                est(0.027, 0.006, 0.063, 8)),
                        new FeatureDose(
                                "min_k_10",
                                mink,
                                16,
                                est(0.973, 0.961, 0.987, 8),
                                est(0.601, 0.527, 0.775, 8)),
                        new FeatureDose(
                                "nll",
                                nll,
                                1,
                                est(0.521, 0.463, 0.580, 8),
                                est(0.011, 0.0, 0.04, 8)),
                        new FeatureDose(
                                "nll",
                                nll,
                                16,
                                est(0.925, 0.885, 0.977, 8),
                                est(0.4, 0.3, 0.5, 8)));
        List<TestDose> tests =
                List.of(
                        new TestDose(0, 4, 0, 0, est(0.0, 0.0, 0.602, 4)),
                        new TestDose(1, 4, 0, 2, est(0.5, 0.068, 0.932, 4)),
                        new TestDose(16, 4, 0, 4, est(1.0, 0.398, 1.0, 4)));
        List<ExtractionDose> extraction =
                extractable
                        ? List.of(
                                new ExtractionDose(0, 4, est(0, 0, 0, 4), est(0, 0, 0, 4)),
                                new ExtractionDose(1, 4, est(0, 0, 0, 4), est(0, 0, 0, 4)),
                                new ExtractionDose(
                                        16, 4, est(0.34, 0.28, 0.401, 4), est(0.5, 0.25, 0.75, 4)))
                        : List.of(
                                new ExtractionDose(0, 4, est(0, 0, 0, 4), est(0, 0, 0, 4)),
                                new ExtractionDose(1, 4, est(0, 0, 0, 4), est(0, 0, 0, 4)),
                                new ExtractionDose(16, 4, est(0, 0, 0, 4), est(0, 0, 0, 4)));
        LogLinearFit greedy =
                extractable
                        ? new LogLinearFit(est(0.4152, 0.2076, 0.6228, 8), 0.0)
                        : new LogLinearFit(est(0, 0, 0, 8), 0.0);
        LogLinearFit coverage =
                extractable
                        ? new LogLinearFit(est(0.2824, 0.2329, 0.3335, 8), 0.0)
                        : new LogLinearFit(est(0, 0, 0, 8), 0.0);
        DoseCalibration.Table t =
                new DoseCalibration.Table(
                        0.05,
                        42,
                        List.of(42L, 43L),
                        List.of(0, 1, 16),
                        features,
                        tests,
                        extraction,
                        greedy,
                        coverage);
        Map<String, Object> json = new LinkedHashMap<>(DoseCalibration.toMap(t));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("fast", false);
        settings.put("background", "/data/background");
        settings.put("doses", List.of(0, 1, 16));
        settings.put("background_tokens", 150000L);
        settings.put("steps", null);
        settings.put("chunk_tokens", 64);
        settings.put(
                "extraction_windows",
                Map.of("prefix_tokens", 50, "suffix_tokens", 50, "stride", 50));
        settings.put("extraction_coverage_scheme", "T1");
        json.put("settings", settings);
        Map<String, Object> canary = new LinkedHashMap<>();
        canary.put("seed", 42L);
        canary.put("model", "/cal/seed-42/model");
        canary.put("steps", 900);
        canary.put("final_loss", 3.1);
        canary.put("background_tokens", 150211L);
        canary.put("held_out_background_nll", 4.361);
        canary.put("mean_nll_by_dose", Map.of("0", 4.393, "1", 4.323, "16", 3.994));
        Map<String, Object> canary43 = new LinkedHashMap<>(canary);
        canary43.put("seed", 43L);
        canary43.put("model", "/cal/seed-43/model");
        canary43.put("held_out_background_nll", null);
        canary43.put("mean_nll_by_dose", null);
        canary43.put("not_measured", Map.of("nll", "membership.json has no evaluation"));
        json.put("canaries", List.of(canary, canary43));
        Json.writePretty(file, json);
        return file;
    }

    /** A member-only calibration (schema 1). */
    public static Path memberOnly(Path file) {
        Calibration.Table t =
                new Calibration.Table(
                        0.05,
                        List.of(1L, 2L, 3L),
                        List.of(
                                new Calibration.FeatureRow(
                                        "nll",
                                        Orientation.ofFeature("nll"),
                                        1.0,
                                        1.0,
                                        1.0,
                                        1.0,
                                        1.0,
                                        21,
                                        1,
                                        0)),
                        List.of(
                                new Calibration.TestRow("members", 24, 24, 24, 1.0, 1.0),
                                new Calibration.TestRow("non-members", 21, 1, 0, 0.0476, 0.0)),
                        0,
                        3,
                        Map.of());
        Map<String, Object> json = new LinkedHashMap<>(Calibration.toMap(t));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("fast", true);
        settings.put("repeat", 20);
        settings.put("steps", null);
        settings.put("member_fraction", 0.5);
        settings.put("chunk_tokens", 64);
        settings.put("tokenizer_corpus", "works and controls");
        json.put("settings", settings);
        Json.writePretty(file, json);
        return file;
    }
}
