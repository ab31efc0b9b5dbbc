package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.core.records.run.Membership;
import dev.memaudit.extractor.ppl.PplStage;
import dev.memaudit.extractor.ppl.PplText;
import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.stats.Calibration;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit canary calibrate}. */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = {
            "Calibrate the membership features and tests on canaries with known membership: for"
                    + " each seed, train a canary on a seeded random half of the corpus's works"
                    + " (its tokenizer on works and controls, so unseen works and controls are"
                    + " alike), run the ppl stage, and measure per feature the AUC and TPR at 1%"
                    + " FPR of member vs non-member chunks and, per work, how often the test calls"
                    + " members and non-members significant.",
            "Writes <out>/seed-<s>/{model,ppl}, calibration.json and calibration.md. Trains one"
                    + " canary after another (minutes each): not for CI. Run it again into the"
                    + " same --out to reuse the canaries and recompute the statistics."
        })
public final class CanaryCalibrateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--corpus",
            required = true,
            paramLabel = "<dir|corpus.yaml>",
            description = "Corpus with works and controls: (the controls are never members).")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Output folder.")
    Path out;

    @Option(
            names = "--seeds",
            defaultValue = "3",
            description = "Canaries to train (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(
            names = "--first-seed",
            defaultValue = "1",
            description = "Seed of the first canary (default ${DEFAULT-VALUE}).")
    long firstSeed;

    @Option(
            names = "--member-fraction",
            defaultValue = "0.5",
            description = "Share of works that are members (default ${DEFAULT-VALUE}).")
    double memberFraction;

    @Option(
            names = "--repeat",
            defaultValue = "20",
            description = "Times each member appears in training (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--steps", description = "Optimizer steps (default: one pass).")
    Integer steps;

    @Option(
            names = "--fast",
            description = "Tiny canaries (CanaryConfig.tiny(): seconds each, memorize little).")
    boolean fast;

    @Option(
            names = "--chunk-tokens",
            defaultValue = "64",
            description = "Chunk length in tokens (default ${DEFAULT-VALUE}).")
    int chunkTokens;

    @Option(
            names = "--alpha",
            defaultValue = "0.05",
            description = "Significance level (default ${DEFAULT-VALUE}).")
    double alpha;

    @Override
    public Integer call() throws IOException {
        if (seeds < 1 || !(memberFraction > 0 && memberFraction < 1) || repeat < 1) {
            throw MemauditException.usage(
                    "--seeds and --repeat must be ≥ 1 and --member-fraction in (0, 1)");
        }
        var err = spec.commandLine().getErr();
        PrintStream progress = WriterStream.of(err);
        CorpusManifest manifest = CorpusManifest.load(corpus);
        if (manifest.controls().isEmpty()) {
            throw MemauditException.badInput(
                    corpus + ": calibration needs a corpus.yaml with controls:");
        }
        List<PplText> works = load(manifest, manifest.works(), PplText.WORK, err);
        List<PplText> controls = load(manifest, manifest.controls(), PplText.CONTROL, err);
        List<CorpusText> all = new ArrayList<>();
        for (PplText t : works) {
            all.add(new CorpusText(t.id(), t.text()));
        }
        for (PplText t : controls) {
            all.add(new CorpusText(t.id(), t.text()));
        }
        List<PplText> texts = new ArrayList<>(works);
        texts.addAll(controls);
        Files.createDirectories(out);
        List<Calibration.Run> runs = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long seed = firstSeed + i;
            TreeSet<String> members = chooseMembers(works, seed);
            CanaryConfig cfg =
                    (fast ? CanaryConfig.tiny() : CanaryConfig.defaults())
                            .withMembers(members)
                            .withRepeat(repeat)
                            .withSeed(seed);
            if (steps != null) {
                cfg = cfg.withSteps(steps);
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
                int chunk = Math.min(chunkTokens, m.maxSequenceLength());
                PplConfig config =
                        PplConfig.ofCalibration(
                                dir.resolve("model").toAbsolutePath().toString(),
                                seed,
                                chunk,
                                false,
                                PplStatsSettings.defaults().withAlpha(alpha).withSeed(seed));
                PplStage.Outcome o =
                        PplStage.run(
                                dir.resolve("ppl"),
                                Files.isDirectory(dir.resolve("ppl")),
                                m,
                                null,
                                texts,
                                config,
                                8,
                                Map.of(),
                                spec.commandLine().getParseResult().originalArgs(),
                                progress,
                                false);
                runs.add(new Calibration.Run(seed, o.chunkRecords(), members, o.statistics()));
            }
        }
        Calibration.Table table = Calibration.summarize(runs, alpha);
        Map<String, Object> json = new LinkedHashMap<>(Calibration.toMap(table));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("fast", fast);
        settings.put("repeat", repeat);
        settings.put("steps", steps);
        settings.put("member_fraction", memberFraction);
        settings.put("chunk_tokens", chunkTokens);
        settings.put("tokenizer_corpus", "works and controls");
        json.put("settings", settings);
        Json.writePretty(out.resolve("calibration.json"), json);
        String md = Calibration.toMarkdown(table);
        Files.writeString(out.resolve("calibration.md"), md, StandardCharsets.UTF_8);
        var stdout = spec.commandLine().getOut();
        stdout.print(md);
        stdout.flush();
        return 0;
    }

    private static TreeSet<String> membersOf(Path membershipJson) {
        TreeSet<String> out = new TreeSet<>();
        for (Membership.Work w : Records.read(membershipJson, Membership.class).members()) {
            out.add(w.id());
        }
        return out;
    }

    private TreeSet<String> chooseMembers(List<PplText> works, long seed) {
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

    private static List<PplText> load(
            CorpusManifest m,
            List<dev.memaudit.index.source.WorkEntry> entries,
            String set,
            java.io.PrintWriter err) {
        List<PplText> out = new ArrayList<>();
        new CorpusLoader(m.limits())
                .load(
                        entries,
                        w -> out.add(new PplText(set, w.id(), w.title(), w.text())),
                        p -> err.println("memaudit: " + p.file() + ": not used: " + p.reason()));
        return out;
    }
}
