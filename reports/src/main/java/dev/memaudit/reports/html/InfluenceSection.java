package dev.memaudit.reports.html;

import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.ValidationSummary;
import dev.memaudit.reports.influence.InfluenceFolder;
import dev.memaudit.reports.run.RunView;
import dev.memaudit.reports.run.WorkView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The report's influence: {@code influence.jsonl} files of {@code meter exact} / {@code meter
 * approx} ({@code report --influence}) made into {@link ReportPage.Influence}: per work the
 * behaviours it moved most, per behaviour the works that account for it, and per method where its
 * numbers come from and how well it agreed with exact counterfactuals on canaries ({@code
 * --influence-validation}). An approximate method without a validation is said to be unvalidated,
 * in the section itself, not only in the method section.
 */
final class InfluenceSection {
    /** Behaviours listed per work and method. */
    static final int TOP_PER_WORK = 5;

    /** Behaviours listed in the per-behaviour table, largest total positive Δ first. */
    static final int BEHAVIOURS_SHOWN = 40;

    /** Works named per behaviour. */
    static final int WORKS_PER_BEHAVIOUR = 5;

    static final String CONVENTIONS =
            "Influence of work W on behaviour b = ln p_with(b) − ln p_without(b): the natural-log"
                    + " probability of b's text (after its prompt, if any) under the model that"
                    + " saw W minus under the model that did not, summed over b's scored tokens"
                    + " (Δ, nats) and divided by their number (Δ/token). Positive: W made b more"
                    + " likely. exact: two canaries trained with identical seed, data order and"
                    + " steps, W's slots filled with background text; z and p against the"
                    + " variation of the same quantity between canaries of different seeds."
                    + " unlearn: the model before minus after gradient ascent on W. gradient: a"
                    + " first-order estimate from projected gradient inner products, in its own"
                    + " units (only its sign and ranking compare with the others).";

    private InfluenceSection() {}

    static ReportPage.Influence of(
            List<InfluenceFolder> folders, InfluenceFolder.Validation validation, RunView view) {
        if (folders == null || folders.isEmpty()) {
            return null;
        }
        Set<String> runWorks =
                view.works().stream().map(WorkView::workId).collect(Collectors.toSet());
        List<ReportPage.InfluenceSource> sources = new ArrayList<>();
        Map<String, List<ReportPage.InfluenceRow>> byWork = new TreeMap<>();
        Map<String, List<String>> kindsByWork = new TreeMap<>();
        List<ReportPage.BehaviourInfluence> behaviours = new ArrayList<>();
        Set<String> notInRun = new TreeSet<>();
        for (InfluenceFolder f : folders) {
            ValidationSummary.MethodAgreement agreement =
                    validation == null ? null : validation.of(f.method());
            String uncertainty = uncertainty(f.method(), agreement, validation != null);
            sources.add(
                    new ReportPage.InfluenceSource(
                            f.method(),
                            f.file().toString(),
                            f.sha256(),
                            f.records().size(),
                            (int)
                                    f.records().stream()
                                            .map(InfluenceRecord::workId)
                                            .distinct()
                                            .count(),
                            uncertainty,
                            f.method().equals("exact") || agreement != null));
            Map<String, List<InfluenceRecord>> perWork = new TreeMap<>();
            for (InfluenceRecord r : f.records()) {
                perWork.computeIfAbsent(r.workId(), k -> new ArrayList<>()).add(r);
            }
            perWork.forEach(
                    (w, rs) -> {
                        if (!runWorks.contains(w)) {
                            notInRun.add(w);
                        }
                        rs.stream()
                                .sorted(
                                        Comparator.comparingDouble(InfluenceRecord::deltaLogprob)
                                                .reversed()
                                                .thenComparing(InfluenceRecord::behaviourId))
                                .limit(TOP_PER_WORK)
                                .forEach(
                                        r ->
                                                byWork.computeIfAbsent(w, k -> new ArrayList<>())
                                                        .add(row(r)));
                        kindsByWork
                                .computeIfAbsent(w, k -> new ArrayList<>())
                                .add(f.method() + ": " + kinds(rs));
                    });
            behaviours.addAll(behaviours(f));
        }
        behaviours.sort(
                Comparator.comparingDouble(ReportPage.BehaviourInfluence::totalPositive)
                        .reversed()
                        .thenComparing(ReportPage.BehaviourInfluence::behaviourId));
        int shownBehaviours = Math.min(BEHAVIOURS_SHOWN, behaviours.size());
        Map<String, ReportPage.WorkInfluence> works = new LinkedHashMap<>();
        byWork.forEach(
                (w, rows) ->
                        works.put(
                                w,
                                new ReportPage.WorkInfluence(
                                        List.copyOf(rows), List.copyOf(kindsByWork.get(w)))));
        return new ReportPage.Influence(
                List.copyOf(sources),
                CONVENTIONS,
                works,
                List.copyOf(behaviours.subList(0, shownBehaviours)),
                behaviours.size(),
                List.copyOf(notInRun),
                validation == null ? null : validation.file().toString(),
                validation == null ? null : validation.sha256(),
                validation == null ? null : validation.summary().exact());
    }

    /** What the uncertainty of a method's numbers is, in words. */
    static String uncertainty(
            String method, ValidationSummary.MethodAgreement a, boolean validationGiven) {
        if (method.equals("exact")) {
            return "exact counterfactual; z and p against the seed-variation null (null where the"
                    + " run had fewer than 2 seeds)";
        }
        if (a == null) {
            return "approximate ("
                    + method
                    + "), not validated: "
                    + (validationGiven
                            ? "the validation given has no figures for this method"
                            : "no --influence-validation was given")
                    + ", so its error against exact counterfactuals is unknown; no z or p";
        }
        StringBuilder b = new StringBuilder();
        b.append("approximate (")
                .append(method)
                .append("); against exact counterfactuals on canaries (")
                .append(a.pairs())
                .append(" pairs, ")
                .append(a.works())
                .append(" works): Spearman ρ ")
                .append(estimate(a.spearman()))
                .append(", Pearson r ")
                .append(estimate(a.pearson()));
        if (a.topKAgreement() != null) {
            b.append(", top-")
                    .append(a.topK())
                    .append(" agreement ")
                    .append(Format.percent(a.topKAgreement()))
                    .append(" over ")
                    .append(a.topKBehaviours())
                    .append(" behaviours");
        }
        if (a.ownSignAgreement() != null) {
            b.append(", sign right on ")
                    .append(Format.percent(a.ownSignAgreement()))
                    .append(" of own-text pairs");
        }
        return b.append("; no z or p").toString();
    }

    static String estimate(ValidationSummary.Estimate e) {
        if (e == null || e.value() == null) {
            return "undefined (a side does not vary)";
        }
        return String.format(Locale.ROOT, "%.3f", e.value())
                + (e.low() == null
                        ? ""
                        : String.format(Locale.ROOT, " [%.3f, %.3f]", e.low(), e.high()));
    }

    private static ReportPage.InfluenceRow row(InfluenceRecord r) {
        String u;
        if (r.z() != null) {
            u = "z " + minus(r.z()) + ", p " + Format.p(r.p());
        } else {
            u = r.method().equals("exact") ? "no seed null" : "no null (approximate)";
        }
        return new ReportPage.InfluenceRow(
                r.method(),
                r.behaviourId(),
                r.behaviourKind(),
                r.tokens(),
                signed(r.deltaLogprob()),
                signed(r.deltaPerToken()),
                u);
    }

    /** Mean Δ/token per behaviour kind, e.g. "own +3.2 (8), unrelated −0.01 (10)". */
    private static String kinds(List<InfluenceRecord> rs) {
        Map<String, double[]> k = new TreeMap<>();
        for (InfluenceRecord r : rs) {
            double[] s = k.computeIfAbsent(r.behaviourKind(), x -> new double[2]);
            s[0] += r.deltaPerToken();
            s[1]++;
        }
        List<String> parts = new ArrayList<>();
        k.forEach(
                (kind, s) ->
                        parts.add(
                                kind
                                        + " "
                                        + signed(s[0] / s[1])
                                        + " ("
                                        + (int) s[1]
                                        + " behaviours)"));
        return "mean Δ/token by kind: " + String.join(", ", parts);
    }

    private static List<ReportPage.BehaviourInfluence> behaviours(InfluenceFolder f) {
        Map<String, List<InfluenceRecord>> perBehaviour = new TreeMap<>();
        for (InfluenceRecord r : f.records()) {
            perBehaviour.computeIfAbsent(r.behaviourId(), k -> new ArrayList<>()).add(r);
        }
        List<ReportPage.BehaviourInfluence> out = new ArrayList<>();
        perBehaviour.forEach(
                (b, rs) -> {
                    double positive =
                            rs.stream().mapToDouble(r -> Math.max(0, r.deltaLogprob())).sum();
                    List<String> works =
                            rs.stream()
                                    .sorted(
                                            Comparator.comparingDouble(
                                                            InfluenceRecord::deltaLogprob)
                                                    .reversed()
                                                    .thenComparing(InfluenceRecord::workId))
                                    .limit(WORKS_PER_BEHAVIOUR)
                                    .map(
                                            r ->
                                                    r.workId()
                                                            + " "
                                                            + signed(r.deltaLogprob())
                                                            + (r.deltaLogprob() > 0 && positive > 0
                                                                    ? " ("
                                                                            + Format.percent(
                                                                                    r.deltaLogprob()
                                                                                            / positive)
                                                                            + ")"
                                                                    : "")
                                                            + (r.z() == null
                                                                    ? ""
                                                                    : ", z " + minus(r.z())))
                                    .toList();
                    out.add(
                            new ReportPage.BehaviourInfluence(
                                    f.method(),
                                    b,
                                    rs.get(0).behaviourKind(),
                                    rs.size(),
                                    positive,
                                    signed(positive),
                                    works));
                });
        return out;
    }

    /** A number with a true minus sign when negative, no sign otherwise. */
    static String minus(double v) {
        return v < 0 ? "−" + Format.num(-v) : Format.num(v);
    }

    static String signed(double v) {
        String s = Format.num(Math.abs(v));
        return (v > 0 ? "+" : v < 0 ? "−" : "") + s;
    }
}
