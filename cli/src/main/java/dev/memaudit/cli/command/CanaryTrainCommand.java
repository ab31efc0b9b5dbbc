package dev.memaudit.cli.command;

import dev.memaudit.audit.canary.CanaryTraining;
import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryResult;
import dev.memaudit.model.runtime.Architecture;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit canary train}. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train a small model on a corpus with known membership: each member work seen as"
                    + " many times as its dose, the others (dose 0) never; with --background, the"
                    + " model learns language from background text and the member copies are mixed"
                    + " into it at random positions. Writes a Hugging Face folder (config.json,"
                    + " model.safetensors, tokenizer.json) and membership.json."
        })
public final class CanaryTrainCommand implements Callable<Integer> {
    /** The architectures a canary can have, as the CLI names them. */
    public enum Arch {
        llama(Architecture.LLAMA),
        gpt2(Architecture.GPT2),
        gpt_neox(Architecture.GPT_NEOX);

        final Architecture arch;

        Arch(Architecture arch) {
            this.arch = arch;
        }
    }

    @Spec CommandSpec spec;

    @Option(
            names = "--corpus",
            required = true,
            paramLabel = "<dir|corpus.yaml>",
            description = "Corpus whose works are members or non-members.")
    Path corpus;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<model-dir>",
            description = "Output folder (must not exist or be empty).")
    Path out;

    @Option(
            names = "--members",
            split = ",",
            paramLabel = "<id[:dose]>",
            description =
                    "Member works, each id with its dose (id:16) or at --repeat (id); works not"
                            + " named are held out (default: a seeded random --member-fraction of"
                            + " the works at --repeat).")
    List<String> members;

    @Option(
            names = "--doses",
            split = ",",
            paramLabel = "<n>",
            description =
                    "A dose ladder (e.g. 0,1,4,16,64): every work gets a dose round-robin in a"
                            + " seeded random order; dose 0 works are held out (in-distribution"
                            + " non-members).")
    List<Integer> doses;

    @Option(
            names = "--background",
            paramLabel = "<dir|corpus.yaml>",
            description =
                    "Background text the model learns language from (never a member, control or"
                            + " audited work; a file containing one of the works is left out).")
    Path background;

    @Option(
            names = "--background-tokens",
            paramLabel = "<n>",
            description =
                    "Most background tokens trained on, drawn in pieces from all files (default"
                            + " 2,000,000).")
    Long backgroundTokens;

    @Option(
            names = "--member-fraction",
            description =
                    "Share of works chosen as members when --members is not given (default 0.5).")
    Double memberFraction;

    @Option(names = "--repeat", description = "Times each member work appears in training.")
    Integer repeat;

    @Option(
            names = {"--arch"},
            description = "Architecture: ${COMPLETION-CANDIDATES} (default llama).")
    Arch arch;

    @Option(
            names = "--steps",
            description = "Optimizer steps (default: one pass over the repeated members).")
    Integer steps;

    @Option(
            names = "--layers",
            description =
                    "Transformer blocks (default 4; 2 train about twice as fast and still memorize"
                            + " members repeated 100 times).")
    Integer layers;

    @Option(names = "--seed", description = "Seed of membership, initialization and data order.")
    Long seed;

    @Option(
            names = "--batch",
            description =
                    "Windows per optimizer step, the effective batch (default 4; 16 with"
                            + " --background).")
    Integer batch;

    @Option(
            names = "--micro-batch",
            description =
                    "Windows per forward/backward pass, gradients accumulated over the step; must"
                            + " divide --batch (default: the whole batch). Changes memory and"
                            + " speed, not the update.")
    Integer microBatch;

    @Option(
            names = "--context",
            description = "Training window and model context in tokens (default 128).")
    Integer context;

    @Option(names = "--learning-rate", description = "Peak learning rate (default 3e-3).")
    Double learningRate;

    @Option(
            names = "--weight-decay",
            description =
                    "Decoupled (AdamW) weight decay of the weight matrices (default 0: plain"
                            + " Adam).")
    Double weightDecay;

    @Option(
            names = "--warmup-steps",
            description =
                    "Linear learning-rate warm-up steps (default: a tenth of the steps, at most"
                            + " 50).")
    Integer warmupSteps;

    @Option(
            names = "--min-lr-fraction",
            description =
                    "Share of the peak rate the cosine decay ends at, last step (default 0.1).")
    Double minLrFraction;

    @Option(
            names = "--clip-norm",
            description = "Global gradient-norm clipping threshold; 0 = none (default 1).")
    Double clipNorm;

    @Option(
            names = "--fast",
            description = "A tiny model that trains in seconds (for tests; memorizes little).")
    boolean fast;

    @Override
    public Integer call() {
        CanaryConfig cfg =
                fast
                        ? CanaryConfig.tiny()
                        : background != null ? CanaryConfig.ladder() : CanaryConfig.defaults();
        if (arch != null) {
            cfg = cfg.withArch(arch.arch);
        }
        if (members != null && doses != null) {
            throw MemauditException.usage("give --members or --doses, not both");
        }
        if (members != null && members.stream().anyMatch(m -> m.contains(":"))) {
            cfg = cfg.withMemberDoses(memberDoses(members));
        } else if (members != null) {
            cfg = cfg.withMembers(new LinkedHashSet<>(members));
        } else if (doses != null) {
            cfg = cfg.withDoses(doses);
        } else if (memberFraction != null) {
            cfg = cfg.withMemberFraction(memberFraction);
        }
        if (repeat != null) {
            cfg = cfg.withRepeat(repeat);
        }
        if (steps != null) {
            cfg = cfg.withSteps(steps);
        }
        if (seed != null) {
            cfg = cfg.withSeed(seed);
        }
        if (layers != null) {
            cfg = cfg.withLayers(layers);
        }
        CanaryConfig.Builder b = cfg.toBuilder();
        if (batch != null) {
            b.batchSize(batch);
        }
        if (microBatch != null) {
            b.microBatch(microBatch);
        }
        if (context != null) {
            b.contextLength(context);
        }
        if (learningRate != null) {
            b.learningRate(learningRate);
        }
        if (weightDecay != null) {
            b.weightDecay(weightDecay);
        }
        if (warmupSteps != null) {
            b.warmupSteps(warmupSteps);
        }
        if (minLrFraction != null) {
            b.minLearningRateFraction(minLrFraction);
        }
        if (clipNorm != null) {
            b.clipNorm(clipNorm);
        }
        if (backgroundTokens != null) {
            b.backgroundTokens(backgroundTokens);
        }
        cfg = b.build();
        PrintStream progress = WriterStream.of(spec.commandLine().getErr());
        CanaryResult r = CanaryTraining.train(cfg, corpus, background, out, progress);
        progress.flush();
        var stdout = spec.commandLine().getOut();
        stdout.printf(
                Locale.ROOT,
                "canary %s: %d steps (%d updates skipped), final loss %.4f nats/token; members %s;"
                        + " non-members %s%n",
                r.outDir(),
                r.steps(),
                r.skippedUpdates(),
                r.finalLoss(),
                withDoses(r),
                r.nonMembers());
        stdout.flush();
        return 0;
    }

    /** Members as {@code id:dose}, or plain ids when all share one dose. */
    private static List<String> withDoses(CanaryResult r) {
        long distinct = r.members().stream().map(r.doses()::get).distinct().count();
        if (distinct <= 1) {
            return r.members();
        }
        return r.members().stream().map(id -> id + ":" + r.doses().get(id)).toList();
    }

    /** {@code id:dose} or {@code id} (at --repeat) entries, by id. */
    private Map<String, Integer> memberDoses(List<String> entries) {
        return memberDoses(entries, repeat != null ? repeat : CanaryConfig.defaults().repeat());
    }

    /** {@code id:dose} or {@code id} (at {@code plainDose}) entries of --members, by id. */
    static Map<String, Integer> memberDoses(List<String> entries, int plainDose) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String e : entries) {
            int colon = e.lastIndexOf(':');
            String id = colon < 0 ? e : e.substring(0, colon);
            int dose;
            if (colon < 0) {
                dose = plainDose;
            } else {
                try {
                    dose = Integer.parseInt(e.substring(colon + 1));
                } catch (NumberFormatException x) {
                    throw MemauditException.usage(
                            "--members: " + e + ": the dose after ':' must be a whole number");
                }
            }
            if (out.put(id, dose) != null) {
                throw MemauditException.usage("--members: " + id + " is named twice");
            }
        }
        return out;
    }
}
