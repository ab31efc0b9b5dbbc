package dev.memaudit.extractor.campaign;

import dev.memaudit.core.text.CodePoints;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.TokenizationPlan;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds a campaign's prompts from the indexed works (controls left out), per tier:
 *
 * <ul>
 *   <li>{@code plain}: the work's first {@code openingTokens} model tokens, as original text;
 *   <li>{@code instruction}: {@code Continue this passage from "<title>" by <authors>:} then a
 *       blank line and the same opening;
 *   <li>{@code title}: {@code <title>} then {@code by <authors>} and a blank line;
 *   <li>{@code unconditioned}: one empty prompt for the whole campaign.
 * </ul>
 */
public final class PromptSet {
    private PromptSet() {}

    /**
     * @param works work ids to use, or null for every non-control work
     */
    public static List<CampaignPrompt> build(
            NgramIndex index,
            ModelTokenizer tokenizer,
            Set<Tier> tiers,
            int openingTokens,
            List<String> works) {
        return build(
                index,
                tokenizer,
                tiers,
                openingTokens,
                works,
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    }

    /**
     * Like {@link #build(NgramIndex, ModelTokenizer, Set, int, List)}, printing to {@code err} what
     * tokenizing the works costs when the tokenizer is behind a server.
     */
    public static List<CampaignPrompt> build(
            NgramIndex index,
            ModelTokenizer tokenizer,
            Set<Tier> tiers,
            int openingTokens,
            List<String> works,
            PrintStream err) {
        List<IndexManifest.WorkInfo> chosen = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (IndexManifest.WorkInfo w : index.manifest().works()) {
            if ("control".equals(w.role()) || (works != null && !works.contains(w.id()))) {
                continue;
            }
            int ord = index.store().ordinal(w.id());
            if (ord < 0) {
                continue;
            }
            chosen.add(w);
            texts.add(index.store().text(ord));
        }
        // only the opening tiers need the works' tokens
        boolean openings = tiers.contains(Tier.PLAIN) || tiers.contains(Tier.INSTRUCTION);
        if (openings) {
            TokenizationPlan.announce(tokenizer, texts, err);
        }
        List<CampaignPrompt> out = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            IndexManifest.WorkInfo w = chosen.get(i);
            String text = texts.get(i);
            String opening = "";
            if (openings) {
                TokenizedWork tw = WindowPlanner.tokenize(tokenizer, w.id(), text);
                int n = Math.min(openingTokens, tw.length());
                opening = n == 0 ? "" : CodePoints.substring(text, 0, tw.charEnd(0, n));
            }
            String title = w.title() == null || w.title().isBlank() ? w.id() : w.title();
            String by =
                    w.authors() == null || w.authors().isEmpty()
                            ? ""
                            : " by " + String.join(", ", w.authors());
            if (tiers.contains(Tier.PLAIN) && !opening.isEmpty()) {
                out.add(new CampaignPrompt("plain:" + w.id(), Tier.PLAIN, w.id(), opening));
            }
            if (tiers.contains(Tier.INSTRUCTION) && !opening.isEmpty()) {
                out.add(
                        new CampaignPrompt(
                                "instruction:" + w.id(),
                                Tier.INSTRUCTION,
                                w.id(),
                                "Continue this passage from \""
                                        + title
                                        + "\""
                                        + by
                                        + ":\n\n"
                                        + opening));
            }
            if (tiers.contains(Tier.TITLE)) {
                out.add(
                        new CampaignPrompt(
                                "title:" + w.id(),
                                Tier.TITLE,
                                w.id(),
                                title + (by.isEmpty() ? "" : "\n" + by.trim()) + "\n\n"));
            }
        }
        if (tiers.contains(Tier.UNCONDITIONED)) {
            out.add(new CampaignPrompt("unconditioned", Tier.UNCONDITIONED, null, ""));
        }
        return out;
    }
}
