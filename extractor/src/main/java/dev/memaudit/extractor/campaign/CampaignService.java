package dev.memaudit.extractor.campaign;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.run.Progress;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.core.run.RunLedger;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
    /** Version of the generations.jsonl records written here. */
    public static final int SCHEMA_VERSION = 1;

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
        Map<String, Object> settingsJson = new LinkedHashMap<>();
        settingsJson.put("max_new_tokens", settings.maxNewTokens());
        settingsJson.put("temperature", settings.temperature());
        settingsJson.put("top_k", settings.topK());
        settingsJson.put("top_p", settings.topP());
        settingsJson.put("stop_at_eos", settings.stopAtEos());
        settingsJson.put("base_seed", settings.seed());
        Map<String, Object> pinned = new LinkedHashMap<>();
        pinned.put("model", model.describe());
        pinned.put("n", n);
        pinned.put("settings", settingsJson);
        pinned.put("prompts", prompts.stream().map(CampaignPrompt::id).toList());
        RunFolder folder = RunFolder.open(outDir, "sample", roundTrip(pinned), resume);
        long now = 0;
        long total;
        try (RunLedger ledger = folder.ledger("generations.jsonl")) {
            Set<String> done = new HashSet<>();
            for (ObjectNode r : ledger.existing()) {
                done.add(r.path("id").asText());
            }
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
                        Map<String, Object> o = new LinkedHashMap<>();
                        o.put("schema_version", SCHEMA_VERSION);
                        o.put("id", ids.get(i));
                        o.put("tier", p.tier().id());
                        if (p.workId() != null) {
                            o.put("work_id", p.workId());
                        }
                        o.put("prompt", p.text());
                        o.put("completion", model.tokenizer().decode(g.tokens()));
                        o.put("token_ids", g.tokens());
                        o.put("logprobs", g.logprobs());
                        o.put("seed", rowSeeds[i - start]);
                        o.put("stopped_at_eos", g.stoppedAtEos());
                        if (dropped[i - start] > 0) {
                            o.put("prompt_tokens_dropped", dropped[i - start]);
                        }
                        o.put("settings", settingsJson);
                        ledger.append(o);
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
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("schema_version", SCHEMA_VERSION);
        summary.put("generations", total);
        summary.put("prompts", prompts.size());
        summary.put("per_tier", perTier);
        Json.writePretty(outDir.resolve("sample.json"), summary);
        RunManifest manifest = new RunManifest(clock, "sample", args);
        for (Map.Entry<String, Object> e : pinned.entrySet()) {
            manifest.config(e.getKey(), e.getValue());
        }
        manifest.config("batch", batch);
        manifest.section("seeds", Map.of("seed", settings.seed()));
        manifest.section("backend", model.manifestSection());
        manifest.write(outDir);
        return new Summary(total, now, perTier);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> roundTrip(Map<String, Object> m) {
        try {
            return Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(m), LinkedHashMap.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
