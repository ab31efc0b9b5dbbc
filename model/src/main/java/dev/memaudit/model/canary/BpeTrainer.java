package dev.memaudit.model.canary;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.model.ByteLevel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a byte-level BPE tokenizer (the GPT-2 scheme) and writes it as a standard Hugging Face
 * {@code tokenizer.json}: ByteLevel pre-tokenizer and decoder, BPE model with vocabulary and
 * merges, one special end-of-text token (the last id).
 *
 * <p>Training: texts are split with the GPT-2 pre-tokenization pattern, each piece becomes a
 * sequence of byte symbols, and the most frequent adjacent pair (ties: the pair of smallest ids) is
 * merged until the vocabulary is full or no pair occurs twice. Deterministic.
 */
public final class BpeTrainer {
    /** The GPT-2 pre-tokenization pattern, as used by the ByteLevel pre-tokenizer. */
    static final Pattern PRETOKENIZE =
            Pattern.compile(
                    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                    Pattern.UNICODE_CHARACTER_CLASS);

    public static final String END_OF_TEXT = "<|endoftext|>";

    private BpeTrainer() {}

    /**
     * A trained tokenizer.
     *
     * @param vocab symbols by id (byte-level alphabet strings); the last is {@link #END_OF_TEXT}
     * @param merges merges in rank order, as pairs of symbols
     */
    public record Bpe(List<String> vocab, List<String[]> merges) {
        public int endOfTextId() {
            return vocab.size() - 1;
        }

        /** Writes {@code tokenizer.json}. */
        public void write(Path file) throws IOException {
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = om.createObjectNode();
            root.put("version", "1.0");
            root.putNull("truncation");
            root.putNull("padding");
            ObjectNode added = root.putArray("added_tokens").addObject();
            added.put("id", endOfTextId());
            added.put("content", END_OF_TEXT);
            added.put("single_word", false);
            added.put("lstrip", false);
            added.put("rstrip", false);
            added.put("normalized", true);
            added.put("special", true);
            root.putNull("normalizer");
            ObjectNode pre = root.putObject("pre_tokenizer");
            pre.put("type", "ByteLevel");
            pre.put("add_prefix_space", false);
            pre.put("trim_offsets", true);
            pre.put("use_regex", true);
            ObjectNode post = root.putObject("post_processor");
            post.put("type", "ByteLevel");
            post.put("add_prefix_space", true);
            post.put("trim_offsets", false);
            post.put("use_regex", true);
            ObjectNode dec = root.putObject("decoder");
            dec.put("type", "ByteLevel");
            dec.put("add_prefix_space", true);
            dec.put("trim_offsets", true);
            dec.put("use_regex", true);
            ObjectNode model = root.putObject("model");
            model.put("type", "BPE");
            model.putNull("dropout");
            model.putNull("unk_token");
            model.put("continuing_subword_prefix", "");
            model.put("end_of_word_suffix", "");
            model.put("fuse_unk", false);
            model.put("byte_fallback", false);
            model.put("ignore_merges", false);
            ObjectNode v = model.putObject("vocab");
            for (int i = 0; i < vocab.size(); i++) {
                v.put(vocab.get(i), i);
            }
            ArrayNode m = model.putArray("merges");
            for (String[] pair : merges) {
                m.add(pair[0] + " " + pair[1]);
            }
            om.writeValue(file.toFile(), root);
        }
    }

    /** The GPT-2 byte → printable character table. */
    static char[] byteToChar() {
        return ByteLevel.byteToChar();
    }

    /**
     * Trains on the texts.
     *
     * @param vocabSize total ids including the 256 byte symbols and the end-of-text token; ≥ 257
     */
    public static Bpe train(List<String> texts, int vocabSize) {
        if (vocabSize < 257) {
            throw new IllegalArgumentException("vocab size must be ≥ 257, got " + vocabSize);
        }
        char[] b2c = byteToChar();
        List<String> vocab = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            vocab.add(String.valueOf(b2c[b]));
        }
        // piece → count, sorted for determinism
        Map<String, Integer> pieces = new TreeMap<>();
        for (String text : texts) {
            Matcher m = PRETOKENIZE.matcher(text);
            while (m.find()) {
                pieces.merge(m.group(), 1, Integer::sum);
            }
        }
        List<int[]> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : pieces.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] w = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                w[i] = bytes[i] & 0xFF;
            }
            words.add(w);
            counts.add(e.getValue());
        }
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        List<String[]> merges = new ArrayList<>();
        Map<Long, Integer> pairCounts = new HashMap<>();
        while (vocab.size() < vocabSize - 1) {
            pairCounts.clear();
            for (int wi = 0; wi < words.size(); wi++) {
                int[] w = words.get(wi);
                int c = counts.get(wi);
                for (int i = 0; i + 1 < w.length; i++) {
                    pairCounts.merge(((long) w[i] << 32) | w[i + 1], c, Integer::sum);
                }
            }
            long best = -1;
            int bestCount = 1;
            for (Map.Entry<Long, Integer> e : pairCounts.entrySet()) {
                int c = e.getValue();
                long key = e.getKey();
                if (c > bestCount || (c == bestCount && best >= 0 && key < best)) {
                    best = key;
                    bestCount = c;
                }
            }
            if (best < 0) {
                break; // no pair occurs twice
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            String merged = vocab.get(left) + vocab.get(right);
            // two different merges can spell the same symbol: it keeps its first id
            Integer known = ids.get(merged);
            int id = known != null ? known : vocab.size();
            if (known == null) {
                vocab.add(merged);
                ids.put(merged, id);
            }
            merges.add(new String[] {vocab.get(left), vocab.get(right)});
            for (int wi = 0; wi < words.size(); wi++) {
                words.set(wi, apply(words.get(wi), left, right, id));
            }
        }
        vocab.add(END_OF_TEXT);
        return new Bpe(List.copyOf(vocab), List.copyOf(merges));
    }

    private static int[] apply(int[] w, int left, int right, int id) {
        int n = 0;
        int[] out = null;
        for (int i = 0; i < w.length; i++) {
            if (i + 1 < w.length && w[i] == left && w[i + 1] == right) {
                if (out == null) {
                    out = new int[w.length - 1];
                    System.arraycopy(w, 0, out, 0, i);
                    n = i;
                }
                out[n++] = id;
                i++;
            } else if (out != null) {
                out[n++] = w[i];
            }
        }
        return out == null ? w : java.util.Arrays.copyOf(out, n);
    }
}
