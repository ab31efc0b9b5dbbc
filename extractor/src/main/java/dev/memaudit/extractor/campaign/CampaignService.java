package dev.memaudit.extractor.campaign;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.SkippedRecord;
import dev.memaudit.core.records.sample.GenerationRecord;
import dev.memaudit.core.records.sample.SampleConfig;
import dev.memaudit.core.records.sample.SampleSettings;
import dev.memaudit.core.records.sample.SampleSummary;
import dev.memaudit.core.run.BatchCall;
import dev.memaudit.core.run.Progress;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.core.run.RunLedger;
import dev.memaudit.core.run.StageStop;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code memaudit sample --campaign}: {@code n} seeded samples of every campaign prompt into a
 * {@code sample} stage folder (docs/run-folders.md): {@code generations.jsonl} as {@code memaudit
 * sample} writes it plus {@code tier} and {@code work_id}, flushed record by record and resumable
 * (key: id), then {@code sample.json} (counts per tier) and {@code manifest.json}. {@code memaudit
 * scan --outputs <folder>/generations.jsonl} scans it.
 *
 * <p>A prompt longer than the model's positions minus {@code max_new_tokens} keeps its last tokens;
 * the record then says how many it lost in {@code prompt_tokens_dropped}. A sample the backend
 * refuses for good goes to {@code skipped.jsonl} (not retried); any other backend failure stops the
 * campaign (exit 4) with every sample written so far kept, and {@code --resume} does the rest.
 *
 * <p>Sample {@code k} of a prompt is seeded from the campaign seed, the prompt id and k only, so a
 * sample does not depend on batching or on a resume.
 */
public final class CampaignService {
    private final Clock clock;
    private final PrintStream err;
    private final boolean progressBars;

    public CampaignService(Clock clock, PrintStream err, boolean progressBars) {
        this.clock = clock;
        this.err = err;
        this.progressBars = progressBars;
    }

    /** What a campaign wrote. */
    public record Summary(
            long generations, long generatedNow, long skipped, Map<String, Long> perTier) {}

    /** The seed of sample {@code k} of prompt {@code id}. */
    public static long sampleSeed(long seed, String id, int k) {
        long h = 1125899906842597L;
        for (int i = 0; i < id.length(); i++) {
            h = 31 * h + id.charAt(i);
        }
        return LanguageModel.rowSeed(LanguageModel.rowSeed(seed, h), k);
    }

    public Summary run(
            LanguageModel model,
            List<CampaignPrompt> prompts,
            int n,
            GenerationSettings settings,
            int batch,
            Path outDir,
            boolean resume,
            List<String> args) {
        if (n < 1) {
            throw MemauditException.usage("--n must be at least 1, got " + n);
        }
        if (batch < 1) {
            throw MemauditException.usage("batch must be at least 1, got " + batch);
        }
        int maxPrompt = model.maxSequenceLength() - settings.maxNewTokens();
        if (maxPrompt < 1) {
            throw MemauditException.usage(
                    "max new tokens "
                            + settings.maxNewTokens()
                            + " leaves no room for a prompt in the model's "
                            + model.maxSequenceLength()
                            + " positions");
        }
        SampleSettings settingsRecord =
                new SampleSettings(
                        settings.maxNewTokens(),
                        settings.temperature(),
                        settings.topK(),
                        settings.topP(),
                        settings.stopAtEos(),
                        settings.seed());
        SampleConfig config =
                new SampleConfig(
                        model.describe(),
                        model.identity(),
                        n,
                        settingsRecord,
                        prompts.stream().map(CampaignPrompt::id).toList(),
                        batch);
        RunFolder folder = RunFolder.open(outDir, config, resume);
        List<String> servedBy = folder.servedBy(model.address());
        long now = 0;
        long total;
        long skipped;
        try (RunLedger<GenerationRecord> ledger = folder.ledger(GenerationRecord.class);
                RunLedger<SkippedRecord> skippedLedger = folder.ledger(SkippedRecord.class)) {
            Set<String> done = new HashSet<>();
            ledger.forEachExisting(r -> done.add(r.id()));
            skippedLedger.forEachExisting(r -> done.add(r.id()));
            long[] refused = {skippedLedger.existingCount()};
            List<CampaignPrompt> rows = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            List<Long> seeds = new ArrayList<>();
            for (CampaignPrompt p : prompts) {
                for (int k = 0; k < n; k++) {
                    String id = p.id() + "#" + k;
                    if (!done.contains(id)) {
                        rows.add(p);
                        ids.add(id);
                        seeds.add(sampleSeed(settings.seed(), p.id(), k));
                    }
                }
            }
            try (Progress bar =
                    Progress.of(
                            err,
                            "sampling",
                            "samples",
                            (long) prompts.size() * n,
                            done.size(),
                            progressBars)) {
                long[] made = {0};
                for (int start = 0; start < rows.size(); start += batch) {
                    int end = Math.min(rows.size(), start + batch);
                    List<Integer> batchRows = new ArrayList<>();
                    int[] dropped = new int[rows.size()];
                    List<int[]> tokensOf = new ArrayList<>();
                    for (int i = start; i < end; i++) {
                        int[] tokens = model.tokenizer().encodeIds(rows.get(i).text());
                        if (tokens.length > maxPrompt) {
                            // keep the end of a long prompt: the text to continue is there
                            dropped[i] = tokens.length - maxPrompt;
                            tokens =
                                    Arrays.copyOfRange(
                                            tokens, tokens.length - maxPrompt, tokens.length);
                        }
                        tokensOf.add(tokens);
                        batchRows.add(i);
                    }
                    int first = start;
                    try {
                        BatchCall.run(
                                batchRows,
                                b -> {
                                    List<int[]> prefixes = new ArrayList<>();
                                    long[] rowSeeds = new long[b.size()];
                                    for (int r = 0; r < b.size(); r++) {
                                        prefixes.add(tokensOf.get(b.get(r) - first));
                                        rowSeeds[r] = seeds.get(b.get(r));
                                    }
                                    return model.generate(prefixes, rowSeeds, settings);
                                },
                                (i, g) -> {
                                    CampaignPrompt p = rows.get(i);
                                    ledger.append(
                                            new GenerationRecord(
                                                    GenerationRecord.SCHEMA_VERSION,
                                                    ids.get(i),
                                                    p.tier().id(),
                                                    p.workId(),
                                                    p.text(),
                                                    model.tokenizer().decode(g.tokens()),
                                                    g.tokens(),
                                                    g.logprobs(),
                                                    seeds.get(i),
                                                    g.stoppedAtEos(),
                                                    dropped[i] > 0 ? dropped[i] : null,
                                                    settingsRecord));
                                    made[0]++;
                                },
                                (i, reason) -> {
                                    skippedLedger.append(
                                            SkippedRecord.of(
                                                    "generation",
                                                    ids.get(i),
                                                    rows.get(i).workId(),
                                                    reason));
                                    refused[0]++;
                                });
                    } catch (RuntimeException e) {
                        if (StageStop.isBackendFailure(e)) {
                            throw StageStop.backend(
                                    "sample --campaign",
                                    ledger.existingCount() + made[0] + refused[0],
                                    (long) prompts.size() * n,
                                    "samples",
                                    ledger.file(),
                                    true,
                                    e);
                        }
                        throw e;
                    }
                    bar.advance(end - start);
                }
                now = made[0];
            }
            skipped = refused[0];
            total = ledger.existingCount() + now;
        }
        Map<String, Long> perTier = new TreeMap<>();
        for (CampaignPrompt p : prompts) {
            perTier.merge(p.tier().id(), (long) n, Long::sum);
        }
        Records.write(
                outDir.resolve(Records.fileName(SampleSummary.class)),
                new SampleSummary(
                        SampleSummary.SCHEMA_VERSION, total, skipped, prompts.size(), perTier));
        RunManifest manifest = new RunManifest(clock, args);
        manifest.seeds(Map.of("seed", settings.seed()));
        manifest.backend(ExtractService.withServedBy(model.manifestSection(), servedBy));
        manifest.write(outDir, config);
        return new Summary(total, now, skipped, perTier);
    }
}
