package dev.memaudit.extractor.ppl;

import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplSummary;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.stats.MembershipStatistics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
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
    public record Outcome(
            PplRunner.Summary chunks,
            List<ChunkRecord> chunkRecords,
            MembershipStatistics.Result statistics) {}

    /**
     * Runs the stage into {@code out}.
     *
     * @param config the run's settings: chunk length, lowercase pass and statistics come from it
     * @param batch chunks scored together
     * @param inputHashes input name → SHA-256 for the manifest
     */
    public static Outcome run(
            Path out,
            boolean resume,
            LanguageModel model,
            LanguageModel reference,
            List<PplText> texts,
            PplConfig config,
            int batch,
            Map<String, String> inputHashes,
            List<String> args,
            PrintStream err,
            boolean progressBar) {
        PplSettings settings = new PplSettings(config.chunkTokens(), config.lowercase(), batch);
        RunManifest manifest = new RunManifest(Clock.systemUTC(), args);
        config = config.withModelIdentity(model.identity());
        RunFolder folder = RunFolder.open(out, config, resume);
        List<String> servedBy = folder.servedBy(model.address());
        PplRunner.Summary summary =
                PplRunner.run(folder, model, reference, texts, settings, err, progressBar);
        List<ChunkRecord> chunks =
                Records.readAll(out.resolve(PplRunner.CHUNKS), ChunkRecord.class);
        MembershipStatistics.Result result =
                MembershipStatistics.compute(chunks, config.statistics());
        Map<String, String> titles = new TreeMap<>();
        for (PplText t : texts) {
            if (t.title() != null && t.set().equals(PplText.WORK)) {
                titles.put(t.id(), t.title());
            }
        }
        Map<String, String> notMeasurable = new TreeMap<>();
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
        PplStatsFiles.write(
                out,
                result,
                titles,
                new PplStatsFiles.RunInfo(
                        model.describe(),
                        reference == null ? null : reference.describe(),
                        settings.chunkTokens(),
                        settings.lowercase(),
                        notMeasurable,
                        new PplSummary.Run(
                                summary.chunks(),
                                summary.resumed(),
                                summary.written(),
                                summary.skipped(),
                                summary.skippedReasons(),
                                summary.tooShort())));
        manifest.seeds(Map.of("statistics", config.statistics().seed()));
        manifest.backend(ExtractService.withServedBy(model.manifestSection(), servedBy));
        inputHashes.forEach(manifest::inputHash);
        manifest.write(out, config);
        return new Outcome(summary, chunks, result);
    }
}
