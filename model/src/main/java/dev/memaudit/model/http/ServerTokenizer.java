package dev.memaudit.model.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.model.Encoded;
import dev.memaudit.model.ModelTokenizer;
import java.nio.file.Path;

/**
 * The served model's own tokenizer, through {@code POST /tokenize} ({@code {model, prompt,
 * add_special_tokens: false}} → {@code {tokens}}) and {@code POST /detokenize} ({@code {model,
 * tokens}} → {@code {prompt}}), which vLLM and {@code memaudit serve} offer; llama.cpp's field
 * names ({@code content}, {@code add_special}) are sent too and its {@code content} answer read.
 * One request per call; {@link #encode} also decodes every prefix to find code-point offsets (n
 * requests for n tokens), so give a local {@code tokenizer.json} for offset-heavy work.
 */
public final class ServerTokenizer extends ModelTokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CompletionsClient client;
    private final String model;
    private final int vocabSize;

    /**
     * @param vocabSize the model's vocabulary size when the server said it, else 0 (unknown)
     */
    public ServerTokenizer(CompletionsClient client, String model, int vocabSize) {
        this.client = client;
        this.model = model;
        this.vocabSize = vocabSize;
    }

    /** No file: the tokenizer runs on the server. */
    @Override
    public Path file() {
        return null;
    }

    /** The vocabulary size the server reported, or 0 when unknown. */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /** The id when the server tokenizes {@code content} to exactly one token, else -1. */
    @Override
    public int specialTokenId(String content) {
        int[] ids = encodeIds(content);
        return ids.length == 1 ? ids[0] : -1;
    }

    @Override
    public int[] encodeIds(String text) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("prompt", text);
        body.put("add_special_tokens", false);
        // llama.cpp's names for the same fields
        body.put("content", text);
        body.put("add_special", false);
        JsonNode r = client.post("/tokenize", body);
        JsonNode tokens = r.path("tokens");
        if (!tokens.isArray()) {
            throw new EndpointException(
                    -1, client.config().base() + "/tokenize: the answer has no tokens[]", null);
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i).asInt();
        }
        return ids;
    }

    @Override
    public Encoded encode(String text) {
        int[] ids = encodeIds(text);
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        int total = text.codePointCount(0, text.length());
        int prev = 0;
        for (int i = 0; i < ids.length; i++) {
            String prefix = decode(java.util.Arrays.copyOf(ids, i + 1));
            // a prefix ending inside a multi-byte character decodes with a replacement char
            int end = prefix.endsWith("\uFFFD") && i + 1 < ids.length ? -1 : cpLength(prefix);
            starts[i] = prev;
            ends[i] = end < 0 ? -1 : Math.min(total, end);
            if (end >= 0) {
                // pieces of one character share its span
                for (int j = i - 1; j >= 0 && ends[j] == -1; j--) {
                    ends[j] = ends[i];
                    starts[i] = starts[j];
                }
                prev = ends[i];
            }
        }
        return new Encoded(ids, starts, ends);
    }

    private static int cpLength(String s) {
        return s.codePointCount(0, s.length());
    }

    @Override
    public String decode(int[] ids) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode t = body.putArray("tokens");
        for (int id : ids) {
            t.add(id);
        }
        JsonNode r = client.post("/detokenize", body);
        JsonNode text = r.path("prompt").isTextual() ? r.path("prompt") : r.path("content");
        if (!text.isTextual()) {
            throw new EndpointException(
                    -1,
                    client.config().base() + "/detokenize: the answer has no prompt (or content)",
                    null);
        }
        return text.asText();
    }

    @Override
    public void close() {
        // the client belongs to the model
    }
}
