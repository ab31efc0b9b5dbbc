package dev.memaudit.audit.meter;

import dev.memaudit.audit.canary.CanaryTraining;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.MeterExactConfig;
import dev.memaudit.core.records.meter.MeterValidateConfig;
import dev.memaudit.core.records.meter.TrainedModelRecord;
import dev.memaudit.core.records.meter.ValidationSummary;
import dev.memaudit.core.records.run.RunConfigFile;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.influence.Behaviours;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.stats.InfluenceAgreement;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code meter validate}: the approximations measured against the truth. Each approximate method
 * runs on a {@code meter exact} folder's full canary ({@code models/full}, re-hashed against
 * models.jsonl first) with the same behaviours ({@code behaviours.jsonl}) and works, into {@code
 * <out>/<method>}; then every (work, behaviour) pair both measured is compared: the exact {@code
 * delta_logprob} against the method's. Agreement: Pearson and Spearman correlation with 95 %
 * percentile-bootstrap intervals over pairs, top-k agreement per behaviour ({@link
 * InfluenceAgreement}), and the share of a work's own-text pairs whose sign the method gets right.
 * Written to {@code validation.json} ({@link ValidationSummary}), with a manifest.
 */
public final class Validation {
    private Validation() {}

    /**
     * Runs one approximate method on a canary: the binding to {@code meter approx}.
     *
     * @param method {@code unlearn} or {@code gradient}
     * @param model the canary's Hugging Face folder
     * @param works the metered works' texts, by id
     * @param behaviours the exact run's behaviours file
     * @param retain non-member text for unlearning's retain loss (the corpus's dose-0 works and
     *     controls), by id; may be empty
     * @param out the method's folder
     * @return the influence lines it wrote
     */
    public interface Approximation {
        List<InfluenceRecord> run(
                String method,
                Path model,
                Map<String, String> works,
                Path behaviours,
                Map<String, String> retain,
                long seed,
                Path out,
                PrintStream progress);
    }

    /**
     * The binding to {@link ApproxMeter}: each method with {@code meter approx}'s settings as
     * {@code tune} makes them from the defaults (given the method, the seed and the canary's
     * context, to which the chunk length is clamped).
     */
    public static Approximation approxMeter(SettingsTuner tune) {
        return (method, model, works, behaviours, retain, seed, out, progress) -> {
            int context = ModelConfig.read(model.resolve("config.json")).maxPositions();
            ApproxMeter.Settings d = ApproxMeter.Settings.defaults(method);
            ApproxMeter.Settings base =
                    new ApproxMeter.Settings(
                            method,
                            Math.min(d.chunkTokens(), context),
                            d.chunksPerWork(),
                            d.retainChunks(),
                            d.steps(),
                            d.learningRate(),
                            d.retainWeight(),
                            d.clipNorm(),
                            d.projectionDim(),
                            seed);
            ApproxMeter.Options o =
                    ApproxMeter.Options.of(
                                    model, works, retain, Behaviours.read(behaviours), method)
                            .withSettings(tune.tune(base));
            return ApproxMeter.run(o, out, progress).records();
        };
    }

    /** Settings of one method, from the defaults. */
    public interface SettingsTuner {
        ApproxMeter.Settings tune(ApproxMeter.Settings defaults);
    }

    /**
     * @param exact the meter exact folder
     * @param methods methods to run, in order
     * @param topK k of top-k agreement
     * @param seed seed of the approximations and the bootstrap
     * @param approxArgs further options, recorded in the config
     */
    public record Options(
            Path exact,
            List<String> methods,
            int topK,
            long seed,
            List<String> approxArgs,
            List<String> commandLine) {}

    public static ValidationSummary run(
            Options o, Approximation approx, Path out, PrintStream progress) {
        Path exact = o.exact();
        Path influenceFile = exact.resolve(Records.fileName(InfluenceRecord.class));
        Path configFile = exact.resolve(Records.fileName(RunConfigFile.class));
        if (!Files.isRegularFile(influenceFile) || !Files.isRegularFile(configFile)) {
            throw MemauditException.badInput(
                    exact
                            + ": not a finished meter exact folder (no influence.jsonl or"
                            + " run-config.json)");
        }
        if (!(Records.read(configFile, RunConfigFile.class).config()
                instanceof MeterExactConfig cfg)) {
            throw MemauditException.badInput(configFile + ": not the config of meter exact");
        }
        if (o.methods().isEmpty() || o.topK() < 1) {
            throw MemauditException.usage("--methods must name a method and --top-k be ≥ 1");
        }
        for (String m : o.methods()) {
            if (!m.equals("unlearn") && !m.equals("gradient")) {
                throw MemauditException.usage(
                        "--methods: unknown method " + m + " (unlearn, gradient)");
            }
        }
        List<InfluenceRecord> truth = Records.readAll(influenceFile, InfluenceRecord.class);
        TrainedModelRecord full =
                Records.readAll(
                                exact.resolve(Records.fileName(TrainedModelRecord.class)),
                                TrainedModelRecord.class)
                        .stream()
                        .filter(r -> r.name().equals("full"))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        MemauditException.badInput(
                                                exact + ": models.jsonl has no full canary"));
        ExactMeter.checkHashes(exact, full);
        Path model = exact.resolve(full.path());
        Path behaviours = exact.resolve(ExactMeter.BEHAVIOURS);

        // the works' texts, and non-member text of the same corpus for a retain set
        List<CorpusText> texts =
                CanaryTraining.inputs(Path.of(cfg.corpus()), null, progress).works();
        Map<String, String> works = new TreeMap<>();
        Map<String, String> retain = new TreeMap<>();
        for (CorpusText t : texts) {
            if (cfg.works().contains(t.id())) {
                works.put(t.id(), t.text());
            } else if (cfg.members().getOrDefault(t.id(), 0) == 0) {
                retain.put(t.id(), t.text());
            }
        }
        String truthSha = Sha256.of(influenceFile);
        MeterValidateConfig config =
                new MeterValidateConfig(
                        exact.toString(),
                        truthSha,
                        List.copyOf(o.methods()),
                        o.topK(),
                        o.seed(),
                        List.copyOf(o.approxArgs()));
        RunFolder.open(out, config, false);
        RunManifest manifest = new RunManifest(Clock.systemUTC(), o.commandLine());

        Map<String, InfluenceRecord> byPair = new HashMap<>();
        truth.forEach(r -> byPair.put(r.workId() + "\u0000" + r.behaviourId(), r));
        List<ValidationSummary.MethodAgreement> methods = new ArrayList<>();
        for (String method : o.methods()) {
            progress.printf("%s on %s%n", method, model);
            long t0 = System.nanoTime();
            List<InfluenceRecord> est =
                    approx.run(
                            method,
                            model,
                            works,
                            behaviours,
                            retain,
                            o.seed(),
                            out.resolve(method),
                            progress);
            double seconds = (System.nanoTime() - t0) / 1e9;
            methods.add(agreement(method, est, byPair, o.topK(), o.seed(), seconds));
        }
        ValidationSummary summary =
                new ValidationSummary(
                        ValidationSummary.SCHEMA_VERSION,
                        exact.toString(),
                        truthSha,
                        model.toString(),
                        full.weightsSha256(),
                        cfg.seeds(),
                        "each (work, behaviour) pair's delta_logprob (natural log, summed over the"
                                + " behaviour's scored tokens): the exact counterfactual's"
                                + " against the method's estimate on the exact run's full"
                                + " canary; correlations over pairs with 95 % percentile"
                                + " bootstrap intervals ("
                                + InfluenceAgreement.RESAMPLES
                                + " resamples of pairs, seed "
                                + o.seed()
                                + "); top-k agreement per behaviour over its metered works",
                        List.copyOf(methods));
        Records.write(out.resolve(Records.fileName(ValidationSummary.class)), summary);
        manifest.input("exact/" + influenceFile.getFileName(), influenceFile);
        manifest.seeds(Map.of("seed", o.seed()));
        manifest.write(out, config);
        return summary;
    }

    /** One method's agreement with the exact lines, over the pairs both have. */
    static ValidationSummary.MethodAgreement agreement(
            String method,
            List<InfluenceRecord> est,
            Map<String, InfluenceRecord> truth,
            int topK,
            long seed,
            double seconds) {
        List<InfluenceAgreement.Pair> pairs = new ArrayList<>();
        int own = 0;
        int ownRight = 0;
        for (InfluenceRecord a : est) {
            InfluenceRecord e = truth.get(a.workId() + "\u0000" + a.behaviourId());
            if (e == null) {
                continue;
            }
            pairs.add(
                    new InfluenceAgreement.Pair(
                            a.workId(), a.behaviourId(), e.deltaLogprob(), a.deltaLogprob()));
            if (e.behaviourKind().equals("own")) {
                own++;
                if (Math.signum(e.deltaLogprob()) == Math.signum(a.deltaLogprob())) {
                    ownRight++;
                }
            }
        }
        if (pairs.size() < 3) {
            throw MemauditException.integrity(
                    method
                            + ": "
                            + pairs.size()
                            + " (work, behaviour) pairs in common with the exact run; at least 3"
                            + " are needed to compare");
        }
        InfluenceAgreement.Result r = InfluenceAgreement.of(pairs, topK, seed);
        return new ValidationSummary.MethodAgreement(
                method,
                method,
                (int) pairs.stream().map(InfluenceAgreement.Pair::work).distinct().count(),
                (int) pairs.stream().map(InfluenceAgreement.Pair::behaviour).distinct().count(),
                pairs.size(),
                new ValidationSummary.Estimate(r.pearson(), r.pearsonLow(), r.pearsonHigh()),
                new ValidationSummary.Estimate(r.spearman(), r.spearmanLow(), r.spearmanHigh()),
                topK,
                r.topKAgreement(),
                r.topKBehaviours(),
                own == 0 ? null : (double) ownRight / own,
                seconds);
    }
}
