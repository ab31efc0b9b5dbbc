package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.run.Progress;
import dev.memaudit.extractor.campaign.CampaignPrompt;
import dev.memaudit.extractor.campaign.CampaignService;
import dev.memaudit.extractor.campaign.PromptSet;
import dev.memaudit.extractor.campaign.Tier;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelJsonl;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit sample}. */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description = {
            "Generate from a model: --n samples per prompt, or --n unconditioned samples.",
            "Writes {id, prompt, completion, token_ids, logprobs, seed, settings} per line, which"
                    + " `memaudit scan` reads (completion is the text scanned).",
            "With --campaign, the prompts come from the indexed works by tier (plain openings,"
                    + " instructions naming the work, titles, unconditioned) and --out is a run"
                    + " folder: generations.jsonl (each line with its tier and work_id),"
                    + " sample.json and manifest.json; --resume continues a killed campaign."
        })
public final class SampleCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption model;

    @Option(
            names = "--n",
            required = true,
            description = "Samples per prompt (or in all, without prompts).")
    int n;

    @Option(
            names = "--prompts",
            paramLabel = "<file>",
            description = "JSONL with id and prompt, or a text file with one prompt per line.")
    Path prompts;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "64",
            description = "Tokens generated per sample (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(
            names = "--temperature",
            defaultValue = "1.0",
            description = "Sampling temperature; 0 = greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(
            names = "--top-k",
            defaultValue = "0",
            description = "Keep the k most likely tokens; 0 = off (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1.0",
            description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
    double topP;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed; sample k of a prompt uses seed + k (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--batch",
            defaultValue = "8",
            description = "Rows generated together (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<file.jsonl|dir>",
            description = "Where to write the samples (a run folder with --campaign).")
    Path out;

    @Option(
            names = "--campaign",
            description = "Sample a prompt set built from the works of --index, by --tiers.")
    boolean campaign;

    @Option(
            names = "--index",
            paramLabel = "<dir>",
            description = "Index whose works give the campaign's prompts.")
    Path index;

    @Option(
            names = "--tiers",
            split = ",",
            defaultValue = "plain,instruction,title,unconditioned",
            paramLabel = "<tier>",
            description = "Campaign prompt tiers (default ${DEFAULT-VALUE}).")
    List<String> tiers;

    @Option(
            names = "--opening-tokens",
            defaultValue = "32",
            description =
                    "Model tokens of a work's opening in plain and instruction prompts (default"
                            + " ${DEFAULT-VALUE}).")
    int openingTokens;

    @Option(
            names = "--works",
            split = ",",
            paramLabel = "<id>",
            description = "Campaign works (default: every work of the index, no controls).")
    List<String> works;

    @Option(names = "--resume", description = "Continue the campaign in --out.")
    boolean resume;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        GenerationSettings settings =
                new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, true);
        if (campaign) {
            return campaign(settings);
        }
        if (index != null || resume || works != null) {
            throw MemauditException.usage("--index, --works and --resume need --campaign");
        }
        List<ModelJsonl.Prompt> list =
                prompts == null ? List.of() : ModelJsonl.readPrompts(prompts);
        try (LanguageModel m = model.open()) {
            ModelJsonl.Summary s =
                    ModelJsonl.sample(m, list, n, settings, batch, out, WriterStream.of(err));
            s.failures().forEach(f -> err.println("memaudit: " + f));
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "wrote %d samples to %s; %d failed%n",
                            s.written(),
                            out,
                            s.failed());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private int campaign(GenerationSettings settings) {
        if (index == null) {
            throw MemauditException.usage("--campaign needs --index");
        }
        if (prompts != null) {
            throw MemauditException.usage("--campaign builds its prompts; drop --prompts");
        }
        Set<Tier> tierSet = EnumSet.noneOf(Tier.class);
        for (String t : tiers) {
            tierSet.add(Tier.parse(t));
        }
        PrintStream err = WriterStream.of(spec.commandLine().getErr());
        CampaignService.Summary s =
                model.withIndex(
                        index,
                        (idx, m) -> {
                            List<CampaignPrompt> set =
                                    PromptSet.build(
                                            idx, m.tokenizer(), tierSet, openingTokens, works, err);
                            return new CampaignService(
                                            Clock.systemUTC(), err, Progress.stderrIsTerminal())
                                    .run(
                                            m,
                                            set,
                                            n,
                                            settings,
                                            batch,
                                            out,
                                            resume,
                                            spec.commandLine().getParseResult().originalArgs());
                        });
        err.flush();
        spec.commandLine()
                .getOut()
                .printf(
                        Locale.ROOT,
                        "wrote %d samples (%d now) to %s/generations.jsonl; per tier %s%n",
                        s.generations(),
                        s.generatedNow(),
                        out,
                        s.perTier());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
