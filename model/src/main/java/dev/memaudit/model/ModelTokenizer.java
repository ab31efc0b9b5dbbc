package dev.memaudit.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} loaded through DJL's tokenizers binding, always without
 * truncation, padding or added special tokens. Offsets are Unicode code points.
 *
 * <p>Subclasses stand for tokenizers that run elsewhere (a model server's {@code /tokenize}); they
 * use the protected constructor and override every public method.
 */
public class ModelTokenizer implements AutoCloseable {
    private static final Map<String, String> OPTIONS =
            Map.of(
                    "truncation", "false",
                    "padding", "false",
                    "addSpecialTokens", "false");

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final int vocabSize;
    private final Map<String, Integer> specialTokens;

    private ModelTokenizer(
            Path file,
            HuggingFaceTokenizer tokenizer,
            int vocabSize,
            Map<String, Integer> specialTokens) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.specialTokens = specialTokens;
    }

    /** For subclasses that tokenize elsewhere: every public method must be overridden. */
    protected ModelTokenizer() {
        this(null, null, 0, Map.of());
    }

    /**
     * Loads a {@code tokenizer.json} file (never from the network).
     *
     * @throws MemauditException (bad input) when the file is missing or not a tokenizer
     */
    public static ModelTokenizer load(Path tokenizerJson) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw MemauditException.badInput(tokenizerJson + ": tokenizer file not found");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw MemauditException.badInput(
                    tokenizerJson + ": not a JSON tokenizer: " + e.getMessage(), e);
        }
        int maxId = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
                maxId = Math.max(maxId, it.next().asInt());
            }
        } else if (vocab.isArray()) {
            maxId = vocab.size() - 1; // Unigram: a list of [piece, score]
        } else {
            throw MemauditException.badInput(tokenizerJson + ": no model.vocab in tokenizer.json");
        }
        Map<String, Integer> special = new HashMap<>();
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").asInt();
            maxId = Math.max(maxId, id);
            special.put(added.path("content").asText(), id);
        }
        HuggingFaceTokenizer tok;
        try {
            // The Path overload reads the file; the String overload would query the Hub.
            tok = HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS);
        } catch (IOException | RuntimeException e) {
            throw MemauditException.badInput(
                    tokenizerJson + ": the tokenizer could not be loaded: " + e.getMessage(), e);
        }
        return new ModelTokenizer(tokenizerJson, tok, maxId + 1, Map.copyOf(special));
    }

    /** The tokenizer file. */
    public Path file() {
        return file;
    }

    /** 1 + the highest token id the tokenizer can produce (vocabulary plus added tokens). */
    public int vocabSize() {
        return vocabSize;
    }

    /** The id of an added (special) token such as {@code <|endoftext|>}, or -1. */
    public int specialTokenId(String content) {
        return specialTokens.getOrDefault(content, -1);
    }

    /** Token ids of a text, no special tokens added. */
    public int[] encodeIds(String text) {
        return toInts(tokenizer.encode(text, false, false).getIds());
    }

    /** Token ids with code-point spans. */
    public Encoded encode(String text) {
        Encoding enc = tokenizer.encode(text, false, false);
        int[] ids = toInts(enc.getIds());
        CharSpan[] spans = enc.getCharTokenSpans();
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            CharSpan span = spans[i];
            starts[i] = span == null ? -1 : span.getStart();
            ends[i] = span == null ? -1 : span.getEnd();
        }
        return new Encoded(ids, starts, ends);
    }

    /** The text of token ids (special tokens kept). */
    public String decode(int[] ids) {
        return tokenizer.decode(toLongs(ids), false);
    }

    /** The texts of several id sequences in one call, in order (special tokens kept). */
    public List<String> decode(List<int[]> batch) {
        long[][] all = new long[batch.size()][];
        for (int i = 0; i < all.length; i++) {
            all[i] = toLongs(batch.get(i));
        }
        return List.of(tokenizer.batchDecode(all, false));
    }

    /**
     * Token ids with the tokenizer's own spelling of each token (its vocabulary entry, e.g. {@code
     * Ġcat} in a byte-level vocabulary), as vLLM's {@code /tokenize} gives them with {@code
     * return_token_strs}.
     */
    public Spelled encodeSpelled(String text) {
        Encoding enc = tokenizer.encode(text, false, false);
        return new Spelled(toInts(enc.getIds()), enc.getTokens());
    }

    /**
     * Token ids and the vocabulary spelling of each token.
     *
     * @param ids token ids
     * @param tokens {@code tokens[i]} is the vocabulary entry of {@code ids[i]}
     */
    public record Spelled(int[] ids, String[] tokens) {}

    /**
     * What encoding {@code texts} with offsets ({@link #encode}) will cost, for the message a
     * command prints before it starts. A local file costs no request; a tokenizer behind a server
     * may tokenize the texts to count (and keep) their tokens.
     */
    public TokenizationPlan plan(List<String> texts) {
        return TokenizationPlan.local(texts.size());
    }

    private static long[] toLongs(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return longs;
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
