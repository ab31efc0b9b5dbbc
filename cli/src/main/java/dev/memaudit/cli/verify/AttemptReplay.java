package dev.memaudit.cli.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.cli.report.IndexTexts;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.JsonlReader;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.reports.bundle.StageCheck;
import dev.memaudit.reports.bundle.VerifyResult;
import dev.memaudit.reports.run.StageFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * {@code memaudit verify --replay n}: re-runs a seeded random sample of an extract stage's decoding
 * attempts with the model and compares the generated tokens with the ledger. Every attempt is
 * deterministic given its prefix, seed and settings (greedy, or sampling with the recorded per-row
 * seed), so a ledger whose attempts do not reproduce was not produced by this model and these
 * settings. The prefix is cut from the work's text in the index the stage recorded, tokenized by
 * the model's tokenizer exactly as extract cut it (token positions from windows.jsonl).
 */
public final class AttemptReplay implements StageCheck {
    private final int count;
    private final long seed;
    private final Path modelOverride;
    private final Path indexOverride;
    private final List<String> notes;

    /**
     * @param count attempts re-run per extract stage (at least 1)
     * @param seed seed of the choice of attempts
     * @param modelOverride a model folder to use instead of the one the stage recorded, or null
     * @param indexOverride an index folder to use instead of the one the stage recorded, or null
     * @param notes receives one line per stage saying what was re-run
     */
    public AttemptReplay(
            int count, long seed, Path modelOverride, Path indexOverride, List<String> notes) {
        if (count < 1) {
            throw MemauditException.usage("replay count must be at least 1, got " + count);
        }
        this.count = count;
        this.seed = seed;
        this.modelOverride = modelOverride;
        this.indexOverride = indexOverride;
        this.notes = notes;
    }

    @Override
    public String name() {
        return "attempt re-run";
    }

    @Override
    public boolean appliesTo(StageFolder stage) {
        return stage.command().equals("extract");
    }

    @Override
    public List<VerifyResult.Problem> check(StageFolder stage) {
        Path attemptsFile = stage.dir().resolve("attempts.jsonl");
        List<VerifyResult.Problem> problems = new ArrayList<>();
        Path modelDir = modelOverride != null ? modelOverride : recordedModel(stage);
        if (modelDir == null || !Files.isDirectory(modelDir)) {
            problems.add(
                    problem(
                            attemptsFile,
                            "cannot re-run attempts: the model folder "
                                    + (modelDir == null ? "(an endpoint)" : modelDir)
                                    + " is not here; pass --model"));
            return problems;
        }
        List<JsonNode> attempts = read(attemptsFile);
        Map<String, JsonNode> windows = new HashMap<>();
        for (JsonNode w : read(stage.dir().resolve("windows.jsonl"))) {
            windows.put(w.path("work_id").asText() + "#" + w.path("window").asInt(), w);
        }
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < attempts.size(); i++) {
            if (!attempts.get(i).has("error")) {
                candidates.add(i);
            }
        }
        Collections.shuffle(candidates, new Random(seed));
        List<Integer> chosen = candidates.subList(0, Math.min(count, candidates.size()));
        Map<String, TokenizedWork> tokenized = new HashMap<>();
        int reproduced = 0;
        try (IndexTexts texts = IndexTexts.open(List.of(stage), indexOverride);
                LanguageModel model = ModelLoader.load(modelDir)) {
            for (int i : chosen) {
                JsonNode a = attempts.get(i);
                String where =
                        String.format(
                                Locale.ROOT,
                                "record %d (work %s, window %d, attempt %d)",
                                i + 1,
                                a.path("work_id").asText(),
                                a.path("window").asInt(),
                                a.path("attempt").asInt());
                JsonNode w =
                        windows.get(a.path("work_id").asText() + "#" + a.path("window").asInt());
                Optional<String> text = texts.work(a.path("work_id").asText());
                if (w == null || text.isEmpty()) {
                    problems.add(
                            problem(
                                    attemptsFile,
                                    where
                                            + ": cannot re-run: "
                                            + (w == null
                                                    ? "no such window in windows.jsonl"
                                                    : "the work's text is not in the index")));
                    continue;
                }
                TokenizedWork tw =
                        tokenized.computeIfAbsent(
                                a.path("work_id").asText(),
                                id -> WindowPlanner.tokenize(model.tokenizer(), id, text.get()));
                int from = w.path("prefix_token_start").asInt();
                int to = w.path("suffix_token_start").asInt();
                if (from < 0 || to > tw.ids().length || from > to) {
                    problems.add(
                            problem(
                                    attemptsFile,
                                    where
                                            + ": the model's tokenizer cuts the work into "
                                            + tw.ids().length
                                            + " tokens, not enough for the recorded window"));
                    continue;
                }
                int[] prefix = Arrays.copyOfRange(tw.ids(), from, to);
                JsonNode s = a.path("settings");
                GenerationSettings settings =
                        new GenerationSettings(
                                s.path("max_new_tokens").asInt(),
                                s.path("temperature").asDouble(),
                                s.path("top_k").asInt(),
                                s.path("top_p").asDouble(),
                                0,
                                true);
                Generation g =
                        model.generate(
                                        List.of(prefix),
                                        new long[] {a.path("seed").asLong()},
                                        settings)
                                .get(0);
                int[] want = ints(a.path("generated_tokens"));
                int[] got = g.tokens();
                if (Arrays.equals(want, got)) {
                    reproduced++;
                } else {
                    int k = Arrays.mismatch(want, got);
                    problems.add(
                            problem(
                                    attemptsFile,
                                    where
                                            + ": re-run generated other tokens from position "
                                            + k
                                            + " ("
                                            + got.length
                                            + " tokens vs "
                                            + want.length
                                            + " recorded)"));
                }
            }
        } catch (IOException e) {
            throw MemauditException.badInput(stage.dir() + ": " + e.getMessage(), e);
        }
        notes.add(
                String.format(
                        Locale.ROOT,
                        "%s: re-ran %d of %d attempts (seed %d) with %s: %d reproduced exactly",
                        stage.dir(),
                        chosen.size(),
                        attempts.size(),
                        seed,
                        modelDir,
                        reproduced));
        return problems;
    }

    private static Path recordedModel(StageFolder stage) {
        JsonNode args = stage.manifest().path("args");
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).asText().equals("--model")) {
                return Path.of(args.get(i + 1).asText());
            }
        }
        return null;
    }

    private static List<JsonNode> read(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try (JsonlReader r = new JsonlReader(file)) {
            for (JsonlReader.Line l; (l = r.next()) != null; ) {
                if (l.object() == null) {
                    throw MemauditException.integrity(file + ":" + l.number() + ": " + l.problem());
                }
                out.add(l.object());
            }
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static VerifyResult.Problem problem(Path file, String detail) {
        return new VerifyResult.Problem(file, VerifyResult.Kind.CHECK, detail);
    }
}
