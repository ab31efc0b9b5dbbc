package dev.memaudit.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.run.StageStop;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code score} and {@code sample} services over JSONL files, in the shapes of DESIGN.md.
 *
 * <p>score: input lines {@code {id, text}}; output lines {@code {id, token_ids, logprobs, ranks,
 * nll}} where {@code logprobs[i]} is ln p(token i | tokens before it) and {@code logprobs[0]} and
 * {@code ranks[0]} are null; a rank is also null where a remote backend only says it lies beyond
 * its top-k list (see {@link Capabilities}). Texts longer than the model's context are scored in
 * windows of the full context advancing by half of it, so every token has at least half a context
 * of history; such lines carry {@code "window": <tokens>}.
 *
 * <p>sample: output lines {@code {id, prompt, completion, token_ids, logprobs, seed, settings}}.
 * Sample k (0-based, over the whole run) uses seed {@link LanguageModel#rowSeed rowSeed(seed, k)},
 * the value written in its {@code seed} field, so any sample can be reproduced alone.
 */
public final class ModelJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelJsonl() {}

    /** Counts of a batch run. */
    public record Summary(int written, int failed, List<String> failures) {}

    /** A prompt to continue. */
    public record Prompt(String id, String text) {}

    /**
     * Scores every text of a JSONL file. Lines that cannot be scored (bad JSON, no text) are
     * counted and reported, not fatal. A backend failure stops the run (exit 4) with every score
     * already written kept and nothing written for the failed batch.
     *
     * @param batchSize texts scored together
     */
    public static Summary score(
            LanguageModel model, Path texts, Path out, int batchSize, PrintStream progress) {
        List<String> failures = new ArrayList<>();
        int written = 0;
        try (BufferedReader in = Files.newBufferedReader(texts, StandardCharsets.UTF_8);
                BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            List<String> ids = new ArrayList<>();
            List<int[]> tokens = new ArrayList<>();
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    failures.add(texts + ":" + lineNo + ": not JSON: " + e.getOriginalMessage());
                    continue;
                }
                if (!n.path("text").isTextual() || n.path("text").asText().isEmpty()) {
                    failures.add(texts + ":" + lineNo + ": no non-empty \"text\" field");
                    continue;
                }
                String id = n.path("id").isMissingNode() ? "line-" + lineNo : n.path("id").asText();
                int[] ids0 = model.tokenizer().encodeIds(n.path("text").asText());
                if (ids0.length == 0) {
                    failures.add(texts + ":" + lineNo + ": text has no tokens");
                    continue;
                }
                ids.add(id);
                tokens.add(ids0);
                if (ids.size() == batchSize) {
                    written += flushScoresOrStop(model, ids, tokens, w, written, out);
                    progress.printf(Locale.ROOT, "scored %d texts%n", written);
                }
            }
            written += flushScoresOrStop(model, ids, tokens, w, written, out);
        } catch (IOException e) {
            throw MemauditException.badInput(
                    texts + " → " + out + ": I/O error: " + e.getMessage(), e);
        }
        progress.printf(Locale.ROOT, "scored %d texts, %d failed%n", written, failures.size());
        failures.forEach(progress::println);
        return new Summary(written, failures.size(), List.copyOf(failures));
    }

    private static int flushScoresOrStop(
            LanguageModel model,
            List<String> ids,
            List<int[]> tokens,
            BufferedWriter w,
            int written,
            Path out)
            throws IOException {
        try {
            return flushScores(model, ids, tokens, w);
        } catch (RuntimeException e) {
            if (StageStop.isBackendFailure(e)) {
                w.flush();
                throw StageStop.backend("score", written, -1, "texts", out, false, e);
            }
            throw e;
        }
    }

    private static int flushScores(
            LanguageModel model, List<String> ids, List<int[]> tokens, BufferedWriter w)
            throws IOException {
        List<ScoredSequence> scored = scoreLong(model, tokens);
        for (int i = 0; i < ids.size(); i++) {
            ScoredSequence s = scored.get(i);
            ObjectNode o = JSON.createObjectNode();
            o.put("id", ids.get(i));
            ArrayNode t = o.putArray("token_ids");
            for (int id : s.tokenIds()) {
                t.add(id);
            }
            ArrayNode lp = o.putArray("logprobs");
            ArrayNode rk = o.putArray("ranks");
            lp.addNull();
            rk.addNull();
            for (int j = 1; j < s.length(); j++) {
                lp.add(s.logprobs()[j]);
                if (s.ranks()[j] == 0) {
                    rk.addNull(); // beyond the top-k a remote server returned: unknown
                } else {
                    rk.add(s.ranks()[j]);
                }
            }
            double nll = s.nll();
            if (Double.isNaN(nll)) {
                o.putNull("nll");
            } else {
                o.put("nll", nll);
            }
            if (s.length() > model.maxSequenceLength()) {
                o.put("window", model.maxSequenceLength());
            }
            w.write(JSON.writeValueAsString(o));
            w.newLine();
        }
        int n = ids.size();
        ids.clear();
        tokens.clear();
        return n;
    }

    /**
     * Scores sequences of any length: those longer than the context are scored in windows of the
     * full context advancing by half of it; each position takes its values from the first window in
     * which it has at least half a context of history (or from the first window).
     */
    public static List<ScoredSequence> scoreLong(LanguageModel model, List<int[]> sequences) {
        int max = model.maxSequenceLength();
        int half = Math.max(1, max / 2);
        List<int[]> windows = new ArrayList<>();
        List<int[]> owners = new ArrayList<>(); // {sequence, window start}
        for (int i = 0; i < sequences.size(); i++) {
            int[] s = sequences.get(i);
            if (s.length <= max) {
                windows.add(s);
                owners.add(new int[] {i, 0});
                continue;
            }
            for (int start = 0; ; start += half) {
                int end = Math.min(s.length, start + max);
                windows.add(Arrays.copyOfRange(s, start, end));
                owners.add(new int[] {i, start});
                if (end == s.length) {
                    break;
                }
            }
        }
        List<ScoredSequence> scored = model.score(windows, false);
        float[][] lp = new float[sequences.size()][];
        int[][] rk = new int[sequences.size()][];
        for (int i = 0; i < sequences.size(); i++) {
            lp[i] = new float[sequences.get(i).length];
            rk[i] = new int[sequences.get(i).length];
            lp[i][0] = Float.NaN;
        }
        for (int k = 0; k < windows.size(); k++) {
            int seq = owners.get(k)[0];
            int start = owners.get(k)[1];
            ScoredSequence s = scored.get(k);
            int from = start == 0 ? 1 : half;
            for (int j = from; j < s.length(); j++) {
                lp[seq][start + j] = s.logprobs()[j];
                rk[seq][start + j] = s.ranks()[j];
            }
        }
        List<ScoredSequence> out = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            out.add(
                    new ScoredSequence(
                            sequences.get(i).clone(), lp[i], rk[i], null, null, null, null));
        }
        return out;
    }

    /** Reads prompts: JSONL with {@code id} and {@code prompt}, or plain text, one per line. */
    public static List<Prompt> readPrompts(Path file) {
        List<Prompt> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot read: " + e.getMessage(), e);
        }
        boolean jsonl = file.getFileName().toString().endsWith(".jsonl");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (!jsonl) {
                out.add(new Prompt("prompt-" + (i + 1), line));
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw MemauditException.badInput(
                        file + ":" + (i + 1) + ": not JSON: " + e.getOriginalMessage());
            }
            if (!n.path("prompt").isTextual()) {
                throw MemauditException.badInput(file + ":" + (i + 1) + ": no \"prompt\" field");
            }
            String id = n.path("id").isMissingNode() ? "prompt-" + (i + 1) : n.path("id").asText();
            out.add(new Prompt(id, n.path("prompt").asText()));
        }
        return out;
    }

    /**
     * Writes {@code n} samples per prompt, or {@code n} unconditioned samples (from the
     * beginning-of-sequence token) when {@code prompts} is empty. Sample ids: {@code <prompt
     * id>#<k>} or {@code sample-<k>}.
     *
     * @param batchSize rows generated together
     */
    public static Summary sample(
            LanguageModel model,
            List<Prompt> prompts,
            int n,
            GenerationSettings settings,
            int batchSize,
            Path out,
            PrintStream progress) {
        if (n < 1) {
            throw MemauditException.usage("--n must be at least 1, got " + n);
        }
        List<String> ids = new ArrayList<>();
        List<Prompt> rows = new ArrayList<>();
        if (prompts.isEmpty()) {
            for (int k = 0; k < n; k++) {
                ids.add("sample-" + k);
                rows.add(new Prompt("", ""));
            }
        } else {
            for (Prompt p : prompts) {
                for (int k = 0; k < n; k++) {
                    ids.add(p.id() + "#" + k);
                    rows.add(p);
                }
            }
        }
        ObjectNode settingsJson = JSON.createObjectNode();
        settingsJson.put("max_new_tokens", settings.maxNewTokens());
        settingsJson.put("temperature", settings.temperature());
        settingsJson.put("top_k", settings.topK());
        settingsJson.put("top_p", settings.topP());
        settingsJson.put("stop_at_eos", settings.stopAtEos());
        settingsJson.put("base_seed", settings.seed());
        int written = 0;
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int start = 0; start < rows.size(); start += batchSize) {
                int end = Math.min(rows.size(), start + batchSize);
                List<int[]> prefixes = new ArrayList<>();
                long[] seeds = new long[end - start];
                for (int k = start; k < end; k++) {
                    prefixes.add(model.tokenizer().encodeIds(rows.get(k).text()));
                    seeds[k - start] = LanguageModel.rowSeed(settings.seed(), k);
                }
                List<Generation> gens;
                try {
                    gens = model.generate(prefixes, seeds, settings);
                } catch (RuntimeException e) {
                    if (StageStop.isBackendFailure(e)) {
                        w.flush();
                        throw StageStop.backend(
                                "sample", written, rows.size(), "samples", out, false, e);
                    }
                    throw e;
                }
                for (int k = start; k < end; k++) {
                    Generation g = gens.get(k - start);
                    ObjectNode o = JSON.createObjectNode();
                    o.put("id", ids.get(k));
                    o.put("prompt", rows.get(k).text());
                    o.put("completion", model.tokenizer().decode(g.tokens()));
                    ArrayNode t = o.putArray("token_ids");
                    for (int id : g.tokens()) {
                        t.add(id);
                    }
                    ArrayNode lp = o.putArray("logprobs");
                    for (float x : g.logprobs()) {
                        lp.add(x);
                    }
                    o.put("seed", seeds[k - start]);
                    o.put("stopped_at_eos", g.stoppedAtEos());
                    o.set("settings", settingsJson);
                    w.write(JSON.writeValueAsString(o));
                    w.newLine();
                    written++;
                }
                progress.printf(Locale.ROOT, "sampled %d/%d%n", written, rows.size());
            }
        } catch (IOException e) {
            throw MemauditException.badInput(out + ": cannot write: " + e.getMessage(), e);
        }
        return new Summary(written, 0, List.of());
    }
}
