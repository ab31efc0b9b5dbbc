package dev.memaudit.model.influence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.JsonlReader;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Behaviours: reading them from a file, tokenizing them and scoring them on a model.
 *
 * <p>Tokenization: the prompt and the text are tokenized apart and concatenated (the boundary is
 * the behaviour's, not the tokenizer's). A behaviour longer than the model's context keeps its text
 * and loses the start of its prompt; a text that does not fit with one token before it is refused.
 */
public final class Behaviours {
    /** Kinds of behaviour. */
    public static final Set<String> KINDS =
            Set.of("own", "style", "generation", "unrelated", "given");

    /** Sequences scored in one call. */
    private static final int BATCH = 16;

    private Behaviours() {}

    /**
     * Reads {@code {id, prompt?, text, kind?, work_id?}} lines; kind defaults to {@code given}.
     *
     * @throws MemauditException bad input naming the file and line: a bad line, a missing or empty
     *     text, a duplicate id, an unknown kind
     */
    public static List<Behaviour> read(Path file) {
        List<Behaviour> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (JsonlReader r = new JsonlReader(file)) {
            for (JsonlReader.Line line = r.next(); line != null; line = r.next()) {
                String where = file + ":" + line.number() + ": ";
                if (line.problem() != null) {
                    throw MemauditException.badInput(where + line.problem());
                }
                JsonNode n = line.object();
                String text = textField(n, "text", where);
                if (text == null || text.isBlank()) {
                    throw MemauditException.badInput(where + "no \"text\" (or it is empty)");
                }
                String id = textField(n, "id", where);
                if (id == null || id.isBlank()) {
                    throw MemauditException.badInput(where + "no \"id\"");
                }
                if (!ids.add(id)) {
                    throw MemauditException.badInput(where + "behaviour id " + id + " repeats");
                }
                String kind = textField(n, "kind", where);
                kind = kind == null ? "given" : kind;
                if (!KINDS.contains(kind)) {
                    throw MemauditException.badInput(
                            where + "kind must be one of " + KINDS + ", got " + kind);
                }
                out.add(
                        new Behaviour(
                                id,
                                textField(n, "prompt", where),
                                text,
                                kind,
                                textField(n, "work_id", where)));
            }
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw MemauditException.badInput(file + ": no behaviours");
        }
        return out;
    }

    private static String textField(JsonNode n, String name, String where) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw MemauditException.badInput(where + "\"" + name + "\" must be a string");
        }
        return v.asText();
    }

    /**
     * Tokenizes a behaviour for a model of context {@code maxLength}.
     *
     * @return the tokens, or null when its text alone does not fit (the caller skips it, saying so)
     */
    public static TokenizedBehaviour tokenize(ModelTokenizer tok, Behaviour b, int maxLength) {
        int[] text = tok.encodeIds(b.text());
        int[] prompt =
                b.prompt() == null || b.prompt().isEmpty() ? new int[0] : tok.encodeIds(b.prompt());
        if (text.length == 0 || text.length + (prompt.length > 0 ? 1 : 0) > maxLength) {
            return null;
        }
        int keep = Math.min(prompt.length, maxLength - text.length);
        int[] all = new int[keep + text.length];
        System.arraycopy(prompt, prompt.length - keep, all, 0, keep);
        System.arraycopy(text, 0, all, keep, text.length);
        if (keep == 0 && text.length < 2) {
            return null; // one token and nothing before it: nothing to score
        }
        return new TokenizedBehaviour(b, all, Math.max(1, keep));
    }

    /** log p(text | prompt) of each behaviour, natural log, summed over its scored tokens. */
    public static double[] logprobs(LanguageModel model, List<TokenizedBehaviour> behaviours) {
        double[] out = new double[behaviours.size()];
        for (int from = 0; from < behaviours.size(); from += BATCH) {
            List<TokenizedBehaviour> part =
                    behaviours.subList(from, Math.min(behaviours.size(), from + BATCH));
            List<int[]> seqs = part.stream().map(TokenizedBehaviour::tokens).toList();
            List<ScoredSequence> scored = model.score(seqs, false);
            for (int i = 0; i < part.size(); i++) {
                float[] lp = scored.get(i).logprobs();
                double s = 0;
                for (int j = part.get(i).scoredFrom(); j < lp.length; j++) {
                    s += lp[j];
                }
                out[from + i] = s;
            }
        }
        return out;
    }
}
