package dev.memaudit.model.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.model.Encoded;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.TokenizationPlan;
import dev.memaudit.model.canary.BpeTrainer;
import dev.memaudit.model.testing.TrickyText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ServerTokenizer#encode} gives the local tokenizer's ids and code-point offsets on every
 * token, through each way a server can offer them: vLLM-style {@code token_strs}, llama.cpp-style
 * pieces (bytes when a piece is not UTF-8), and detokenized windows (one per request, or lists).
 * The servers here are scripted around the local tokenizer, so they are exactly as right as it is.
 */
class ServerTokenizerOffsetsTest {
    static final String TRICKY = TrickyText.TEXT;

    @TempDir static Path tmp;
    private static ModelTokenizer local;
    private static List<String> corpus;
    private FaultServer server;

    @BeforeAll
    static void train() throws IOException {
        corpus = new ArrayList<>();
        Path sample = Path.of("..", "corpora-sample");
        for (String dir : List.of("works", "controls")) {
            try (Stream<Path> files = Files.list(sample.resolve(dir))) {
                files.filter(f -> f.toString().matches(".*\\.(txt|md|html)$"))
                        .sorted()
                        .forEach(f -> corpus.add(read(f)));
            }
        }
        assertThat(corpus).hasSizeGreaterThan(10);
        List<String> training = new ArrayList<>(corpus);
        // a few merges of multi-byte characters; and a space before one of many CJK characters
        // starting with byte E6 (each seen once), so the space merges with that byte but not with
        // the rest of the character: tokens then start and end inside characters
        training.add(TRICKY.repeat(3));
        StringBuilder cjk = new StringBuilder();
        for (int cp = 0x6000; cp < 0x7000; cp += 3) {
            cjk.append(' ').appendCodePoint(cp);
        }
        training.add(cjk.toString());
        Path file = tmp.resolve("tokenizer.json");
        BpeTrainer.train(training, 1024).write(file);
        local = ModelTokenizer.load(file);
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void close() {
        local.close();
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** What a scripted server offers. */
    record Features(boolean tokenStrs, boolean llamaPieces, boolean lists, boolean cleanUp) {}

    /** Answers /tokenize and /detokenize with the local tokenizer. */
    private ServerTokenizer serve(Features f) throws IOException {
        return serve(f, local);
    }

    private ServerTokenizer serve(Features f, ModelTokenizer tok) throws IOException {
        server =
                new FaultServer(
                        r -> {
                            try {
                                return answer(r, f, tok).toString();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
        EndpointConfig cfg = EndpointConfig.of(server.uri(), "m", null, null).withMaxInFlight(4);
        return new ServerTokenizer(new CompletionsClient(cfg), "m", local.vocabSize());
    }

    private static JsonNode answer(FaultServer.Request r, Features f, ModelTokenizer local)
            throws IOException {
        JsonNode req = r.json();
        ObjectNode out = FaultServer.JSON.createObjectNode();
        if (r.path().equals("/tokenize")) {
            ModelTokenizer.Spelled s = local.encodeSpelled(req.path("prompt").asText());
            ArrayNode tokens = out.putArray("tokens");
            boolean pieces = f.llamaPieces() && req.path("with_pieces").asBoolean();
            for (int i = 0; i < s.ids().length; i++) {
                if (pieces) {
                    ObjectNode t = tokens.addObject().put("id", s.ids()[i]);
                    byte[] b = dev.memaudit.model.ByteLevel.toBytes(s.tokens()[i]);
                    String text = new String(b, StandardCharsets.UTF_8);
                    if (java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), b)) {
                        t.put("piece", text);
                    } else {
                        ArrayNode bytes = t.putArray("piece");
                        for (byte x : b) {
                            bytes.add(x & 0xFF);
                        }
                    }
                } else {
                    tokens.add(s.ids()[i]);
                }
            }
            if (f.tokenStrs() && req.path("return_token_strs").asBoolean()) {
                ArrayNode strs = out.putArray("token_strs");
                for (String t : s.tokens()) {
                    strs.add(t);
                }
            }
        } else {
            if (req.has("tokens")) {
                out.put("prompt", decode(local, req.path("tokens"), f));
            }
            if (f.lists() && req.has("token_lists")) {
                ArrayNode prompts = out.putArray("prompts");
                for (JsonNode l : req.path("token_lists")) {
                    prompts.add(decode(local, l, f));
                }
            }
        }
        return out;
    }

    private static String decode(ModelTokenizer local, JsonNode ids, Features f) {
        int[] t = new int[ids.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = ids.get(i).asInt();
        }
        String s = local.decode(t);
        // Hugging Face's clean_up_tokenization_spaces: not the text any more
        return f.cleanUp() ? s.replace(" .", ".").replace(" ,", ",") : s;
    }

    private static void assertSameAsLocal(ServerTokenizer remote, String text) {
        assertSameAs(local, remote, text);
    }

    private static void assertSameAs(ModelTokenizer local, ServerTokenizer remote, String text) {
        Encoded want = local.encode(text);
        Encoded got = remote.encode(text);
        assertThat(got.ids()).isEqualTo(want.ids());
        for (int i = 0; i < want.length(); i++) {
            assertThat(new int[] {got.starts()[i], got.ends()[i]})
                    .as("token %d of %d", i, want.length())
                    .containsExactly(want.starts()[i], want.ends()[i]);
        }
    }

    private long requests(String path) {
        return server.requests().stream().filter(r -> r.path().equals(path)).count();
    }

    @Test
    void theTrickyTextSplitsCharactersAcrossTokens() {
        Encoded e = local.encode(TRICKY);
        int shared = 0;
        int sharedAndMore = 0;
        for (int i = 1; i < e.length(); i++) {
            if (e.starts()[i] < e.ends()[i - 1]) {
                shared++; // two tokens hold bytes of one character
                if (e.ends()[i] - e.starts()[i] > 1 || e.ends()[i - 1] - e.starts()[i - 1] > 1) {
                    sharedAndMore++; // and one of them holds another character too
                }
            }
        }
        assertThat(shared).isGreaterThan(20);
        assertThat(sharedAndMore).isGreaterThan(2);
        assertThat(TRICKY.codePointCount(0, TRICKY.length())).isLessThan(TRICKY.length());
    }

    @Test
    void tokenStringsGiveTheLocalOffsetsInOneRequestPerText() throws IOException {
        ServerTokenizer remote = serve(new Features(true, false, false, false));
        List<String> texts = new ArrayList<>(corpus);
        texts.add(TRICKY);
        texts.add("A literal \uFFFD replacement character, and \uFFFD\uFFFD two.");
        texts.add("");
        for (String t : texts) {
            assertSameAsLocal(remote, t);
        }
        assertThat(requests("/tokenize")).isEqualTo(texts.size());
        assertThat(requests("/detokenize")).isZero();
        // kept: a second pass costs nothing
        assertSameAsLocal(remote, TRICKY);
        assertThat(remote.encodeIds(corpus.get(0))).isEqualTo(local.encodeIds(corpus.get(0)));
        assertThat(server.requests()).hasSize(texts.size());
        assertThat(remote.manifestSection())
                .containsEntry("texts_offsets_from_pieces", (long) texts.size())
                .containsEntry("texts_offsets_from_windows", 0L);
    }

    @Test
    void llamaCppPiecesGiveTheLocalOffsets() throws IOException {
        ServerTokenizer remote = serve(new Features(false, true, false, false));
        assertSameAsLocal(remote, TRICKY);
        assertSameAsLocal(remote, corpus.get(1));
        assertThat(requests("/detokenize")).isZero();
        // some pieces are not UTF-8 on their own and came as bytes
        assertThat(server.requests().get(0).body()).contains("with_pieces");
    }

    @Test
    void windowsInListsGiveTheLocalOffsetsOnTheWholeSampleCorpus() throws IOException {
        ServerTokenizer remote = serve(new Features(true, false, true, false));
        remote.useOffsetMethod(ServerTokenizer.OffsetMethod.WINDOWS);
        List<String> texts = new ArrayList<>(corpus);
        texts.add(TRICKY);
        TokenizationPlan plan = remote.plan(texts);
        long tokens = 0;
        for (String t : texts) {
            tokens += local.encodeIds(t).length;
        }
        assertThat(plan.tokens()).isEqualTo(tokens);
        assertThat(plan.texts()).isEqualTo(texts.size());
        // texts.size() tokenize requests and the probe
        assertThat(plan.requestsDone()).isEqualTo(texts.size() + 1);
        long before = requests("/detokenize");
        for (String t : texts) {
            assertSameAsLocal(remote, t);
        }
        // plus one request per block whose context starts inside a character (a few here)
        assertThat(requests("/detokenize") - before)
                .isBetween(plan.requestsPlanned(), plan.requestsPlanned() + 100);
        assertThat(requests("/tokenize")).isEqualTo(texts.size());
        // bounded requests: about one window per token, 512 windows per request
        assertThat(plan.requestsPlanned()).isLessThan(tokens / 400);
        for (FaultServer.Request r : server.requests()) {
            if (r.path().equals("/detokenize")) {
                assertThat(r.body().length()).isLessThan(120_000);
            }
        }
        assertThat(plan.method()).contains("512 windows per request");
    }

    @Test
    void windowsOneRequestEachGiveTheLocalOffsets() throws IOException {
        ServerTokenizer remote = serve(new Features(false, false, false, false));
        String text = TRICKY + corpus.get(2).substring(0, 600);
        TokenizationPlan plan = remote.plan(List.of(text));
        int n = local.encodeIds(text).length;
        // one window per cut
        assertThat(plan.requestsPlanned()).isEqualTo(n);
        assertThat(plan.method()).contains("one window per request");
        assertSameAsLocal(remote, text);
        // 1 tokenize, 1 list probe, the windows, and the blocks redone from a character's start
        int blocks = (n + ServerTokenizer.BLOCK_TOKENS - 1) / ServerTokenizer.BLOCK_TOKENS;
        assertThat(server.requests().size() - 2)
                .isBetween(n, n + blocks * ServerTokenizer.BLOCK_TOKENS);
        for (FaultServer.Request r : server.requests().subList(2, server.requests().size())) {
            assertThat(r.body().length()).isLessThan(2_000);
        }
    }

    @Test
    void aDetokenizerThatChangesTheTextStopsWithExit4() throws IOException {
        ServerTokenizer remote = serve(new Features(false, false, true, true));
        String text = "A sentence . With spaces , before punctuation .";
        assertThatThrownBy(() -> remote.encode(text))
                .isInstanceOf(EndpointException.class)
                .satisfies(
                        e ->
                                assertThat(((EndpointException) e).category())
                                        .isEqualTo(ExitCategory.BACKEND))
                .hasMessageContaining("token offsets cannot be derived at code point")
                .hasMessageContaining("--tokenizer");
    }

    /**
     * A Llama-2-style SentencePiece BPE (written for this test): "▁" for spaces, a "▁" prepended to
     * the text, byte fallback for characters outside the vocabulary, and a decoder that drops the
     * leading space of what it decodes; its token strings are not byte-level, so offsets come from
     * windows, whose left context absorbs the dropped space.
     */
    @Test
    void aSentencePieceTokenizerGetsItsOffsetsFromWindows() throws IOException {
        Path file = tmp.resolve("spm-tokenizer.json");
        Files.writeString(file, sentencePieceJson());
        try (ModelTokenizer spm = ModelTokenizer.load(file)) {
            ServerTokenizer remote = serve(new Features(true, false, true, false), spm);
            List<String> texts =
                    List.of(
                            "Hello world, the theory of the thing.",
                            " Leading space and  double  spaces.",
                            TRICKY,
                            corpus.get(3).substring(0, 2000));
            for (String t : texts) {
                Encoded e = spm.encode(t);
                assertThat(e.length()).isGreaterThan(5);
                assertSameAs(spm, remote, t);
            }
            assertThat(remote.manifestSection())
                    .containsEntry("texts_offsets_from_windows", (long) texts.size());
        }
    }

    private static String sentencePieceJson() throws IOException {
        ObjectNode root = FaultServer.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<unk>", "<s>", "</s>"};
        for (int i = 0; i < specials.length; i++) {
            added.addObject()
                    .put("id", i)
                    .put("content", specials[i])
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        ObjectNode norm = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode ns = norm.putArray("normalizers");
        ns.addObject().put("type", "Prepend").put("prepend", "\u2581");
        ObjectNode replace = ns.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", "\u2581");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder").put("type", "Sequence");
        ArrayNode ds = dec.putArray("decoders");
        ObjectNode back = ds.addObject().put("type", "Replace");
        back.putObject("pattern").put("String", "\u2581");
        back.put("content", " ");
        ds.addObject().put("type", "ByteFallback");
        ds.addObject().put("type", "Fuse");
        ds.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model").put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "<unk>");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        ObjectNode vocab = model.putObject("vocab");
        int id = 0;
        for (String sp : specials) {
            vocab.put(sp, id++);
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(String.format(java.util.Locale.ROOT, "<0x%02X>", b), id++);
        }
        String base =
                "\u2581abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"-()";
        for (int i = 0; i < base.length(); i++) {
            vocab.put(String.valueOf(base.charAt(i)), id++);
        }
        String[][] merges = {
            {"\u2581", "t"}, {"h", "e"}, {"\u2581t", "he"}, {"\u2581", "a"}, {"i", "n"},
            {"e", "r"}, {"o", "r"}, {"\u2581", "s"}, {"\u2581", "\u2581"}, {"o", "f"},
            {"\u2581", "of"}, {"in", "g"}, {"\u2581t", "h"}
        };
        ArrayNode m = model.putArray("merges");
        for (String[] pair : merges) {
            m.add(pair[0] + " " + pair[1]);
            String merged = pair[0] + pair[1];
            if (!vocab.has(merged)) {
                vocab.put(merged, id++);
            }
        }
        return FaultServer.JSON.writeValueAsString(root);
    }
}
