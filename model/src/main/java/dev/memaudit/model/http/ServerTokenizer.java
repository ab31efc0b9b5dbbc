package dev.memaudit.model.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.model.ByteLevel;
import dev.memaudit.model.Encoded;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.TokenizationPlan;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The served model's own tokenizer, through {@code POST /tokenize} ({@code {model, prompt,
 * add_special_tokens: false}} → {@code {tokens}}) and {@code POST /detokenize} ({@code {model,
 * tokens}} → {@code {prompt}}), which vLLM and {@code memaudit serve} offer; llama.cpp's field
 * names ({@code content}, {@code add_special}, {@code with_pieces}) are sent too and its answers
 * read.
 *
 * <p><b>Offsets</b> ({@link #encode}) are code points, half-open, and equal a local {@code
 * tokenizer.json}'s: a token's span runs from the character holding its first byte to the one
 * holding its last, so byte-level pieces of one character share that character's span. They come
 * from one of two sources, each checked against the text before it is used:
 *
 * <ol>
 *   <li><b>Token pieces</b> in the {@code /tokenize} answer (one request per text): vLLM's {@code
 *       token_strs} ({@code return_token_strs}) when every token is spelled in the byte-level
 *       alphabet ({@link ByteLevel}), or llama.cpp's {@code with_pieces} (text or bytes). Used when
 *       the pieces' bytes, concatenated, are exactly the text's UTF-8.
 *   <li><b>Detokenized windows</b> otherwise: the tokens are cut into blocks of {@value
 *       #BLOCK_TOKENS}; for the block starting at token a, the windows {@code ids[s, k)} for every
 *       k in the block are decoded, s = a − {@value #CONTEXT_TOKENS} (or the start of the character
 *       s falls inside, decoded again then), and cut k lies where the decoded text stops matching
 *       the text from cut s on. Trailing U+FFFDs mark a cut inside a character: one for a
 *       byte-level decoder, one per byte token since the byte run began for a byte-fallback one
 *       (walked as bytes). A SentencePiece decoder's dropped leading space is allowed for, and a
 *       first token that decodes to nothing (its prepended "▁") takes the first character's span,
 *       as the tokenizer's own offsets give it. Every window must equal the text where it says it
 *       does, else the command stops with exit 4 naming the code point (pass {@code --tokenizer}
 *       then). One window of at most {@value #CONTEXT_TOKENS} + {@value #BLOCK_TOKENS} tokens per
 *       token: O(n) work and requests of bounded size, {@value #WINDOWS_PER_REQUEST} windows per
 *       request when the server decodes lists ({@code token_lists} → {@code prompts}, a {@code
 *       memaudit serve} extension that other servers ignore, so an answer without {@code prompts}
 *       means one window per request), in parallel up to {@code --max-in-flight}. A cut inside a
 *       character the text itself has as U+FFFD reads as a cut after it (the decoded text cannot
 *       tell them apart).
 * </ol>
 *
 * <p>Encodings are kept for reuse (least recently used first out, up to {@value #CACHE_TOKENS}
 * tokens), since a command tokenizes each work in several stages. {@link #plan} tokenizes the texts
 * up front and says what the offsets will cost.
 */
public final class ServerTokenizer extends ModelTokenizer {
    /** Cuts per block of detokenized windows. */
    static final int BLOCK_TOKENS = 16;

    /** Tokens of left context before each block. */
    static final int CONTEXT_TOKENS = 8;

    /** Windows per {@code /detokenize} request when the server decodes lists. */
    static final int WINDOWS_PER_REQUEST = 512;

    /** Tokens of encodings kept for reuse. */
    static final long CACHE_TOKENS = 4_000_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REPLACEMENT = 0xFFFD;

    /** How offsets are found. */
    public enum OffsetMethod {
        /** Token pieces when the server gives checkable ones, else detokenized windows. */
        AUTO,
        /** Detokenized windows only (for tests and benchmarks of that path). */
        WINDOWS
    }

    private final CompletionsClient client;
    private final String model;
    private final int vocabSize;
    private final AtomicLong tokenizeRequests = new AtomicLong();
    private final AtomicLong detokenizeRequests = new AtomicLong();
    private final AtomicLong textsByPieces = new AtomicLong();
    private final AtomicLong textsByWindows = new AtomicLong();
    private final LinkedHashMap<String, Entry> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedTokens;
    private volatile OffsetMethod method = OffsetMethod.AUTO;
    private volatile Boolean listDecoding;
    private ExecutorService pool;

    /** A tokenized text: ids, spans once known, and whether pieces were asked for. */
    private record Entry(int[] ids, Encoded encoded, boolean piecesTried) {}

    /**
     * @param vocabSize the model's vocabulary size when the server said it, else 0 (unknown)
     */
    public ServerTokenizer(CompletionsClient client, String model, int vocabSize) {
        this.client = client;
        this.model = model;
        this.vocabSize = vocabSize;
    }

    /** Chooses how offsets are found (default {@link OffsetMethod#AUTO}). */
    public void useOffsetMethod(OffsetMethod m) {
        this.method = m;
        synchronized (cache) {
            cache.clear();
            cachedTokens = 0;
        }
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
        Entry e = cached(text);
        if (e == null) {
            e = remember(text, new Entry(tokenize(text, false).ids(), null, false));
        }
        return e.ids().clone();
    }

    @Override
    public Encoded encode(String text) {
        Entry e = cached(text);
        if (e == null || e.encoded() == null) {
            e = remember(text, withOffsets(text, e));
        }
        Encoded enc = e.encoded();
        return new Encoded(enc.ids().clone(), enc.starts().clone(), enc.ends().clone());
    }

    @Override
    public Spelled encodeSpelled(String text) {
        Tokenized t = tokenize(text, true);
        if (t.strings() == null) {
            throw new EndpointException(
                    -1,
                    client.config().base()
                            + "/tokenize: the answer has no token_strs (return_token_strs)",
                    null);
        }
        return new Spelled(t.ids(), t.strings());
    }

    @Override
    public String decode(int[] ids) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        addIds(body.putArray("tokens"), ids);
        return decodedText(postDetokenize(body), "prompt");
    }

    /** Decodes in as few requests as the server allows, in parallel. */
    @Override
    public List<String> decode(List<int[]> batch) {
        return decodeAll(batch);
    }

    /**
     * Tokenizes every text (one {@code /tokenize} request each; the answers are kept) and counts
     * the further requests its offsets need.
     */
    @Override
    public TokenizationPlan plan(List<String> texts) {
        long before = tokenizeRequests.get() + detokenizeRequests.get();
        long planned = 0;
        long tokens = 0;
        int windowTexts = 0;
        for (String text : texts) {
            Entry e = cached(text);
            if (e == null || (e.encoded() == null && wantPieces(e))) {
                e = remember(text, fromTokenize(text));
            }
            tokens += e.ids().length;
            if (e.encoded() == null) {
                windowTexts++;
                planned += windowRequests(e.ids());
            }
        }
        long done = tokenizeRequests.get() + detokenizeRequests.get() - before;
        String how =
                windowTexts == 0
                        ? "token pieces from /tokenize"
                        : "detokenized windows of "
                                + BLOCK_TOKENS
                                + " tokens after "
                                + CONTEXT_TOKENS
                                + " of context, "
                                + (Boolean.TRUE.equals(listDecoding)
                                        ? WINDOWS_PER_REQUEST + " windows per request"
                                        : "one window per request (the server decodes no lists)")
                                + ", "
                                + client.config().maxInFlight()
                                + " in flight"
                                + (windowTexts < texts.size()
                                        ? "; token pieces for the other "
                                                + (texts.size() - windowTexts)
                                                + " texts"
                                        : "");
        return new TokenizationPlan(texts.size(), tokens, done, planned, "server " + how);
    }

    /** Figures for the run manifest: requests and which method gave the offsets. */
    Map<String, Object> manifestSection() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offset_method", method == OffsetMethod.AUTO ? "pieces, else windows" : "windows");
        m.put("texts_offsets_from_pieces", textsByPieces.get());
        m.put("texts_offsets_from_windows", textsByWindows.get());
        m.put("tokenize_requests", tokenizeRequests.get());
        m.put("detokenize_requests", detokenizeRequests.get());
        m.put(
                "detokenize_lists",
                listDecoding == null ? "not probed" : listDecoding ? "yes" : "no");
        return m;
    }

    @Override
    public void close() {
        // the client belongs to the model
        synchronized (this) {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    // ---------------------------------------------------------------- cache

    private Entry cached(String text) {
        synchronized (cache) {
            return cache.get(text);
        }
    }

    private Entry remember(String text, Entry e) {
        synchronized (cache) {
            Entry old = cache.put(text, e);
            if (old != null) {
                cachedTokens -= old.ids().length;
            }
            cachedTokens += e.ids().length;
            for (Iterator<Map.Entry<String, Entry>> it = cache.entrySet().iterator();
                    cachedTokens > CACHE_TOKENS && cache.size() > 1 && it.hasNext(); ) {
                Map.Entry<String, Entry> oldest = it.next();
                if (oldest.getValue() == e) {
                    continue;
                }
                cachedTokens -= oldest.getValue().ids().length;
                it.remove();
            }
        }
        return e;
    }

    // ---------------------------------------------------------------- /tokenize

    /** Ids, and the pieces the server spelled them with (null when it gave none). */
    private record Tokenized(int[] ids, String[] strings, byte[][] pieceBytes) {}

    private Tokenized tokenize(String text, boolean pieces) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("prompt", text);
        body.put("add_special_tokens", false);
        // llama.cpp's names for the same fields
        body.put("content", text);
        body.put("add_special", false);
        if (pieces) {
            body.put("return_token_strs", true); // vLLM
            body.put("with_pieces", true); // llama.cpp
        }
        tokenizeRequests.incrementAndGet();
        JsonNode r = client.post("/tokenize", body);
        JsonNode tokens = r.path("tokens");
        if (!tokens.isArray()) {
            throw new EndpointException(
                    -1, client.config().base() + "/tokenize: the answer has no tokens[]", null);
        }
        int[] ids = new int[tokens.size()];
        byte[][] pieceBytes = null;
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = tokens.get(i);
            if (t.isObject()) {
                // llama.cpp with_pieces: {id, piece}, piece a string or a list of bytes
                ids[i] = t.path("id").asInt();
                pieceBytes = pieceBytes == null ? new byte[ids.length][] : pieceBytes;
                pieceBytes[i] = pieceBytes(t.path("piece"));
            } else {
                ids[i] = t.asInt();
            }
        }
        String[] strings = null;
        JsonNode strs = r.path("token_strs");
        if (strs.isArray() && strs.size() == ids.length) {
            strings = new String[ids.length];
            for (int i = 0; i < ids.length; i++) {
                strings[i] = strs.get(i).asText();
            }
        }
        return new Tokenized(ids, strings, pieceBytes);
    }

    private static byte[] pieceBytes(JsonNode piece) {
        if (piece.isTextual()) {
            return piece.asText().getBytes(StandardCharsets.UTF_8);
        }
        if (piece.isArray()) {
            byte[] b = new byte[piece.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) piece.get(i).asInt();
            }
            return b;
        }
        return null;
    }

    private boolean wantPieces(Entry e) {
        return method == OffsetMethod.AUTO && !e.piecesTried();
    }

    /** Tokenizes asking for pieces; the entry has spans when the pieces check out. */
    private Entry fromTokenize(String text) {
        boolean pieces = method == OffsetMethod.AUTO;
        Tokenized t = tokenize(text, pieces);
        Encoded enc = pieces ? fromPieces(text, t) : null;
        if (enc != null) {
            textsByPieces.incrementAndGet();
        }
        return new Entry(t.ids(), enc, pieces);
    }

    private Entry withOffsets(String text, Entry known) {
        Entry e = known == null || wantPieces(known) ? fromTokenize(text) : known;
        if (e.encoded() != null) {
            return e;
        }
        textsByWindows.incrementAndGet();
        return new Entry(e.ids(), fromWindows(text, e.ids()), e.piecesTried());
    }

    // ---------------------------------------------------------------- offsets from pieces

    /** Spans from the pieces' bytes, or null when there are none or they are not the text. */
    static Encoded fromPieces(String text, Tokenized t) {
        byte[][] bytes = t.pieceBytes();
        if (bytes == null && t.strings() != null) {
            bytes = new byte[t.strings().length][];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = ByteLevel.toBytes(t.strings()[i]);
            }
        }
        if (bytes == null) {
            return null;
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] b : bytes) {
            if (b == null) {
                return null;
            }
            all.writeBytes(b);
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (!Arrays.equals(all.toByteArray(), utf8)) {
            return null;
        }
        // the character holding each byte, and whether the byte starts it
        int[] charOf = new int[utf8.length + 1];
        boolean[] starts = new boolean[utf8.length + 1];
        int at = 0;
        int index = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            starts[at] = true;
            for (int j = 0; j < len; j++) {
                charOf[at + j] = index;
            }
            at += len;
            index++;
            i += Character.charCount(cp);
        }
        charOf[utf8.length] = index;
        starts[utf8.length] = true;
        int n = bytes.length;
        int[] cutPos = new int[n + 1];
        boolean[] cutInside = new boolean[n + 1];
        int offset = 0;
        for (int i = 0; i <= n; i++) {
            cutPos[i] = charOf[offset];
            cutInside[i] = !starts[offset];
            if (i < n) {
                offset += bytes[i].length;
            }
        }
        return spans(t.ids(), cutPos, cutInside);
    }

    /**
     * Token spans from the cuts between tokens: cut k lies before token k (cut 0 at the start, cut
     * n at the end); {@code cutPos[k]} is the code point after the cut, or the one it falls inside
     * when {@code cutInside[k]}. Token k runs from the character holding its first byte to the one
     * holding its last.
     */
    static Encoded spans(int[] ids, int[] cutPos, boolean[] cutInside) {
        int n = ids.length;
        int[] starts = new int[n];
        int[] ends = new int[n];
        for (int k = 0; k < n; k++) {
            starts[k] = cutPos[k];
            ends[k] = cutPos[k + 1] + (cutInside[k + 1] ? 1 : 0);
        }
        return new Encoded(ids.clone(), starts, ends);
    }

    // ---------------------------------------------------------------- offsets from windows

    /**
     * The windows of a text's blocks, in order: for block start a, ids[max(0, a − C), k) for k in
     * (a, b].
     */
    private static List<int[]> windows(int[] ids) {
        List<int[]> out = new ArrayList<>(ids.length);
        for (int a = 0; a < ids.length; a += BLOCK_TOKENS) {
            out.addAll(blockWindows(ids, a, Math.max(0, a - CONTEXT_TOKENS)));
        }
        return out;
    }

    private static List<int[]> blockWindows(int[] ids, int a, int s) {
        int b = Math.min(ids.length, a + BLOCK_TOKENS);
        List<int[]> out = new ArrayList<>(b - a);
        for (int k = a + 1; k <= b; k++) {
            out.add(Arrays.copyOfRange(ids, s, k));
        }
        return out;
    }

    private long windowRequests(int[] ids) {
        long w = ids.length;
        if (w == 0) {
            return 0;
        }
        return listDecoding(ids) ? (w + WINDOWS_PER_REQUEST - 1) / WINDOWS_PER_REQUEST : w;
    }

    private Encoded fromWindows(String text, int[] ids) {
        int n = ids.length;
        int[] cps = text.codePoints().toArray();
        int[] cutPos = new int[n + 1];
        boolean[] cutInside = new boolean[n + 1];
        if (n == 0) {
            if (cps.length != 0) {
                throw mismatch(0, "no tokens for a text of " + cps.length + " code points");
            }
            return new Encoded(ids, new int[0], new int[0]);
        }
        // the code point where each UTF-8 byte's character starts, to walk bytes
        int[] utf8Length = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            utf8Length[i] = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        }
        listDecoding(ids);
        List<String> decoded = decodeAll(windows(ids));
        for (int a = 0; a < n; a += BLOCK_TOKENS) {
            int b = Math.min(n, a + BLOCK_TOKENS);
            int s = Math.max(0, a - CONTEXT_TOKENS);
            List<String> block = decoded.subList(a, b);
            if (cutInside[s]) {
                // a window starting inside a character decodes its first bytes as U+FFFD (a
                // byte-fallback decoder turns its whole byte run into U+FFFD): start at the
                // character instead
                while (cutInside[s]) {
                    s--;
                }
                block = decodeAll(blockWindows(ids, a, s));
            }
            int[][] p = new int[b - a][];
            for (int k = a + 1; k <= b; k++) {
                p[k - a - 1] = block.get(k - a - 1).codePoints().toArray();
            }
            // a SentencePiece decoder drops the leading space of what it decodes
            int from = cutPos[s];
            int[] last = p[b - a - 1];
            if (from < cps.length
                    && cps[from] == ' '
                    && matchLength(last, cps, from) < Math.min(last.length, cps.length - from)
                    && matchLength(last, cps, from + 1) > matchLength(last, cps, from)) {
                from++;
            }
            for (int k = a + 1; k <= b; k++) {
                int[] w = p[k - a - 1];
                int matched = matchLength(w, cps, from);
                int pos = from + matched;
                int tail = w.length - matched;
                boolean inside = false;
                if (tail > 0) {
                    // U+FFFDs for a character not complete yet: one (a byte-level decoder), or
                    // one per byte since its byte run began (byte fallback); walk that many
                    // bytes into the text, which must end inside a character
                    if (!allReplacement(w, matched, w.length)) {
                        throw mismatch(
                                from,
                                "tokens "
                                        + s
                                        + ".."
                                        + (k - 1)
                                        + " decode to "
                                        + excerpt(w, 0, w.length)
                                        + " where the text has "
                                        + excerpt(
                                                cps, from, Math.min(cps.length, from + w.length)));
                    }
                    int bytes = tail;
                    while (pos < cps.length && bytes >= utf8Length[pos]) {
                        bytes -= utf8Length[pos];
                        pos++;
                    }
                    inside = bytes > 0;
                    if (!inside || pos >= cps.length) {
                        throw mismatch(
                                from,
                                "tokens "
                                        + s
                                        + ".."
                                        + (k - 1)
                                        + " end in "
                                        + tail
                                        + " U+FFFD that no character of the text accounts for");
                    }
                }
                if (pos < cutPos[k - 1]) {
                    throw mismatch(from, "token " + (k - 1) + " would end before it starts");
                }
                cutPos[k] = pos;
                cutInside[k] = inside;
            }
        }
        if (cutPos[n] != cps.length || cutInside[n]) {
            throw mismatch(
                    cutPos[n],
                    "the tokens decode to "
                            + cutPos[n]
                            + " code points, the text has "
                            + cps.length);
        }
        Encoded enc = spans(ids, cutPos, cutInside);
        if (cps.length > 0 && enc.ends()[0] == 0) {
            // A first token that decodes to nothing is a SentencePiece "▁" prepended to the text
            // (the decoder drops it again); tokenizers align a prepended character with the
            // text's first character.
            enc.ends()[0] = 1;
        }
        return enc;
    }

    /** How many code points of {@code w} equal the text's from {@code from} on. */
    private static int matchLength(int[] w, int[] cps, int from) {
        int m = 0;
        while (m < w.length && from + m < cps.length && w[m] == cps[from + m]) {
            m++;
        }
        return m;
    }

    private static boolean allReplacement(int[] cps, int from, int to) {
        for (int i = from; i < to; i++) {
            if (cps[i] != REPLACEMENT) {
                return false;
            }
        }
        return true;
    }

    private EndpointException mismatch(int codePoint, String what) {
        return new EndpointException(
                -1,
                client.config().base()
                        + "/detokenize: token offsets cannot be derived at code point "
                        + codePoint
                        + ": "
                        + what
                        + " (the server's detokenizer does not reproduce the text, e.g. it cleans"
                        + " up spaces or normalizes); pass the model's --tokenizer tokenizer.json",
                null);
    }

    private static String excerpt(int[] cps, int from, int to) {
        int end = Math.min(to, from + 40);
        String s = new String(cps, from, Math.max(0, end - from));
        return JSON.getNodeFactory().textNode(s) + (end < to ? "…" : "");
    }

    // ---------------------------------------------------------------- /detokenize

    /** Whether the server decodes lists of windows in one request; probed once. */
    private boolean listDecoding(int[] sample) {
        Boolean known = listDecoding;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (listDecoding == null) {
                int[] one = Arrays.copyOf(sample, Math.min(1, sample.length));
                int[] two = Arrays.copyOf(sample, Math.min(2, sample.length));
                JsonNode r = postDetokenize(listBody(List.of(one, two)));
                JsonNode prompts = r.path("prompts");
                listDecoding =
                        prompts.isArray()
                                && prompts.size() == 2
                                && prompts.get(0).isTextual()
                                && prompts.get(1).isTextual();
            }
            return listDecoding;
        }
    }

    /** {@code tokens} (the first window, for servers without lists) and {@code token_lists}. */
    private ObjectNode listBody(List<int[]> windows) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        addIds(body.putArray("tokens"), windows.get(0));
        ArrayNode lists = body.putArray("token_lists");
        for (int[] w : windows) {
            addIds(lists.addArray(), w);
        }
        return body;
    }

    private List<String> decodeAll(List<int[]> windows) {
        if (windows.isEmpty()) {
            return List.of();
        }
        boolean lists = listDecoding(windows.get(0));
        int per = lists ? WINDOWS_PER_REQUEST : 1;
        int requests = (windows.size() + per - 1) / per;
        List<Future<List<String>>> futures = new ArrayList<>(requests);
        ExecutorService p = pool();
        for (int q = 0; q < requests; q++) {
            List<int[]> part = windows.subList(q * per, Math.min(windows.size(), (q + 1) * per));
            futures.add(p.submit(() -> lists ? decodeList(part) : List.of(decode(part.get(0)))));
        }
        List<String> out = new ArrayList<>(windows.size());
        try {
            for (Future<List<String>> f : futures) {
                out.addAll(f.get());
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new EndpointException(-1, client.config().base() + ": interrupted", e);
        }
        return out;
    }

    private List<String> decodeList(List<int[]> part) {
        JsonNode r = postDetokenize(listBody(part));
        JsonNode prompts = r.path("prompts");
        if (!prompts.isArray() || prompts.size() != part.size()) {
            throw new EndpointException(
                    -1,
                    client.config().base()
                            + "/detokenize: "
                            + (prompts.isArray() ? prompts.size() : 0)
                            + " prompts for "
                            + part.size()
                            + " token lists, although the probe found list decoding",
                    null);
        }
        List<String> out = new ArrayList<>(part.size());
        for (JsonNode t : prompts) {
            if (!t.isTextual()) {
                throw new EndpointException(
                        -1, client.config().base() + "/detokenize: a prompt is not text", null);
            }
            out.add(t.asText());
        }
        return out;
    }

    private JsonNode postDetokenize(ObjectNode body) {
        detokenizeRequests.incrementAndGet();
        return client.post("/detokenize", body);
    }

    private String decodedText(JsonNode r, String field) {
        JsonNode text = r.path(field).isTextual() ? r.path(field) : r.path("content");
        if (!text.isTextual()) {
            throw new EndpointException(
                    -1,
                    client.config().base() + "/detokenize: the answer has no prompt (or content)",
                    null);
        }
        return text.asText();
    }

    private static void addIds(ArrayNode a, int[] ids) {
        for (int id : ids) {
            a.add(id);
        }
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            pool =
                    Executors.newFixedThreadPool(
                            client.config().maxInFlight(),
                            r -> {
                                Thread t = new Thread(r, "memaudit-detokenize");
                                t.setDaemon(true);
                                return t;
                            });
        }
        return pool;
    }
}
