package dev.memaudit.extractor.ppl;

import dev.memaudit.core.error.InputRejectedException;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.run.SkippedRecord;
import dev.memaudit.core.run.BatchCall;
import dev.memaudit.core.run.Progress;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.core.run.RunLedger;
import dev.memaudit.core.run.StageStop;
import dev.memaudit.core.text.CodePointIndex;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.TokenizationPlan;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The chunk stage of {@code memaudit ppl}: cuts works and control texts into chunks of the audited
 * model's tokens, scores each chunk in one teacher-forced pass (plus a lowercase pass and a
 * reference-model pass when asked) and appends one record per chunk to {@code chunks.jsonl} of the
 * run folder (layout in docs/run-folders.md). Chunks already in the ledger are skipped, so a killed
 * run continues with {@code --resume}. A chunk the backend refuses for good (longer than its
 * context) is written to {@code skipped.jsonl} and not retried; any other backend failure stops the
 * run (exit 4) with every chunk scored so far kept. Only the {@link LanguageModel} interface is
 * used: any backend works; Min-K%++ is left out (and reported as not measurable) when the backend
 * gives no full next-token distribution.
 */
public final class PplRunner {
    /** The ledger file. */
    public static final String CHUNKS = Records.fileName(ChunkRecord.class);

    private PplRunner() {}

    /**
     * What a run did.
     *
     * @param chunks chunks of all texts
     * @param resumed chunks found in the ledger from an earlier run (not scored again)
     * @param written chunks scored and appended now
     * @param skipped chunks the backend refused for good (skipped.jsonl, this run and earlier
     *     ones): no record, not retried
     * @param skippedReasons the first few reasons
     * @param tooShort texts with no chunk (fewer tokens than a chunk needs)
     * @param minKPlusPlusMeasurable whether the backend gave the full distribution (null if nothing
     *     was scored)
     */
    public record Summary(
            int chunks,
            int resumed,
            int written,
            int skipped,
            List<String> skippedReasons,
            List<String> tooShort,
            Boolean minKPlusPlusMeasurable) {}

    private record Pending(PplText text, CodePointIndex cps, Chunker.Chunk chunk) {}

    /**
     * Scores every chunk not yet in {@code folder}'s ledger.
     *
     * @param reference a reference model for {@code ref_diff}, or null
     * @param err where the progress bar goes
     * @param progressBar draw a progress bar (only on a terminal)
     */
    public static Summary run(
            RunFolder folder,
            LanguageModel model,
            LanguageModel reference,
            List<PplText> texts,
            PplSettings settings,
            PrintStream err,
            boolean progressBar) {
        if (settings.chunkTokens() > model.maxSequenceLength()) {
            throw new IllegalArgumentException(
                    "chunk tokens "
                            + settings.chunkTokens()
                            + " exceed the model's maximum sequence length "
                            + model.maxSequenceLength());
        }
        TokenizationPlan.announce(
                model.tokenizer(), texts.stream().map(PplText::text).toList(), err);
        try (RunLedger<ChunkRecord> ledger = folder.ledger(ChunkRecord.class);
                RunLedger<SkippedRecord> skippedLedger = folder.ledger(SkippedRecord.class)) {
            Set<String> done = new HashSet<>();
            List<String> skippedReasons = new ArrayList<>();
            int[] skipped = {0};
            skippedLedger.forEachExisting(
                    r -> {
                        done.add(r.id());
                        skipped[0]++;
                        if (skippedReasons.size() < 5) {
                            skippedReasons.add(r.id() + ": " + r.reason());
                        }
                    });
            // whether the earlier run's chunks have Min-K%++ (the backend gave the distribution)
            Boolean[] fullBefore = {null};
            ledger.forEachExisting(
                    r -> {
                        done.add(chunkId(r.set(), r.workId(), r.chunk()));
                        if (fullBefore[0] == null) {
                            fullBefore[0] = r.features().containsKey("min_k_pp_5");
                        }
                    });
            List<Pending> pending = new ArrayList<>();
            List<String> tooShort = new ArrayList<>();
            int total = 0;
            for (PplText t : texts) {
                CodePointIndex cps = CodePointIndex.of(t.text());
                List<Chunker.Chunk> chunks = chunk(model, t.text(), settings, cps);
                if (chunks.isEmpty()) {
                    tooShort.add(t.id());
                }
                total += chunks.size();
                for (Chunker.Chunk c : chunks) {
                    if (!done.contains(chunkId(t.set(), t.id(), c.index()))) {
                        pending.add(new Pending(t, cps, c));
                    }
                }
            }
            int resumed = total - pending.size();
            int[] written = {0};
            int skippedBefore = skipped[0];
            Boolean[] fullDistribution = {null};
            try (Progress bar = Progress.of(err, "ppl", "chunks", total, resumed, progressBar)) {
                for (int from = 0; from < pending.size(); from += settings.batchSize()) {
                    List<Pending> batch =
                            pending.subList(
                                    from, Math.min(pending.size(), from + settings.batchSize()));
                    try {
                        BatchCall.run(
                                batch,
                                b -> score(b, model, reference, settings),
                                (p, r) -> {
                                    ledger.append(r);
                                    written[0]++;
                                    boolean full = r.features().containsKey("min_k_pp_5");
                                    fullDistribution[0] =
                                            fullDistribution[0] == null
                                                    ? full
                                                    : fullDistribution[0] && full;
                                },
                                (p, reason) -> {
                                    String id =
                                            chunkId(
                                                    p.text().set(),
                                                    p.text().id(),
                                                    p.chunk().index());
                                    skippedLedger.append(
                                            SkippedRecord.of("chunk", id, p.text().id(), reason));
                                    skipped[0]++;
                                    if (skippedReasons.size() < 5) {
                                        skippedReasons.add(id + ": " + reason);
                                    }
                                });
                    } catch (RuntimeException e) {
                        if (StageStop.isBackendFailure(e)) {
                            throw StageStop.backend(
                                    "ppl (chunk scoring)",
                                    resumed + written[0] + skipped[0] - skippedBefore,
                                    total,
                                    "chunks",
                                    ledger.file(),
                                    true,
                                    e);
                        }
                        throw e;
                    }
                    bar.advance(batch.size());
                }
            }
            if (fullDistribution[0] == null) {
                fullDistribution[0] = fullBefore[0];
            }
            return new Summary(
                    total,
                    resumed,
                    written[0],
                    skipped[0],
                    List.copyOf(skippedReasons),
                    tooShort,
                    fullDistribution[0]);
        }
    }

    /** Chunks of a text, from its tokens' code-point offsets (any backend's tokenizer). */
    private static List<Chunker.Chunk> chunk(
            LanguageModel model, String text, PplSettings settings, CodePointIndex cps) {
        return Chunker.chunks(
                model.tokenizer().encode(text), settings.chunkTokens(), cps.codePointCount());
    }

    private static List<ChunkRecord> score(
            List<Pending> batch,
            LanguageModel model,
            LanguageModel reference,
            PplSettings settings) {
        List<int[]> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Pending p : batch) {
            ids.add(p.chunk().ids());
            texts.add(p.cps().substring(p.chunk().charStart(), p.chunk().charEnd()));
        }
        List<ScoredSequence> scored = model.score(ids, true);
        double[] lowerNll = null;
        double[] refNll;
        try {
            if (settings.lowercase()) {
                List<String> lower = new ArrayList<>();
                for (String t : texts) {
                    lower.add(t.toLowerCase(Locale.ROOT));
                }
                lowerNll = nll(model, lower);
            }
            refNll = reference == null ? null : nll(reference, texts);
        } catch (InputRejectedException e) {
            // its row is a piece of nll(), not a chunk of the batch: let the caller find the chunk
            throw new InputRejectedException(-1, e.getMessage());
        }
        List<ChunkRecord> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            ScoredSequence s = scored.get(i);
            Map<String, Double> f =
                    ChunkFeatures.fromScores(s.logprobs(), s.means(), s.variances());
            String text = texts.get(i);
            int zlib = ChunkFeatures.zlibBytes(text);
            double nll = f.get("nll");
            Map<String, Double> features = new LinkedHashMap<>(f);
            features.put("zlib_ratio", ChunkFeatures.zlibRatio(nll, zlib));
            if (lowerNll != null && Double.isFinite(lowerNll[i]) && lowerNll[i] > 0) {
                features.put("lowercase_ratio", nll / lowerNll[i]);
            }
            if (refNll != null && Double.isFinite(refNll[i])) {
                features.put("ref_diff", nll - refNll[i]);
            }
            // a feature that came out non-finite was not measured: absent, never written as a value
            features.values().removeIf(v -> !Double.isFinite(v));
            out.add(
                    new ChunkRecord(
                            ChunkRecord.SCHEMA_VERSION,
                            p.text().set(),
                            p.text().id(),
                            p.chunk().index(),
                            p.chunk().charStart(),
                            p.chunk().charEnd(),
                            p.chunk().ids().length,
                            p.chunk().charEnd() - p.chunk().charStart(),
                            text.getBytes(StandardCharsets.UTF_8).length,
                            zlib,
                            features));
        }
        return out;
    }

    /**
     * NLL of each text under a model, tokenized by that model. A text longer than the model's
     * maximum length is scored in consecutive pieces and the NLL is the mean over every scored
     * token (the first token of each piece has no context and is not scored).
     */
    private static double[] nll(LanguageModel m, List<String> texts) {
        List<int[]> pieces = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        int max = m.maxSequenceLength();
        for (int i = 0; i < texts.size(); i++) {
            int[] t = m.tokenizer().encodeIds(texts.get(i));
            for (int from = 0; from < t.length; from += max) {
                int[] piece = Arrays.copyOfRange(t, from, Math.min(t.length, from + max));
                if (piece.length >= 2) {
                    pieces.add(piece);
                    owner.add(i);
                }
            }
        }
        double[] sum = new double[texts.size()];
        int[] count = new int[texts.size()];
        if (!pieces.isEmpty()) {
            List<ScoredSequence> s = m.score(pieces, false);
            for (int j = 0; j < s.size(); j++) {
                int scored = s.get(j).length() - 1;
                sum[owner.get(j)] += s.get(j).nll() * scored;
                count[owner.get(j)] += scored;
            }
        }
        double[] out = new double[texts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = count[i] == 0 ? Double.NaN : sum[i] / count[i];
        }
        return out;
    }

    /** A chunk's key, in the ledger and in skipped.jsonl: {@code <set>/<id>#<chunk>}. */
    private static String chunkId(String set, String id, int chunk) {
        return set + "/" + id + "#" + chunk;
    }
}
