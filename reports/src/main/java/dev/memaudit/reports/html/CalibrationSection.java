package dev.memaudit.reports.html;

import dev.memaudit.reports.calibration.CalibrationFile;
import dev.memaudit.reports.calibration.CalibrationFile.Estimate;
import dev.memaudit.reports.calibration.CalibrationFile.ExtractionDose;
import dev.memaudit.reports.calibration.CalibrationFile.FeatureDose;
import dev.memaudit.reports.calibration.CalibrationFile.Ladder;
import dev.memaudit.reports.calibration.CalibrationFile.MemberOnly;
import dev.memaudit.reports.calibration.CalibrationFile.Slope;
import dev.memaudit.reports.calibration.CalibrationFile.TestDose;
import dev.memaudit.reports.html.ReportPage.CalibrationDose;
import dev.memaudit.reports.html.ReportPage.MemberOnlyFeature;
import dev.memaudit.reports.html.ReportPage.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The method section's "error rates measured on canaries": a {@link CalibrationFile} made into
 * {@link ReportPage.Calibration}, figures formatted, the best feature per dose chosen and the
 * log-linear slope put next to Carlini et al. 2022 in words that say what was measured.
 */
final class CalibrationSection {
    /** The feature whose AUC is always shown beside the best one. */
    static final String NLL = "nll";

    private CalibrationSection() {}

    static ReportPage.Calibration of(CalibrationFile f) {
        if (f == null) {
            return null;
        }
        return f.ladder() != null ? ladder(f, f.ladder()) : memberOnly(f, f.memberOnly());
    }

    private static ReportPage.Calibration ladder(CalibrationFile f, Ladder l) {
        List<Setting> settings = new ArrayList<>();
        var s = l.settings();
        settings.add(new Setting("background", s.background()));
        settings.add(
                new Setting(
                        "background tokens (requested)",
                        s.backgroundTokens() == null
                                ? "the trainer's default"
                                : Long.toString(s.backgroundTokens())));
        settings.add(new Setting("doses", join(l.doses())));
        settings.add(
                new Setting("canary size", s.fast() ? "--fast (small, for tests)" : "default"));
        if (s.steps() != null) {
            settings.add(new Setting("steps", Long.toString(s.steps())));
        }
        if (s.chunkTokens() != null) {
            settings.add(new Setting("ppl chunk tokens", Integer.toString(s.chunkTokens())));
        }
        if (s.extractionWindows() != null) {
            settings.add(
                    new Setting(
                            "extraction windows (tokens)",
                            "prefix "
                                    + s.extractionWindows().get("prefix_tokens")
                                    + ", suffix "
                                    + s.extractionWindows().get("suffix_tokens")
                                    + ", stride "
                                    + s.extractionWindows().get("stride")));
        }
        for (var c : l.canaries() == null ? List.<CalibrationFile.Canary>of() : l.canaries()) {
            StringBuilder b = new StringBuilder();
            b.append(c.backgroundTokens() == null ? "?" : c.backgroundTokens())
                    .append(" background tokens; held-out background NLL ")
                    .append(
                            c.heldOutBackgroundNll() == null
                                    ? "not measured"
                                    : fmt(c.heldOutBackgroundNll()));
            if (c.meanNllByDose() != null) {
                List<String> parts = new ArrayList<>();
                new TreeMap<>(c.meanNllByDose())
                        .entrySet().stream()
                                .sorted(
                                        (a, b2) ->
                                                Integer.compare(
                                                        dose(a.getKey()), dose(b2.getKey())))
                                .forEach(e -> parts.add(e.getKey() + ": " + fmt(e.getValue())));
                b.append("; works' NLL by dose ").append(String.join(", ", parts));
            }
            if (c.heldOutBackgroundNll() != null || c.meanNllByDose() != null) {
                b.append(" (nats/token)");
            }
            if (c.notMeasured() != null && !c.notMeasured().isEmpty()) {
                b.append("; not measured: ");
                List<String> why = new ArrayList<>();
                new TreeMap<>(c.notMeasured()).forEach((k, v) -> why.add(k + " (" + v + ")"));
                b.append(String.join(", ", why));
            }
            settings.add(new Setting("canary seed " + c.seed(), b.toString()));
        }

        Map<Integer, TestDose> tests = new TreeMap<>();
        l.perWorkTest().byDose().forEach(t -> tests.put(t.dose(), t));
        Map<Integer, ExtractionDose> extraction = new TreeMap<>();
        l.extraction().byDose().forEach(x -> extraction.put(x.dose(), x));
        List<CalibrationDose> doses = new ArrayList<>();
        List<Svg.DosePoint> points = new ArrayList<>();
        boolean anyExtracted = false;
        for (int d : l.doses()) {
            TestDose t = tests.get(d);
            ExtractionDose x = extraction.get(d);
            FeatureDose best = null;
            FeatureDose nll = null;
            for (FeatureDose fd : l.features()) {
                if (fd.dose() != d) {
                    continue;
                }
                if (fd.feature().equals(NLL)) {
                    nll = fd;
                }
                if (fd.auc().measured()
                        && (best == null || fd.auc().value() > best.auc().value())) {
                    best = fd;
                }
            }
            doses.add(
                    new CalibrationDose(
                            d,
                            x == null ? 0 : x.works(),
                            t == null ? "not in the file" : rate(t),
                            d == 0 || best == null ? "" : best.feature(),
                            d == 0 ? "" : best == null ? "not measured" : estimate(best.auc()),
                            d == 0 ? "" : nll == null ? "not in the file" : estimate(nll.auc()),
                            x == null ? "not in the file" : estimate(x.greedyShare()),
                            x == null ? "not in the file" : estimate(x.coverage())));
            if (x != null) {
                points.add(new Svg.DosePoint(d, triple(x.greedyShare()), triple(x.coverage())));
                anyExtracted |= positive(x.greedyShare()) || positive(x.coverage());
            }
        }
        Slope greedy = l.extraction().logLinearSlope().greedyShare();
        Slope coverage = l.extraction().logLinearSlope().coverage();
        return new ReportPage.Calibration(
                f.file().toString(),
                f.sha256(),
                f.schemaVersion(),
                false,
                l.regime(),
                l.seeds(),
                settings,
                doses,
                slope(greedy),
                slope(coverage),
                carlini(greedy, anyExtracted),
                Svg.doseResponse(points),
                f.doseResponseSvg() == null ? null : f.doseResponseSvg().toString(),
                f.doseResponseSvgSha256(),
                List.of(),
                List.of(),
                l.alpha());
    }

    private static ReportPage.Calibration memberOnly(CalibrationFile f, MemberOnly m) {
        List<Setting> settings = new ArrayList<>();
        var s = m.settings();
        if (s != null) {
            settings.add(
                    new Setting("canary size", s.fast() ? "--fast (small, for tests)" : "default"));
            if (s.repeat() != null) {
                settings.add(new Setting("repeat (copies of every member)", s.repeat().toString()));
            }
            if (s.memberFraction() != null) {
                settings.add(new Setting("member fraction", fmt(s.memberFraction())));
            }
            if (s.chunkTokens() != null) {
                settings.add(new Setting("ppl chunk tokens", s.chunkTokens().toString()));
            }
        }
        settings.add(new Setting("background", "none: the canaries saw their members alone"));
        List<MemberOnlyFeature> features = new ArrayList<>();
        for (var x : m.features()) {
            features.add(
                    new MemberOnlyFeature(
                            x.feature(),
                            Format.num(x.auc()),
                            Format.num(x.aucMin()) + " – " + Format.num(x.aucMax()),
                            Format.num(x.tpr())));
        }
        List<String> tests = new ArrayList<>();
        for (var t : m.aggregateTest()) {
            tests.add(
                    t.works()
                            + ": "
                            + t.significantPHolm()
                            + " / "
                            + t.tested()
                            + " significant after Holm ("
                            + t.significantP()
                            + " / "
                            + t.tested()
                            + " before)");
        }
        return new ReportPage.Calibration(
                f.file().toString(),
                f.sha256(),
                f.schemaVersion(),
                true,
                "member-only",
                m.seeds(),
                settings,
                List.of(),
                null,
                null,
                null,
                SafeSvg.EMPTY,
                null,
                null,
                features,
                tests,
                m.alpha());
    }

    /** The slope sentence: what was measured, next to what Carlini et al. 2022 found. */
    static String carlini(Slope greedy, boolean anyExtracted) {
        String theirs =
                "Carlini et al. 2022 (Quantifying Memorization Across Neural Language Models)"
                        + " report extraction growing log-linearly with the number of times a"
                        + " sequence is duplicated in training.";
        Estimate e = greedy.estimate();
        if (!e.measured()) {
            return theirs
                    + " Here the slope of the greedy share on log10(dose) is not measured ("
                    + (e.notMeasured() == null ? "no value in the file" : e.notMeasured())
                    + "), so this calibration says nothing about that finding.";
        }
        if (!anyExtracted) {
            return theirs
                    + " Here the slope is "
                    + fmt(e.value())
                    + " per tenfold dose: nothing was extractable at these doses (greedy share"
                    + " and coverage 0 at every dose), so these canaries do not reproduce that"
                    + " growth, and an audit that extracts nothing says little about works seen"
                    + " this few times.";
        }
        boolean spansZero = e.low() != null && e.high() != null && e.low() <= 0 && e.high() >= 0;
        return theirs
                + String.format(
                        Locale.ROOT,
                        " Here the greedy share changes by %+.3f per tenfold dose (95 %% interval"
                                + " %.3f to %.3f)%s.",
                        e.value(),
                        e.low(),
                        e.high(),
                        spansZero
                                ? ": the interval includes 0, so growth with dose is not shown at"
                                        + " these doses"
                                : e.value() > 0
                                        ? ": extraction grows with the log of the dose, as they"
                                                + " found"
                                        : ": extraction falls with dose, unlike their finding");
    }

    private static String slope(Slope s) {
        Estimate e = s.estimate();
        if (!e.measured()) {
            return "not measured ("
                    + (e.notMeasured() == null ? "no value in the file" : e.notMeasured())
                    + ")";
        }
        return String.format(
                        Locale.ROOT,
                        "%+.3f per tenfold dose [%.3f, %.3f], %d works",
                        e.value(),
                        e.low(),
                        e.high(),
                        e.units())
                + (s.interceptAtDose1() == null
                        ? ""
                        : String.format(Locale.ROOT, "; %.3f at dose 1", s.interceptAtDose1()));
    }

    private static String rate(TestDose t) {
        String what = t.dose() == 0 ? "FPR " : "power ";
        String untested = t.untested() > 0 ? " (" + t.untested() + " not tested)" : "";
        Estimate e = t.estimate();
        if (!e.measured()) {
            return what + "not measured (" + e.notMeasured() + ")" + untested;
        }
        return what
                + t.significant()
                + " / "
                + t.tested()
                + " = "
                + fmt(e.value())
                + " ["
                + fmt(e.low())
                + ", "
                + fmt(e.high())
                + "]"
                + untested;
    }

    static String estimate(Estimate e) {
        if (!e.measured()) {
            return "not measured ("
                    + (e.notMeasured() == null ? "no value in the file" : e.notMeasured())
                    + ")";
        }
        if (e.low() == null || e.high() == null) {
            return fmt(e.value());
        }
        return fmt(e.value()) + " [" + fmt(e.low()) + ", " + fmt(e.high()) + "]";
    }

    private static double[] triple(Estimate e) {
        if (!e.measured()) {
            return null;
        }
        double v = e.value();
        return new double[] {v, e.low() == null ? v : e.low(), e.high() == null ? v : e.high()};
    }

    private static boolean positive(Estimate e) {
        return e.measured() && e.value() > 0;
    }

    private static int dose(String key) {
        try {
            return Integer.parseInt(key);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static String join(List<Integer> v) {
        return String.join(", ", v.stream().map(String::valueOf).toList());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
