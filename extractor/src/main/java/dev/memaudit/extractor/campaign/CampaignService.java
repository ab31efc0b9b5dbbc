package dev.memaudit.extractor.campaign;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.sample.GenerationRecord;
import dev.memaudit.core.records.sample.SampleConfig;
import dev.memaudit.core.records.sample.SampleSettings;
import dev.memaudit.core.records.sample.SampleSummary;
import dev.memaudit.core.run.Progress;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.core.run.RunLedger;
import dev.memaudit.model.Generation;
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
 * the record then says how many it lost in {@code prompt_tokens_dropped}.
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
    public record Summary(long generations, long generatedNow, Map<String, Long> perTier) {}

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
                        n,
                        settingsRecord,
                        prompts.stream().map(CampaignPrompt::id).toList(),
                        batch);
        RunFolder folder = RunFolder.open(outDir, config, resume);
        long now = 0;
        long total;
        try (RunLedger<GenerationRecord> ledger = folder.ledger(GenerationRecord.class)) {
            Set<String> done = new HashSet<>();
            ledger.forEachExisting(r -> done.add(r.id()));
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
                for (int start = 0; start < rows.size(); start += batch) {
                    int end = Math.min(rows.size(), start + batch);
                    List<int[]> prefixes = new ArrayList<>();
                    int[] dropped = new int[end - start];
                    long[] rowSeeds = new long[end - start];
                    for (int i = start; i < end; i++) {
                        int[] tokens = model.tokenizer().encodeIds(rows.get(i).text());
                        if (tokens.length > maxPrompt) {
                            // keep the end of a long prompt: the text to continue is there
                            dropped[i - start] = tokens.length - maxPrompt;
                            tokens =
                                    Arrays.copyOfRange(
                                            tokens, tokens.length - maxPrompt, tokens.length);
                        }
                        prefixes.add(tokens);
                        rowSeeds[i - start] = seeds.get(i);
                    }
                    List<Generation> gens = model.generate(prefixes, rowSeeds, settings);
                    for (int i = start; i < end; i++) {
                        Generation g = gens.get(i - start);
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
                                        rowSeeds[i - start],
                                        g.stoppedAtEos(),
                                        dropped[i - start] > 0 ? dropped[i - start] : null,
                                        settingsRecord));
                        now++;
                    }
                    bar.advance(end - start);
                }
            }
            total = done.size() + now;
        }
        Map<String, Long> perTier = new TreeMap<>();
        for (CampaignPrompt p : prompts) {
            perTier.merge(p.tier().id(), (long) n, Long::sum);
        }
        Records.write(
                outDir.resolve(Records.fileName(SampleSummary.class)),
                new SampleSummary(SampleSummary.SCHEMA_VERSION, total, prompts.size(), perTier));
        RunManifest manifest = new RunManifest(clock, args);
        manifest.seeds(Map.of("seed", settings.seed()));
        manifest.backend(model.manifestSection());
        manifest.write(outDir, config);
        return new Summary(total, now, perTier);
    }
}
