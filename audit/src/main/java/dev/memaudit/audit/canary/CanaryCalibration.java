package dev.memaudit.audit.canary;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.core.records.run.Membership;
import dev.memaudit.extractor.ppl.PplStage;
import dev.memaudit.extractor.ppl.PplText;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.LoadedWork;
import dev.memaudit.index.source.WorkEntry;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.stats.Calibration;
import dev.memaudit.stats.DoseCalibration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * {@code memaudit canary calibrate}: the membership features and tests measured on canaries with
 * known membership. Per seed, a canary is trained on a seeded random share of the corpus's works
 * (its tokenizer on works and controls, so unseen works and controls are alike) and the ppl stage
 * runs on it; {@link Calibration} then gives each feature's AUC and TPR at 1 % FPR (member vs
 * non-member chunks) and how often the per-work test calls members and non-members significant.
 * Writes {@code <out>/seed-<s>/{model,ppl}}, {@code calibration.json} and {@code calibration.md}; a
 * canary already trained into {@code <out>} is reused, the statistics recomputed. With a background
 * the canaries are ladder canaries instead ({@link LadderCalibration}).
 */
public final class CanaryCalibration {
    private CanaryCalibration() {}

    /**
     * What to calibrate.
     *
     * @param corpus a corpus.yaml with {@code controls:} (the controls are never members)
     * @param out output folder
     * @param seeds canaries to train (at least 1), seeds {@code firstSeed, firstSeed + 1, …}
     * @param memberFraction share of works that are members, in (0, 1)
     * @param repeat times each member appears in training (at least 1)
     * @param steps optimizer steps, or null for one pass
     * @param fast tiny canaries ({@link CanaryConfig#tiny()})
     * @param chunkTokens chunk length in tokens (capped at the canary's sequence length)
     * @param alpha significance level
     * @param background text the canaries learn language from (a folder or corpus.yaml), or null
     *     for member-only canaries; with it, the canaries are ladder canaries ({@link
     *     LadderCalibration}) and {@code memberFraction} and {@code repeat} do not apply
     * @param doses the dose ladder of the ladder canaries (null without a background)
     * @param backgroundTokens most background tokens per canary, or null for the trainer's default
     */
    public record Settings(
            Path corpus,
            Path out,
            int seeds,
            long firstSeed,
            double memberFraction,
            int repeat,
            Integer steps,
            boolean fast,
            int chunkTokens,
            double alpha,
            Path background,
            List<Integer> doses,
            Long backgroundTokens) {
        /** The ladder of {@code --doses} when {@code --background} is given without one. */
        public static final List<Integer> DEFAULT_DOSES = List.of(0, 1, 4, 16, 64);

        /**
         * @throws MemauditException usage when a count or the member fraction is out of range, or a
         *     ladder setting is given without a background
         */
        public Settings {
            if (seeds < 1 || !(memberFraction > 0 && memberFraction < 1) || repeat < 1) {
                throw MemauditException.usage(
                        "--seeds and --repeat must be ≥ 1 and --member-fraction in (0, 1)");
            }
            if (background == null && (doses != null || backgroundTokens != null)) {
                throw MemauditException.usage("--doses and --background-tokens need --background");
            }
            if (background != null) {
                doses = List.copyOf(doses == null ? DEFAULT_DOSES : doses);
                if (!doses.contains(0) || doses.stream().noneMatch(d -> d > 0)) {
                    throw MemauditException.usage(
                            "--doses must hold 0 (the held-out works calibration compares with)"
                                    + " and a dose ≥ 1, got "
                                    + doses);
                }
            }
        }

        /** Member-only canaries (no background). */
        public Settings(
                Path corpus,
                Path out,
                int seeds,
                long firstSeed,
                double memberFraction,
                int repeat,
                Integer steps,
                boolean fast,
                int chunkTokens,
                double alpha) {
            this(
                    corpus,
                    out,
                    seeds,
                    firstSeed,
                    memberFraction,
                    repeat,
                    steps,
                    fast,
                    chunkTokens,
                    alpha,
                    null,
                    null,
                    null);
        }
    }

    /**
     * What it measured.
     *
     * @param table the calibration table of member-only canaries (written to calibration.json), or
     *     null for ladder canaries
     * @param ladder the calibration of ladder canaries, or null for member-only canaries
     * @param markdown the table as written to calibration.md
     * @param canaries of ladder canaries, how well each knows the language (Markdown), or null
     */
    public record Result(
            Calibration.Table table,
            DoseCalibration.Table ladder,
            String markdown,
            String canaries) {
        public Result(Calibration.Table table, String markdown) {
            this(table, null, markdown, null);
        }
    }

    /**
     * Trains (or reuses) the canaries, runs the ppl stage on each and writes the calibration.
     *
     * @param args the command line, recorded in each ppl stage's manifest
     * @param progress progress and the corpus texts not used
     */
    public static Result run(Settings s, List<String> args, PrintStream progress)
            throws IOException {
        if (s.background() != null) {
            return LadderCalibration.run(s, args, progress);
        }
        CorpusManifest manifest = CorpusManifest.load(s.corpus());
        if (manifest.controls().isEmpty()) {
            throw MemauditException.badInput(
                    s.corpus() + ": calibration needs a corpus.yaml with controls:");
        }
        List<PplText> works = load(manifest, manifest.works(), PplText.WORK, progress);
        List<PplText> controls = load(manifest, manifest.controls(), PplText.CONTROL, progress);
        List<CorpusText> all = new ArrayList<>();
        for (PplText t : works) {
            all.add(new CorpusText(t.id(), t.text()));
        }
        for (PplText t : controls) {
            all.add(new CorpusText(t.id(), t.text()));
        }
        List<PplText> texts = new ArrayList<>(works);
        texts.addAll(controls);
        Path out = s.out();
        Files.createDirectories(out);
        List<Calibration.Run> runs = new ArrayList<>();
        for (int i = 0; i < s.seeds(); i++) {
            long seed = s.firstSeed() + i;
            TreeSet<String> members = chooseMembers(works, seed, s.memberFraction());
            CanaryConfig cfg =
                    (s.fast() ? CanaryConfig.tiny() : CanaryConfig.defaults())
                            .withMembers(members)
                            .withRepeat(s.repeat())
                            .withSeed(seed);
            if (s.steps() != null) {
                cfg = cfg.withSteps(s.steps());
            }
            Path dir = out.resolve("seed-" + seed);
            boolean trained = Files.isRegularFile(dir.resolve("model").resolve("membership.json"));
            if (trained) {
                // an earlier calibration into the same folder: reuse the canary, recompute
                members = membersOf(dir.resolve("model").resolve("membership.json"));
                progress.printf("canary seed %d: reusing %s%n", seed, dir.resolve("model"));
            } else {
                progress.printf("canary seed %d: members %s%n", seed, members);
                progress.flush();
                CanaryTrainer.train(cfg, all, dir.resolve("model"), progress);
            }
            try (LanguageModel m = ModelLoader.load(dir.resolve("model"))) {
                PplStage.Outcome o =
                        ppl(
                                dir.resolve("model"),
                                dir.resolve("ppl"),
                                m,
                                texts,
                                seed,
                                s,
                                args,
                                progress);
                runs.add(new Calibration.Run(seed, o.chunkRecords(), members, o.statistics()));
            }
        }
        Calibration.Table table = Calibration.summarize(runs, s.alpha());
        Map<String, Object> json = new LinkedHashMap<>(Calibration.toMap(table));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("fast", s.fast());
        settings.put("repeat", s.repeat());
        settings.put("steps", s.steps());
        settings.put("member_fraction", s.memberFraction());
        settings.put("chunk_tokens", s.chunkTokens());
        settings.put("tokenizer_corpus", "works and controls");
        json.put("settings", settings);
        Json.writePretty(out.resolve("calibration.json"), json);
        String md = Calibration.toMarkdown(table);
        Files.writeString(out.resolve("calibration.md"), md, StandardCharsets.UTF_8);
        return new Result(table, md);
    }

    /** The ppl stage of one calibration canary into {@code pplDir} (resumed when there). */
    static PplStage.Outcome ppl(
            Path modelDir,
            Path pplDir,
            LanguageModel m,
            List<PplText> texts,
            long seed,
            Settings s,
            List<String> args,
            PrintStream progress)
            throws IOException {
        int chunk = Math.min(s.chunkTokens(), m.maxSequenceLength());
        PplConfig config =
                PplConfig.ofCalibration(
                        modelDir.toAbsolutePath().toString(),
                        seed,
                        chunk,
                        false,
                        PplStatsSettings.defaults().withAlpha(s.alpha()).withSeed(seed));
        return PplStage.run(
                pplDir,
                Files.isDirectory(pplDir),
                m,
                null,
                texts,
                config,
                8,
                Map.of(),
                args,
                progress,
                false);
    }

    private static TreeSet<String> membersOf(Path membershipJson) {
        TreeSet<String> out = new TreeSet<>();
        for (Membership.Work w : Records.read(membershipJson, Membership.class).members()) {
            out.add(w.id());
        }
        return out;
    }

    /**
     * A seeded shuffle of the sorted work ids; the first round(fraction · n), at least 1 and at
     * most n − 1.
     */
    private static TreeSet<String> chooseMembers(
            List<PplText> works, long seed, double memberFraction) {
        List<String> ids = new ArrayList<>();
        for (PplText w : works) {
            ids.add(w.id());
        }
        ids.sort(null);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = ids.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            String t = ids.get(i);
            ids.set(i, ids.get(j));
            ids.set(j, t);
        }
        int n =
                Math.max(
                        1, Math.min(ids.size() - 1, (int) Math.round(memberFraction * ids.size())));
        return new TreeSet<>(ids.subList(0, n));
    }

    static List<PplText> load(
            CorpusManifest m, List<WorkEntry> entries, String set, PrintStream err) {
        List<PplText> out = new ArrayList<>();
        for (LoadedWork w : CanaryTraining.load(m, entries, err)) {
            out.add(new PplText(set, w.id(), w.title(), w.text()));
        }
        return out;
    }
}
