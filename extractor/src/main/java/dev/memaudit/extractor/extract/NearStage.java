package dev.memaudit.extractor.extract;

import dev.memaudit.core.records.extract.NearRecord;
import dev.memaudit.core.records.extract.NearSettings;
import dev.memaudit.core.records.extract.NearSummary;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.core.run.RunLedger;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.model.DecodingDistribution;
import dev.memaudit.model.LanguageModel;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code extract --near-beam}: the near-verbatim extraction bound ({@link NearBound}) of every
 * window, appended to {@code near.jsonl} (a resumed run skips the windows already there), and its
 * per-work summary {@code near.json}.
 */
final class NearStage {
    private NearStage() {}

    /**
     * A bound is above p_z when it exceeds it by more than the float rounding between the two
     * computations (one forward pass per step vs. one scoring pass): one part in 10⁵.
     */
    static final double ABOVE = 1 + 1e-5;

    /** Bounds every window not yet in the ledger; returns how many this call computed. */
    static long run(
            LanguageModel model,
            List<ExtractService.WorkRef> works,
            Map<String, List<WindowRecord>> windows,
            NearSettings settings,
            RunLedger<NearRecord> ledger) {
        Set<String> done = new HashSet<>();
        ledger.forEachExisting(r -> done.add(r.workId() + "#" + r.window()));
        Scheme scheme = Scheme.parse(settings.scheme());
        DecodingDistribution d =
                scheme.isGreedy()
                        ? DecodingDistribution.greedy()
                        : new DecodingDistribution(
                                scheme.temperature(), scheme.topK(), scheme.topP());
        long computed = 0;
        for (ExtractService.WorkRef w : works) {
            List<WindowRecord> recs = windows.getOrDefault(w.id(), List.of());
            if (recs.stream().allMatch(r -> done.contains(w.id() + "#" + r.window()))) {
                continue;
            }
            TokenizedWork tw = WindowPlanner.tokenize(model.tokenizer(), w.id(), w.text());
            for (WindowRecord r : recs) {
                if (done.contains(w.id() + "#" + r.window())) {
                    continue;
                }
                int[] prefix = tw.slice(r.prefixTokenStart(), r.suffixTokenStart());
                int[] suffix = tw.slice(r.suffixTokenStart(), r.suffixTokenEnd());
                int eps = settings.epsilonTokens(suffix.length);
                NearBound.Result b =
                        NearBound.compute(
                                model, prefix, suffix, d, eps, settings.beam(), settings.budget());
                ledger.append(
                        new NearRecord(
                                NearRecord.SCHEMA_VERSION,
                                w.id(),
                                r.window(),
                                settings.scheme(),
                                eps,
                                settings.beam(),
                                settings.budget(),
                                b.bound(),
                                b.logBound() == Double.NEGATIVE_INFINITY ? null : b.logBound(),
                                r.pZ().get(settings.scheme()),
                                b.suffixes(),
                                b.expansions(),
                                b.budgetExhausted()));
                computed++;
            }
        }
        return computed;
    }

    /** near.json from the ledger's records and the windows. */
    static NearSummary summary(
            NearSettings settings,
            List<NearRecord> records,
            Map<String, List<WindowRecord>> windows,
            Map<String, Integer> tokensByWork) {
        Map<String, Map<Integer, NearRecord>> byWork = new LinkedHashMap<>();
        for (NearRecord r : records) {
            byWork.computeIfAbsent(r.workId(), k -> new LinkedHashMap<>()).put(r.window(), r);
        }
        Map<String, NearSummary.Work> works = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Integer, NearRecord>> e : byWork.entrySet()) {
            List<WindowRecord> recs = windows.getOrDefault(e.getKey(), List.of());
            List<WindowRecord> bounded =
                    recs.stream().filter(w -> e.getValue().containsKey(w.window())).toList();
            double[] bound = new double[bounded.size()];
            double[] pz = new double[bounded.size()];
            int exhausted = 0;
            int above = 0;
            for (int i = 0; i < bounded.size(); i++) {
                NearRecord n = e.getValue().get(bounded.get(i).window());
                bound[i] = n.bound();
                pz[i] = n.pZ() == null ? Double.NaN : n.pZ();
                exhausted += n.budgetExhausted() ? 1 : 0;
                above += n.pZ() != null && n.bound() > n.pZ() * ABOVE ? 1 : 0;
            }
            int tokens = tokensByWork.getOrDefault(e.getKey(), 0);
            works.put(
                    e.getKey(),
                    new NearSummary.Work(
                            bounded.size(),
                            tokens,
                            exhausted,
                            above,
                            WorkSummary.coverage(tokens, bounded, bound),
                            WorkSummary.coverage(tokens, bounded, pz)));
        }
        return new NearSummary(NearSummary.SCHEMA_VERSION, settings, works);
    }
}
