package dev.memaudit.extractor.ppl;

import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.stats.MembershipStatistics;
import dev.memaudit.stats.PplChunk;
import dev.memaudit.stats.PplStatsSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ppl stage end to end, shared by {@code memaudit ppl} and {@code memaudit canary calibrate}:
 * the extractor's chunk runner fills chunks.jsonl, then the statistics are recomputed from the
 * whole ledger (so a resumed run's statistics cover every chunk) and written with the manifest.
 */
public final class PplStage {
    private PplStage() {}

    /** What the stage produced. */
    public record Outcome(PplRunner.Summary chunks, MembershipStatistics.Result statistics) {}

    /**
     * Runs the stage into {@code out}.
     *
     * @param pinned settings that identify the run besides the chunk settings (model, inputs)
     * @param inputHashes input name → SHA-256 for the manifest
     */
    public static Outcome run(
            Path out,
            boolean resume,
            LanguageModel model,
            LanguageModel reference,
            List<PplText> texts,
            PplSettings settings,
            PplStatsSettings stats,
            Map<String, Object> pinned,
            Map<String, String> inputHashes,
            List<String> args,
            PrintStream err,
            boolean progressBar) {
        Map<String, Object> config = new LinkedHashMap<>(pinned);
        config.putAll(settings.pinned());
        RunManifest manifest = new RunManifest(Clock.systemUTC(), "ppl", args);
        RunFolder folder = RunFolder.open(out, "ppl", config, resume);
        PplRunner.Summary summary =
                PplRunner.run(folder, model, reference, texts, settings, err, progressBar);
        List<PplChunk> chunks = PplChunk.read(out.resolve(PplRunner.CHUNKS));
        MembershipStatistics.Result result = MembershipStatistics.compute(chunks, stats);
        Map<String, String> titles = new TreeMap<>();
        for (PplText t : texts) {
            if (t.title() != null && t.set().equals(PplText.WORK)) {
                titles.put(t.id(), t.title());
            }
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("model", model.describe());
        run.put("reference_model", reference == null ? null : reference.describe());
        run.put("chunk_tokens", settings.chunkTokens());
        run.put("lowercase", settings.lowercase());
        Map<String, Object> notMeasurable = new TreeMap<>();
        if (Boolean.FALSE.equals(summary.minKPlusPlusMeasurable())) {
            notMeasurable.put(
                    "min_k_pp",
                    "the backend does not give the full next-token distribution (mu, sigma)");
        }
        if (reference == null) {
            notMeasurable.put("ref_diff", "no --reference-model");
        }
        if (!settings.lowercase()) {
            notMeasurable.put("lowercase_ratio", "no --lowercase pass");
        }
        run.put("not_measured", notMeasurable);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("chunks", summary.chunks());
        counts.put("resumed", summary.resumed());
        counts.put("written", summary.written());
        counts.put("failed", summary.failed());
        counts.put("failures", summary.failures());
        counts.put("texts_too_short", summary.tooShort());
        run.put("run", counts);
        PplStatsFiles.write(out, result, titles, run);
        config.forEach(manifest::config);
        stats.toMap().forEach((k, v) -> manifest.config("statistics." + k, v));
        manifest.section("seeds", Map.of("statistics", stats.seed()));
        manifest.section("backend", model.manifestSection());
        inputHashes.forEach(manifest::inputHash);
        manifest.write(out);
        return new Outcome(summary, result);
    }
}
