package dev.memaudit.audit.replay;

import dev.memaudit.audit.report.IndexTexts;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.extract.AttemptRecord;
import dev.memaudit.core.records.extract.WindowRecord;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

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
        // Two passes over the ledger, so that only the attempts re-run are held: the first
        // numbers the attempts (every record is a try with a result), the second picks the chosen
        // ones.
        List<Integer> candidates = new ArrayList<>();
        int[] total = {0};
        Records.forEach(attemptsFile, AttemptRecord.class, a -> candidates.add(total[0]++));
        Collections.shuffle(candidates, new Random(seed));
        List<Integer> chosen = candidates.subList(0, Math.min(count, candidates.size()));
        Set<Integer> wanted = new HashSet<>(chosen);
        Map<Integer, AttemptRecord> attempts = new HashMap<>();
        int[] index = {0};
        Records.forEach(
                attemptsFile,
                AttemptRecord.class,
                a -> {
                    if (wanted.contains(index[0])) {
                        attempts.put(index[0], a);
                    }
                    index[0]++;
                });
        Set<String> windowKeys = new HashSet<>();
        attempts.values().forEach(a -> windowKeys.add(a.workId() + "#" + a.window()));
        Map<String, WindowRecord> windows = new HashMap<>();
        Records.forEach(
                stage.dir().resolve(Records.fileName(WindowRecord.class)),
                WindowRecord.class,
                w -> {
                    String key = w.workId() + "#" + w.window();
                    if (windowKeys.contains(key)) {
                        windows.put(key, w);
                    }
                });
        Map<String, TokenizedWork> tokenized = new HashMap<>();
        int reproduced = 0;
        try (IndexTexts texts = IndexTexts.open(List.of(stage), indexOverride);
                LanguageModel model = ModelLoader.load(modelDir)) {
            for (int i : chosen) {
                AttemptRecord a = attempts.get(i);
                String where =
                        String.format(
                                Locale.ROOT,
                                "record %d (work %s, window %d, attempt %d)",
                                i + 1,
                                a.workId(),
                                a.window(),
                                a.attempt());
                WindowRecord w = windows.get(a.workId() + "#" + a.window());
                Optional<String> text = texts.work(a.workId());
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
                                a.workId(),
                                id -> WindowPlanner.tokenize(model.tokenizer(), id, text.get()));
                int from = w.prefixTokenStart();
                int to = w.suffixTokenStart();
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
                AttemptRecord.Settings s = a.settings();
                GenerationSettings settings =
                        new GenerationSettings(
                                s.maxNewTokens(), s.temperature(), s.topK(), s.topP(), 0, true);
                Generation g =
                        model.generate(List.of(prefix), new long[] {a.seed()}, settings).get(0);
                int[] want = a.generatedTokens();
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
                        total[0],
                        seed,
                        modelDir,
                        reproduced));
        return problems;
    }

    private static Path recordedModel(StageFolder stage) {
        List<String> args = stage.manifest().args();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("--model")) {
                return Path.of(args.get(i + 1));
            }
        }
        return null;
    }

    private static VerifyResult.Problem problem(Path file, String detail) {
        return new VerifyResult.Problem(file, VerifyResult.Kind.CHECK, detail);
    }
}
