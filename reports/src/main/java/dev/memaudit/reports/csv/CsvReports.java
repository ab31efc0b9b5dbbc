package dev.memaudit.reports.csv;

import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.run.Reservation;
import dev.memaudit.reports.run.Passage;
import dev.memaudit.reports.run.RunView;
import dev.memaudit.reports.run.WorkView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code works.csv} (one row per work) and {@code spans.csv} (one row per passage). */
public final class CsvReports {
    /** Spreadsheets hold at most 32,767 characters in a cell. */
    static final int MAX_CELL = 32_000;

    static final List<String> TAUS = List.of("0.5", "0.1", "0.01");

    /**
     * The cell of a figure the backend could not measure (the reason is in extract_not_measured).
     */
    public static final String NOT_MEASURED = "not measured";

    private CsvReports() {}

    /**
     * One row per work. Coverage of the report's scheme (t1) in {@code extract_coverage_<τ>}; of
     * every other scheme of the run in {@code extract_coverage_<scheme>_<τ>}: a share, or {@value
     * #NOT_MEASURED} where some window of the work lacks that scheme's p_z (never 0), with the
     * reasons in {@code extract_not_measured}; empty where the work was not extracted.
     */
    public static String works(RunView view) {
        Csv csv = new Csv();
        Set<String> schemes = new TreeSet<>();
        for (WorkView w : view.works()) {
            if (w.extract() != null) {
                schemes.addAll(w.extract().otherSchemes());
            }
        }
        List<Object> header =
                new ArrayList<>(
                        List.of(
                                "work_id",
                                "title",
                                "work_chars",
                                "scan_spans",
                                "scan_outputs_hit",
                                "scan_chars_reproduced",
                                "scan_longest_span_words",
                                "scan_near_passages",
                                "scan_share_reproduced_near",
                                "scan_longest_near_words",
                                "scan_bmc_k",
                                "scan_coverage_exact_k",
                                "scan_coverage_exact_min_words",
                                "scan_coverage_near_k",
                                "scan_coverage_near_min_words",
                                "scan_longest_block_words",
                                "scan_longest_block_words_near",
                                "scan_passages_over_20",
                                "scan_passages_over_50",
                                "scan_near_passages_over_20",
                                "scan_near_passages_over_50",
                                "scan_coverage_outputs",
                                "scan_coverage_outputs_trimmed",
                                "extract_windows",
                                "extract_scheme"));
        for (String t : TAUS) {
            header.add("extract_coverage_" + t);
        }
        for (String scheme : schemes) {
            for (String t : TAUS) {
                header.add("extract_coverage_" + scheme + "_" + t);
            }
        }
        header.add("extract_not_measured");
        header.addAll(
                List.of(
                        "extract_greedy_extractable_windows",
                        "extract_p_z_median",
                        "extract_p_z_max",
                        "extract_attempts",
                        "extract_attempts_exact",
                        "extract_attempts_near",
                        "extract_attempt_coverage_exact",
                        "extract_attempt_coverage_near",
                        "extract_attempts_skipped",
                        "extract_windows_skipped",
                        "extract_bits_easiest",
                        "extract_bits_easiest_window",
                        "extract_bits_easiest_char_start",
                        "extract_bits_easiest_char_end",
                        "extract_bits_easiest_text",
                        "extract_bits_windows_not_measured",
                        "ppl_status",
                        "ppl_chunks",
                        "ppl_p",
                        "ppl_p_holm",
                        "ppl_p_bh",
                        "reservation_kind",
                        "reservation_since",
                        "reservation_url",
                        "reproduced_despite_reservation",
                        "memorized_despite_reservation"));
        csv.row(header);
        for (WorkView w : view.works()) {
            WorkView.Scan s = w.scan();
            WorkView.Extract e = w.extract();
            WorkView.Ppl p = w.ppl();
            List<Object> row = new ArrayList<>();
            row.addAll(Arrays.asList(w.workId(), w.title(), w.workChars()));
            row.addAll(
                    s == null
                            ? Arrays.asList(new Object[20])
                            : Arrays.asList(
                                    s.spans(),
                                    s.outputsHit(),
                                    s.charsReproduced(),
                                    s.longestSpanWords(),
                                    s.nearPassages(),
                                    s.shareReproducedNear(),
                                    s.longestNearWords(),
                                    s.coverage().k(),
                                    s.coverage().exactK().share(),
                                    s.coverage().exactMinWords().share(),
                                    s.coverage().nearK() == null
                                            ? null
                                            : s.coverage().nearK().share(),
                                    s.coverage().nearMinWords() == null
                                            ? null
                                            : s.coverage().nearMinWords().share(),
                                    s.coverage().exactK().longestBlockWords(),
                                    s.coverage().nearK() == null
                                            ? null
                                            : s.coverage().nearK().longestBlockWords(),
                                    s.coverage().passagesOver20(),
                                    s.coverage().passagesOver50(),
                                    s.coverage().nearPassagesOver20(),
                                    s.coverage().nearPassagesOver50(),
                                    s.coverage().outputs(),
                                    s.coverage().outputsTrimmed()));
            row.add(e == null ? null : e.windowCount());
            row.add(e == null ? null : e.scheme());
            for (String t : TAUS) {
                row.add(e == null ? null : e.coverage().get(t));
            }
            for (String scheme : schemes) {
                for (String t : TAUS) {
                    row.add(coverage(e, scheme, t));
                }
            }
            row.add(e == null ? null : notMeasured(e));
            row.addAll(
                    e == null
                            ? Arrays.asList(
                                    null, null, null, null, null, null, null, null, null, null)
                            : Arrays.asList(
                                    e.greedyExtractableWindows(),
                                    e.pzMedian(),
                                    e.pzMax(),
                                    e.ledger().total(),
                                    e.ledger().exact(),
                                    e.nearAttempts(),
                                    measured(e.attemptCoverageExact()),
                                    measured(e.attemptCoverageNear()),
                                    e.ledger().skipped(),
                                    e.ledger().skippedWindows()));
            row.addAll(bits(e));
            row.addAll(
                    p == null
                            ? Arrays.asList(null, null, null, null, null)
                            : Arrays.asList(p.status(), p.chunks(), p.p(), p.pHolm(), p.pBh()));
            Reservation r = w.reservation();
            row.addAll(
                    r == null
                            ? Arrays.asList(null, null, null, null, null)
                            : Arrays.asList(
                                    r.kind(), r.since(), r.url(), w.reproduced(), w.memorized()));
            csv.row(row);
        }
        return csv.toString();
    }

    /**
     * The easiest window's bits, index, suffix offsets (code points, half-open) and text, and the
     * count of windows whose bits were not measured; bits {@value #NOT_MEASURED} when no window's
     * were (never 0); all empty where the work was not extracted.
     */
    private static List<Object> bits(WorkView.Extract e) {
        if (e == null) {
            return Arrays.asList(null, null, null, null, null, null);
        }
        ExtractWork.EasiestWindow w = e.easiestWindow();
        if (w == null) {
            return Arrays.asList(NOT_MEASURED, null, null, null, null, e.bitsNotMeasuredWindows());
        }
        return Arrays.asList(
                w.bits(),
                w.window(),
                w.suffixCharStart(),
                w.suffixCharEnd(),
                w.text(),
                e.bitsNotMeasuredWindows());
    }

    /** The share, or {@value #NOT_MEASURED} for null (coverage by attempts without attempts). */
    private static Object measured(Double share) {
        return share == null ? NOT_MEASURED : share;
    }

    /** A share, {@value #NOT_MEASURED}, or null (work not extracted, or scheme not in its run). */
    private static Object coverage(WorkView.Extract e, String scheme, String tau) {
        if (e == null) {
            return null;
        }
        if (e.coverageNotMeasured().containsKey(scheme)) {
            return NOT_MEASURED;
        }
        Map<String, Double> c = e.coverageByScheme().get(scheme);
        return c == null ? null : c.get(tau);
    }

    /** "coverage t1_k40: reason; expected rate: reason", or null when everything was measured. */
    private static String notMeasured(WorkView.Extract e) {
        List<String> parts = new ArrayList<>();
        e.coverageNotMeasured().forEach((k, v) -> parts.add("coverage " + k + ": " + v));
        if (e.empiricalExpectedRateNotMeasured() != null) {
            parts.add("expected rate: " + e.empiricalExpectedRateNotMeasured());
        }
        if (e.bitsNotMeasured() != null) {
            parts.add(
                    "bits to extract of "
                            + e.bitsNotMeasuredWindows()
                            + " windows: "
                            + e.bitsNotMeasured());
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /**
     * Every scan span, and the attempts shown in the report, with offsets (code points, half-open)
     * and, where the texts were available, the passages' texts.
     */
    public static String spans(RunView view) {
        Csv csv = new Csv();
        csv.row(
                List.of(
                        "source",
                        "work_id",
                        "output",
                        "output_char_start",
                        "output_char_end",
                        "work_char_start",
                        "work_char_end",
                        "words",
                        "tokens",
                        "exact",
                        "match",
                        "similarity",
                        "edit_distance",
                        "words_work",
                        "alignment",
                        "output_text",
                        "work_text"));
        for (WorkView w : view.works()) {
            List<Passage> all = new ArrayList<>();
            if (w.scan() != null) {
                all.addAll(w.scan().passages());
            }
            if (w.extract() != null) {
                all.addAll(w.extract().attempts());
            }
            for (Passage p : all) {
                csv.row(
                        Arrays.asList(
                                p.source(),
                                w.workId(),
                                p.label(),
                                p.outputCharStart(),
                                p.outputCharEnd(),
                                p.workCharStart(),
                                p.workCharEnd(),
                                p.words(),
                                p.tokens(),
                                p.exact(),
                                p.source().equals("scan")
                                        ? (p.near() == null ? "exact" : "near")
                                        : null,
                                p.near() == null ? null : p.near().similarity(),
                                p.near() == null ? null : p.near().editDistance(),
                                p.near() == null ? null : p.near().wordsWork(),
                                p.near() == null ? null : p.near().alignment(),
                                shared(p.model()),
                                shared(p.original())));
            }
        }
        return csv.toString();
    }

    /** The shared part of one side (scan: the span itself), capped to what a cell holds. */
    private static String shared(List<Passage.Segment> segs) {
        if (segs == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        boolean any = segs.stream().anyMatch(Passage.Segment::shared);
        for (Passage.Segment s : segs) {
            if (s.shared() || s.edit() || !any) {
                sb.append(s.text());
            } else if (sb.length() > 0 && !sb.toString().endsWith(" … ")) {
                sb.append(" … ");
            }
        }
        String s = sb.toString().strip();
        if (s.endsWith("…")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        if (s.length() <= MAX_CELL) {
            return s;
        }
        int cut = Character.isLowSurrogate(s.charAt(MAX_CELL)) ? MAX_CELL - 1 : MAX_CELL;
        return s.substring(0, cut) + "…";
    }
}
