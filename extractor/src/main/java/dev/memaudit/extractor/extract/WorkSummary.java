package dev.memaudit.extractor.extract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.stats.ClopperPearson;
import dev.memaudit.stats.Quantiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code extract} section of one work in works.json (docs/run-folders.md), recomputed from the
 * ledgers alone, so a resumed run summarizes exactly like an uninterrupted one.
 */
public final class WorkSummary {
    /** Thresholds of the coverage figures (p_z under t1). */
    public static final double[] TAUS = {0.5, 0.1, 0.01};

    private WorkSummary() {}

    /**
     * @param tokens the work's length in model tokens
     * @param windows its windows.jsonl records
     * @param attempts its attempts.jsonl records
     * @param attemptScheme the scheme of sampled attempts (for the expected rate)
     * @param reconstruction its reconstruction record, or null
     */
    public static Map<String, Object> of(
            int tokens,
            List<JsonNode> windows,
            List<JsonNode> attempts,
            String attemptScheme,
            JsonNode reconstruction) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("windows", windows.size());
        m.put("tokens", tokens);
        Map<String, Object> coverage = new LinkedHashMap<>();
        for (double tau : TAUS) {
            boolean[] covered = new boolean[tokens];
            for (JsonNode w : windows) {
                if (w.path("p_z").path("t1").asDouble() >= tau) {
                    mark(covered, w);
                }
            }
            coverage.put(
                    Double.toString(tau), tokens == 0 ? 0.0 : (double) count(covered) / tokens);
        }
        m.put("coverage", coverage);

        int greedy = 0;
        boolean[] extractable = new boolean[tokens];
        int[] charStart = new int[tokens];
        int[] charEnd = new int[tokens];
        for (JsonNode w : windows) {
            if (w.path("greedy_extractable").asBoolean()) {
                greedy++;
                mark(extractable, w);
            }
        }
        // char offsets of a stretch: from the suffix of the window that starts it to the furthest
        // suffix end inside it
        Arrays.fill(charStart, -1);
        for (JsonNode w : windows) {
            if (w.path("greedy_extractable").asBoolean()) {
                int s = w.path("suffix_token_start").asInt();
                int e = w.path("suffix_token_end").asInt();
                for (int t = s; t < e && t < tokens; t++) {
                    if (charStart[t] < 0) {
                        charStart[t] = w.path("suffix_char_start").asInt();
                    }
                    charEnd[t] = Math.max(charEnd[t], w.path("suffix_char_end").asInt());
                }
            }
        }
        m.put("greedy_extractable_windows", greedy);
        m.put(
                "greedy_extractable_share",
                windows.isEmpty() ? 0.0 : (double) greedy / windows.size());
        int bestLen = 0;
        int bestStart = -1;
        for (int t = 0; t < tokens; ) {
            if (!extractable[t]) {
                t++;
                continue;
            }
            int s = t;
            while (t < tokens && extractable[t]) {
                t++;
            }
            if (t - s > bestLen) {
                bestLen = t - s;
                bestStart = s;
            }
        }
        Map<String, Object> longest = new LinkedHashMap<>();
        longest.put("tokens", bestLen);
        if (bestLen > 0) {
            int end = 0;
            for (int t = bestStart; t < bestStart + bestLen; t++) {
                end = Math.max(end, charEnd[t]);
            }
            longest.put("char_start", charStart[bestStart]);
            longest.put("char_end", end);
        } else {
            longest.put("char_start", null);
            longest.put("char_end", null);
        }
        m.put("longest_extractable", longest);

        double[] pz = new double[windows.size()];
        for (int i = 0; i < pz.length; i++) {
            pz[i] = windows.get(i).path("p_z").path("t1").asDouble();
        }
        Arrays.sort(pz);
        Map<String, Object> pzStats = new LinkedHashMap<>();
        pzStats.put("median", pz.length == 0 ? null : Quantiles.ofSorted(pz, 0.5));
        pzStats.put("p90", pz.length == 0 ? null : Quantiles.ofSorted(pz, 0.9));
        pzStats.put("max", pz.length == 0 ? null : pz[pz.length - 1]);
        m.put("p_z", pzStats);

        Map<String, Double> expectedByWindow = new LinkedHashMap<>();
        for (JsonNode w : windows) {
            expectedByWindow.put(
                    w.path("window").asText(), w.path("p_z").path(attemptScheme).asDouble(0));
        }
        int total = 0;
        int exact = 0;
        int failed = 0;
        int greedyExact = 0;
        int k = 0;
        int n = 0;
        double expected = 0;
        for (JsonNode a : attempts) {
            total++;
            if (a.hasNonNull("error")) {
                failed++;
                continue;
            }
            boolean ex = a.path("exact").asBoolean();
            if (ex) {
                exact++;
            }
            if (a.path("attempt").asInt() == 0) {
                greedyExact += ex ? 1 : 0;
            } else {
                n++;
                k += ex ? 1 : 0;
                expected += expectedByWindow.getOrDefault(a.path("window").asText(), 0.0);
            }
        }
        Map<String, Object> att = new LinkedHashMap<>();
        att.put("total", total);
        att.put("exact", exact);
        att.put("failed", failed);
        att.put("greedy_exact", greedyExact);
        Map<String, Object> emp = new LinkedHashMap<>();
        emp.put("scheme", attemptScheme);
        emp.put("k", k);
        emp.put("n", n);
        if (n > 0) {
            ClopperPearson.Interval ci = ClopperPearson.interval(k, n, 0.95);
            emp.put("rate", (double) k / n);
            emp.put("ci_low", ci.low());
            emp.put("ci_high", ci.high());
            emp.put("expected_rate", expected / n);
        } else {
            emp.put("rate", null);
            emp.put("ci_low", null);
            emp.put("ci_high", null);
            emp.put("expected_rate", null);
        }
        att.put("empirical", emp);
        m.put("attempts", att);

        if (reconstruction != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("tokens_generated", reconstruction.path("tokens_generated").asInt());
            r.put("tokens_in_order", reconstruction.path("tokens_in_order").asInt());
            r.put("share", reconstruction.path("share").asDouble());
            r.put("char_end", reconstruction.path("char_end").asInt());
            m.put("reconstruction", r);
        } else {
            m.put("reconstruction", null);
        }
        return m;
    }

    private static void mark(boolean[] covered, JsonNode w) {
        int s = w.path("suffix_token_start").asInt();
        int e = Math.min(covered.length, w.path("suffix_token_end").asInt());
        for (int t = s; t < e; t++) {
            covered[t] = true;
        }
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) {
            c += x ? 1 : 0;
        }
        return c;
    }

    static List<JsonNode> none() {
        return new ArrayList<>();
    }
}
