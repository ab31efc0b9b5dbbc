package dev.memaudit.model.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads the log-prob shapes that OpenAI-compatible servers put in a {@code /v1/completions} choice:
 *
 * <ul>
 *   <li>OpenAI legacy (vLLM, our {@code serve}): {@code logprobs: {tokens, token_logprobs,
 *       top_logprobs: [{token: lp}], text_offset}}; with vLLM's {@code return_tokens_as_token_ids}
 *       the tokens read {@code "token_id:N"};
 *   <li>llama.cpp: {@code logprobs: {content: [{id, token, logprob, top_logprobs: [{id, token,
 *       logprob}]}]}} (and {@code completion_probabilities} of its native endpoint);
 *   <li>vLLM prompt log-probs: {@code prompt_logprobs: [null, {"<id>": {logprob, rank,
 *       decoded_token}}, …]}.
 * </ul>
 *
 * Anything else is a protocol error for the caller to report.
 */
public final class CompletionsResponses {
    private CompletionsResponses() {}

    /** The parsed {@code choices[i].logprobs}, or null when the choice has none. */
    public static List<TokenLogprob> logprobs(JsonNode choice) {
        JsonNode lp = choice.path("logprobs");
        if (lp.isMissingNode() || lp.isNull()) {
            JsonNode native0 = choice.path("completion_probabilities");
            return native0.isArray() ? contentList(native0) : null;
        }
        if (lp.path("content").isArray()) {
            return contentList(lp.path("content"));
        }
        JsonNode tokens = lp.path("tokens");
        JsonNode values = lp.path("token_logprobs");
        if (!tokens.isArray() || !values.isArray() || tokens.size() != values.size()) {
            throw new IllegalArgumentException(
                    "logprobs has neither content[] nor tokens[] and token_logprobs[] of one length");
        }
        JsonNode tops = lp.path("top_logprobs");
        List<TokenLogprob> out = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            String tok = tokens.get(i).asText();
            JsonNode v = values.get(i);
            double[] top = new double[0];
            JsonNode t = tops.isArray() && i < tops.size() ? tops.get(i) : null;
            if (t != null && t.isObject()) {
                top = new double[t.size()];
                int k = 0;
                for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                    top[k++] = number(it.next().getValue());
                }
                top = sortedDescending(top);
            }
            out.add(new TokenLogprob(tokenIdOf(tok), tok, number(v), 0, top));
        }
        return out;
    }

    /**
     * vLLM's {@code choices[i].prompt_logprobs} for the prompt {@code ids}, or null when absent.
     *
     * @throws IllegalArgumentException when an entry lacks the prompt's own token
     */
    public static List<TokenLogprob> promptLogprobs(JsonNode choice, int[] ids) {
        JsonNode pl = choice.path("prompt_logprobs");
        if (!pl.isArray()) {
            return null;
        }
        List<TokenLogprob> out = new ArrayList<>(pl.size());
        for (int i = 0; i < pl.size(); i++) {
            JsonNode e = pl.get(i);
            if (e == null || e.isNull()) {
                out.add(
                        new TokenLogprob(
                                i < ids.length ? ids[i] : -1, "", Double.NaN, 0, new double[0]));
                continue;
            }
            if (i >= ids.length) {
                break;
            }
            JsonNode own = e.path(Integer.toString(ids[i]));
            if (!own.isObject()) {
                throw new IllegalArgumentException(
                        "prompt_logprobs[" + i + "] does not contain the prompt token " + ids[i]);
            }
            double[] top = new double[e.size()];
            int k = 0;
            for (Iterator<JsonNode> it = e.elements(); it.hasNext(); ) {
                top[k++] = number(it.next().path("logprob"));
            }
            out.add(
                    new TokenLogprob(
                            ids[i],
                            own.path("decoded_token").asText(""),
                            number(own.path("logprob")),
                            own.path("rank").asInt(0),
                            sortedDescending(top)));
        }
        return out;
    }

    private static List<TokenLogprob> contentList(JsonNode content) {
        List<TokenLogprob> out = new ArrayList<>(content.size());
        for (JsonNode c : content) {
            JsonNode tops = c.path("top_logprobs");
            if (!tops.isArray()) {
                tops = c.path("probs"); // older llama.cpp: probabilities, not log-probs
            }
            double[] top = new double[tops.size()];
            for (int k = 0; k < top.length; k++) {
                JsonNode t = tops.get(k);
                top[k] =
                        t.has("logprob")
                                ? number(t.path("logprob"))
                                : Math.log(number(t.path("prob")));
            }
            String tok = c.path("token").asText(c.path("content").asText(""));
            int id = c.path("id").isInt() ? c.path("id").asInt() : tokenIdOf(tok);
            double lp = c.has("logprob") ? number(c.path("logprob")) : Double.NaN;
            out.add(new TokenLogprob(id, tok, lp, 0, sortedDescending(top)));
        }
        return out;
    }

    /** The id in a {@code "token_id:N"} string, else -1. */
    static int tokenIdOf(String token) {
        if (token.startsWith("token_id:")) {
            try {
                return Integer.parseInt(token.substring("token_id:".length()));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private static double number(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return Double.NaN;
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isTextual()) { // "-Infinity" from servers that write non-finite values as strings
            String s = n.asText();
            if (s.equals("-Infinity") || s.equals("-inf")) {
                return Double.NEGATIVE_INFINITY;
            }
        }
        throw new IllegalArgumentException("expected a number, got " + n);
    }

    private static double[] sortedDescending(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        for (int i = 0, j = s.length - 1; i < j; i++, j--) {
            double t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }
}
