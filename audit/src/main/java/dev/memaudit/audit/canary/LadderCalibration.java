package dev.memaudit.audit.canary;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.run.Membership;
import dev.memaudit.extractor.extract.AttemptSelection;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.extractor.extract.Scheme;
import dev.memaudit.extractor.ppl.PplStage;
import dev.memaudit.extractor.ppl.PplText;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.canary.BackgroundCorpus;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.stats.DoseCalibration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code memaudit canary calibrate --background}: calibration in the regime of a real audit. Per
 * seed, a ladder canary learns language from the background and sees every work of the corpus at a
 * dose of the ladder (dose 0 = held out, an in-distribution non-member); the ppl stage runs on its
 * works and controls, and {@code memaudit extract}'s service scores every window of every work
 * (teacher-forced p_z and greedy exactness, no decoding). {@link DoseCalibration} then gives the
 * figures per dose, pooled over seeds, with intervals.
 *
 * <p>Writes {@code <out>/index} (the corpus's n-gram index, which extraction reads its works from),
 * {@code <out>/seed-<s>/{model,ppl,extract}}, {@code calibration.json}, {@code calibration.md} and
 * {@code dose-response.svg}. A canary, ppl run or extraction already in {@code <out>} is reused; a
 * reused canary must have been trained with the same ladder over a background.
 */
final class LadderCalibration {
    /** Longest extraction prefix and suffix, in tokens (as {@code memaudit extract}'s default). */
    static final int MAX_WINDOW_SIDE = 50;

    /** Words per gram of the corpus index ({@code memaudit index build}'s default). */
    private static final int NGRAM = 8;

    private LadderCalibration() {}

    static CanaryCalibration.Result run(
            CanaryCalibration.Settings s, List<String> args, PrintStream progress)
            throws IOException {
        CorpusManifest manifest = CorpusManifest.load(s.corpus());
        if (manifest.controls().isEmpty()) {
            throw MemauditException.badInput(
                    s.corpus() + ": calibration needs a corpus.yaml with controls:");
        }
        List<PplText> works =
                CanaryCalibration.load(manifest, manifest.works(), PplText.WORK, progress);
        List<PplText> controls =
                CanaryCalibration.load(manifest, manifest.controls(), PplText.CONTROL, progress);
        List<CorpusText> workTexts = new ArrayList<>();
        for (PplText t : works) {
            workTexts.add(new CorpusText(t.id(), t.text()));
        }
        List<CorpusText> controlTexts = new ArrayList<>();
        for (PplText t : controls) {
            controlTexts.add(new CorpusText(t.id(), t.text()));
        }
        List<PplText> texts = new ArrayList<>(works);
        texts.addAll(controls);
        Path out = s.out();
        Files.createDirectories(out);
        Path indexDir = out.resolve("index");
        if (Files.isRegularFile(indexDir.resolve(IndexLayout.MANIFEST))) {
            progress.printf("index: reusing %s%n", indexDir);
        } else {
            new IndexBuilder(Clock.systemUTC(), progress::println)
                    .build(s.corpus(), indexDir, new IndexBuilder.Options(NGRAM, false, 1));
        }

        BackgroundCorpus background = null;
        List<DoseCalibration.Run> runs = new ArrayList<>();
        List<Map<String, Object>> canaries = new ArrayList<>();
        Map<String, Object> windowSettings = null;
        for (int i = 0; i < s.seeds(); i++) {
            long seed = s.firstSeed() + i;
            Path dir = out.resolve("seed-" + seed);
            Path modelDir = dir.resolve("model");
            Path membershipFile = modelDir.resolve(Records.fileName(Membership.class));
            if (Files.isRegularFile(membershipFile)) {
                progress.printf("canary seed %d: reusing %s%n", seed, modelDir);
            } else {
                if (background == null) {
                    // the controls are audited texts too: never background
                    background = CanaryTraining.background(s.background(), controlTexts, progress);
                }
                progress.printf(
                        "canary seed %d: doses %s over %s%n", seed, s.doses(), s.background());
                progress.flush();
                CanaryTrainer.train(config(s, seed), workTexts, background, modelDir, progress);
            }
            Membership membership = Records.read(membershipFile, Membership.class);
            checkLadder(membership, membershipFile, s.doses(), s.backgroundTokens());
            Map<String, Integer> doses = new TreeMap<>();
            membership.members().forEach(w -> doses.put(w.id(), w.dose()));
            membership.nonMembers().forEach(w -> doses.put(w.id(), 0));
            try (LanguageModel m = ModelLoader.load(modelDir);
                    NgramIndex index = NgramIndex.open(indexDir)) {
                PplStage.Outcome ppl =
                        CanaryCalibration.ppl(
                                modelDir, dir.resolve("ppl"), m, texts, seed, s, args, progress);
                ExtractService.Options eo = extractOptions(m.maxSequenceLength(), seed);
                windowSettings = windowSettings(eo);
                Path extractDir = dir.resolve("extract");
                ExtractService.Summary extraction =
                        new ExtractService(Clock.systemUTC(), progress, false)
                                .run(m, index, eo, extractDir, Files.isDirectory(extractDir), args);
                Map<String, DoseCalibration.Extraction> byWork = new TreeMap<>();
                extraction
                        .works()
                        .forEach(
                                (id, w) ->
                                        byWork.put(
                                                id,
                                                new DoseCalibration.Extraction(
                                                        w.windows(),
                                                        coverage(w),
                                                        w.greedyExtractableShare())));
                runs.add(
                        new DoseCalibration.Run(
                                seed, ppl.chunkRecords(), doses, ppl.statistics(), byWork));
            }
            canaries.add(canary(seed, modelDir, membership));
        }
        DoseCalibration.Table table = DoseCalibration.summarize(runs, s.alpha(), s.firstSeed());
        Map<String, Object> json = new LinkedHashMap<>(DoseCalibration.toMap(table));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("fast", s.fast());
        settings.put("background", s.background().toAbsolutePath().normalize().toString());
        settings.put("doses", s.doses());
        settings.put("background_tokens", s.backgroundTokens());
        settings.put("steps", s.steps());
        settings.put("chunk_tokens", s.chunkTokens());
        settings.put("extraction_windows", windowSettings);
        settings.put("extraction_coverage_scheme", Scheme.T1.name());
        json.put("settings", settings);
        json.put("canaries", canaries);
        Json.writePretty(out.resolve("calibration.json"), json);
        String language = languageCheck(canaries);
        String md = DoseCalibration.toSummary(table) + language + featureTables(table);
        Files.writeString(out.resolve("calibration.md"), md, StandardCharsets.UTF_8);
        Files.writeString(
                out.resolve("dose-response.svg"),
                DoseResponseSvg.of(table),
                StandardCharsets.UTF_8);
        return new CanaryCalibration.Result(null, table, md, language);
    }

    private static String featureTables(DoseCalibration.Table t) {
        return DoseCalibration.toMarkdown(t).substring(DoseCalibration.toSummary(t).length());
    }

    /**
     * Whether the regime is the one claimed: each canary's teacher-forced NLL of held-out
     * background text and of its dose-0 works (in-distribution non-members score about the same).
     */
    private static String languageCheck(List<Map<String, Object>> canaries) {
        StringBuilder b =
                new StringBuilder("\nThe canaries know the language (teacher-forced NLL,");
        b.append(" nats/token, from membership.json):\n\n");
        for (Map<String, Object> c : canaries) {
            Object heldOut = c.get("held_out_background_nll");
            Object byDose = c.get("mean_nll_by_dose");
            b.append("- seed ")
                    .append(c.get("seed"))
                    .append(": held-out background ")
                    .append(heldOut == null ? "not measured" : fmt((Double) heldOut))
                    .append("; works by dose ");
            if (byDose instanceof Map<?, ?> m) {
                List<String> parts = new ArrayList<>();
                m.forEach((d, v) -> parts.add(d + ": " + fmt((Double) v)));
                b.append(String.join(", ", parts));
            } else {
                b.append("not measured (membership.json has no evaluation)");
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    /** The trainer's settings for one seed's ladder canary. */
    static CanaryConfig config(CanaryCalibration.Settings s, long seed) {
        CanaryConfig cfg =
                (s.fast() ? CanaryConfig.tiny() : CanaryConfig.ladder())
                        .withDoses(s.doses())
                        .withSeed(seed);
        if (s.steps() != null) {
            cfg = cfg.withSteps(s.steps());
        }
        if (s.backgroundTokens() != null) {
            cfg = cfg.toBuilder().backgroundTokens(s.backgroundTokens()).build();
        }
        return cfg;
    }

    /**
     * Windows of extraction: prefix and suffix of {@value #MAX_WINDOW_SIDE} tokens each (as {@code
     * memaudit extract}), halved to fit a canary of fewer positions; stride = suffix, so suffixes
     * tile the work. No decoding attempts and no reconstruction: p_z and greedy exactness come from
     * the teacher-forced pass.
     */
    static ExtractService.Options extractOptions(int positions, long seed) {
        int side = Math.min(MAX_WINDOW_SIDE, positions / 2);
        return new ExtractService.Options(
                side,
                side,
                side,
                List.of(),
                16,
                0,
                Scheme.T1,
                AttemptSelection.parse("all"),
                seed,
                0,
                12,
                0.8,
                null);
    }

    private static Map<String, Object> windowSettings(ExtractService.Options o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prefix_tokens", o.prefixTokens());
        m.put("suffix_tokens", o.suffixTokens());
        m.put("stride", o.stride());
        return m;
    }

    /** Coverage at p_z ≥ 0.5 under t1 (always measured: prompt log-probs). */
    private static double coverage(ExtractWork w) {
        Double c = w.coverage().get("0.5");
        if (c == null) {
            throw MemauditException.integrity("works.json has no coverage at p_z ≥ 0.5");
        }
        return c;
    }

    /** A reused canary must be a ladder canary of the same ladder over a background. */
    private static void checkLadder(
            Membership m, Path file, List<Integer> doses, Long backgroundTokens) {
        if (m.background() == null) {
            throw MemauditException.usage(
                    file
                            + ": a canary trained on its members alone, not over a background; use"
                            + " another --out");
        }
        List<Integer> had = m.settings().doses();
        if (had == null || !had.equals(doses)) {
            throw MemauditException.usage(
                    file
                            + ": trained with doses "
                            + had
                            + ", not --doses "
                            + doses
                            + "; use another --out");
        }
        if (backgroundTokens != null && m.background().requestedTokens() != backgroundTokens) {
            throw MemauditException.usage(
                    file
                            + ": trained with --background-tokens "
                            + m.background().requestedTokens()
                            + ", not "
                            + backgroundTokens
                            + "; use another --out");
        }
    }

    /** What calibration.json says of one canary: where it is and how well it knows language. */
    private static Map<String, Object> canary(long seed, Path modelDir, Membership m) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", seed);
        c.put("model", modelDir.toAbsolutePath().toString());
        c.put("steps", m.steps());
        c.put("final_loss", m.finalLoss());
        c.put("background_tokens", m.background().tokens());
        Map<Integer, double[]> nll = new TreeMap<>();
        Double heldOut = null;
        if (m.evaluation() != null) {
            heldOut = m.evaluation().heldOutBackgroundNll();
            for (Membership.WorkScore w : m.evaluation().works()) {
                double[] sum = nll.computeIfAbsent(w.dose(), k -> new double[2]);
                sum[0] += w.nll();
                sum[1]++;
            }
        }
        c.put("held_out_background_nll", heldOut);
        Map<String, Object> byDose = new LinkedHashMap<>();
        nll.forEach((d, sum) -> byDose.put(Integer.toString(d), sum[0] / sum[1]));
        c.put("mean_nll_by_dose", m.evaluation() == null ? null : byDose);
        if (m.evaluation() == null) {
            c.put("not_measured", Map.of("nll", "membership.json has no evaluation"));
        }
        return c;
    }
}
