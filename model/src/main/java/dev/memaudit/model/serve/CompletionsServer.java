package dev.memaudit.model.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.runtime.DjlLanguageModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An OpenAI-compatible server over a local {@link DjlLanguageModel} (the JDK's HTTP server,
 * HTTP/1.1):
 *
 * <ul>
 *   <li>{@code GET /v1/models}: one model, with vLLM's {@code max_model_len} and a {@code
 *       vocab_size} extension;
 *   <li>{@code POST /v1/completions}: {@code prompt} (string, token-id array, or a list of either),
 *       {@code max_tokens} (0 allowed with {@code echo} or {@code prompt_logprobs}), {@code
 *       temperature}, {@code top_p}, {@code top_k} (extension; 0 or -1 = off), {@code seed}, {@code
 *       echo}, {@code logprobs} (top-k per position), vLLM's {@code prompt_logprobs} (with exact
 *       ranks), {@code return_tokens_as_token_ids} and {@code ignore_eos};
 *   <li>{@code n} choices per prompt (choice j of prompt i is {@code index} i·n + j, sampled with
 *       the prompt's seed + j), {@code stop} (up to 4 strings: the text ends before the first one
 *       found, {@code finish_reason} "stop", the tokens kept those wholly before it), {@code
 *       stream} (server-sent events in OpenAI's format ending with {@code data: [DONE]}; {@code
 *       stream_options.include_usage} adds a usage chunk; not with log-probs);
 *   <li>{@code POST /v1/chat/completions}: {@code messages} rendered by the model folder's chat
 *       template ({@link ChatTemplate}), then generated as a completion with the same knobs; {@code
 *       max_completion_tokens} or {@code max_tokens} (default: what the context leaves, at most
 *       {@value #CHAT_DEFAULT_MAX_TOKENS}); no log-probs;
 *   <li>OpenAI and llama.cpp knobs this server does not implement are accepted at their neutral
 *       values only ({@code min_p} 0, penalties 0 or 1, {@code best_of} = n); anything else unknown
 *       is a 400;
 *   <li>{@code POST /tokenize} (vLLM's shape, with {@code return_token_strs} for the vocabulary
 *       spelling of each token), {@code POST /detokenize} (vLLM's shape, and {@code token_lists} →
 *       {@code prompts} to decode many id lists in one request), {@code GET /health}.
 * </ul>
 *
 * <p>A request's prompts are computed together: one batched generation ({@code model.generate} over
 * all rows), one batched scoring pass, and one batched forward for top-log-prob lists. A row
 * sampled with {@code seed} s is what {@code model.generate(prefix, [s], settings)} gives locally;
 * every row of a prompt array gets {@code seed}, as in vLLM, unless {@code seeds} (an extension:
 * one seed per prompt) is given, which the answer echoes so a client knows it was honoured.
 * Log-probs are natural logs of the model's own distribution (temperature 1, no truncation), as
 * vLLM reports by default. {@code text_offset} counts code points of the decoded token pieces.
 * Model calls run one at a time; at most {@link ServeOptions#maxInFlight()} requests are admitted
 * at once, others wait up to 30 s for a turn and then get 429 with {@code Retry-After: 1}.
 */
public final class CompletionsServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long QUEUE_WAIT_SECONDS = 30;

    /** Logits materialized at once for top-log-prob lists (floats: 64 MiB). */
    private static final long TOP_LOGITS_BUDGET = 16L << 20;

    /** Fields of {@code /v1/chat/completions}; the sampling ones mean what they mean above. */
    private static final Set<String> CHAT_FIELDS =
            Set.of(
                    "model",
                    "messages",
                    "max_tokens",
                    "max_completion_tokens",
                    "temperature",
                    "top_p",
                    "top_k",
                    "seed",
                    "n",
                    "stream",
                    "stream_options",
                    "stop",
                    "user",
                    "frequency_penalty",
                    "presence_penalty",
                    "logprobs",
                    "top_logprobs",
                    "logit_bias",
                    "min_p",
                    "repetition_penalty",
                    "ignore_eos");

    /** Most stop strings a request may give (OpenAI's limit). */
    private static final int MAX_STOPS = 4;

    /** Chat answers without max_tokens get at most this many tokens (OpenAI: the context). */
    static final int CHAT_DEFAULT_MAX_TOKENS = 256;

    private static final Set<String> FIELDS =
            Set.of(
                    "model",
                    "prompt",
                    "max_tokens",
                    "temperature",
                    "top_p",
                    "top_k",
                    "seed",
                    "seeds",
                    "echo",
                    "logprobs",
                    "prompt_logprobs",
                    "return_tokens_as_token_ids",
                    "ignore_eos",
                    "n",
                    "stream",
                    "stream_options",
                    "stop",
                    "user",
                    "frequency_penalty",
                    "presence_penalty",
                    "best_of",
                    "logit_bias",
                    "suffix",
                    "min_p",
                    "repetition_penalty",
                    "repeat_penalty");

    private final DjlLanguageModel model;
    private final ServeOptions options;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Semaphore inFlight;
    private final ReentrantLock modelLock = new ReentrantLock();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicReferenceArray<String> pieces;
    private final AtomicLong unseeded = new AtomicLong(0x5EEDL);
    private final ChatTemplate chatTemplate;

    private CompletionsServer(DjlLanguageModel model, ServeOptions options, ChatTemplate chat)
            throws IOException {
        this.model = model;
        this.options = options;
        this.chatTemplate = chat;
        this.inFlight = new Semaphore(options.maxInFlight());
        this.pieces = new AtomicReferenceArray<>(model.vocabSize());
        this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
        this.executor =
                Executors.newFixedThreadPool(
                        2 * options.maxInFlight() + 2,
                        r -> {
                            Thread t = new Thread(r, "memaudit-serve");
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * Binds and starts serving; the model stays owned by the caller.
     *
     * @throws MemauditException (usage) when the address cannot be bound
     */
    public static CompletionsServer start(DjlLanguageModel model, ServeOptions options) {
        return start(model, options, ChatTemplate.plain());
    }

    /**
     * Binds and starts serving, with this template for {@code /v1/chat/completions}.
     *
     * @throws MemauditException (usage) when the address cannot be bound
     */
    public static CompletionsServer start(
            DjlLanguageModel model, ServeOptions options, ChatTemplate chat) {
        CompletionsServer s;
        try {
            s = new CompletionsServer(model, options, chat);
        } catch (IOException e) {
            throw MemauditException.usage(
                    "cannot listen on "
                            + options.host()
                            + ":"
                            + options.port()
                            + ": "
                            + e.getMessage());
        }
        s.server.start();
        return s;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL clients use. */
    public URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port());
    }

    /**
     * Stops accepting requests and waits for the ones in flight: a model call cannot be interrupted
     * (it runs in native code), and the caller closes the model next, which would free its weights
     * under a running call (seen as a SIGSEGV in the engine when a test stopped the server during a
     * scoring request).
     */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                if (executor.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                // keep waiting: returning now would let the model be closed under the call
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- routing

    /** A refusal with an HTTP status and an OpenAI-style error body. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                if (!authorized(ex)) {
                    throw new Refusal(401, "missing or wrong bearer token");
                }
                String path = ex.getRequestURI().getPath();
                String method = ex.getRequestMethod();
                Object answer =
                        switch (path) {
                            case "/health" -> {
                                expect(method, "GET");
                                yield JSON.createObjectNode().put("status", "ok");
                            }
                            case "/v1/models" -> {
                                expect(method, "GET");
                                yield models();
                            }
                            case "/v1/completions" -> {
                                expect(method, "POST");
                                yield limited(() -> completions(readBody(ex), false));
                            }
                            case "/v1/chat/completions" -> {
                                expect(method, "POST");
                                yield limited(() -> chat(readBody(ex)));
                            }
                            case "/tokenize" -> {
                                expect(method, "POST");
                                yield limited(() -> tokenize(readBody(ex)));
                            }
                            case "/detokenize" -> {
                                expect(method, "POST");
                                yield limited(() -> detokenize(readBody(ex)));
                            }
                            default -> throw new Refusal(404, "no route " + path);
                        };
                if (answer instanceof Events events) {
                    sendEvents(ex, events);
                } else {
                    send(ex, 200, (JsonNode) answer);
                }
            } catch (ChatTemplate.Rejected r) {
                send(
                        ex,
                        400,
                        error(400, "the chat template refuses the messages: " + r.getMessage()));
            } catch (Refusal r) {
                if (r.status == 429) {
                    ex.getResponseHeaders().add("Retry-After", "1");
                }
                send(ex, r.status, error(r.status, r.getMessage()));
            } catch (MemauditException e) {
                send(ex, 400, error(400, e.getMessage()));
            } catch (RuntimeException e) {
                send(ex, 500, error(500, "internal error: " + e));
            }
        }
    }

    private interface Call {
        Object run();
    }

    private Object limited(Call call) {
        boolean admitted;
        try {
            // a short queue smooths bursts (the model computes one request at a time anyway)
            admitted = inFlight.tryAcquire(QUEUE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, "shutting down");
        }
        if (!admitted) {
            throw new Refusal(
                    429,
                    "too many requests in flight (limit "
                            + options.maxInFlight()
                            + ", waited "
                            + QUEUE_WAIT_SECONDS
                            + " s)");
        }
        try {
            return call.run();
        } finally {
            inFlight.release();
        }
    }

    private boolean authorized(HttpExchange ex) {
        if (options.bearerToken() == null) {
            return true;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        byte[] want = ("Bearer " + options.bearerToken()).getBytes(StandardCharsets.UTF_8);
        byte[] got = h == null ? new byte[0] : h.getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(want, got);
    }

    private static void expect(String method, String wanted) {
        if (!method.equals(wanted)) {
            throw new Refusal(405, "use " + wanted);
        }
    }

    private JsonNode readBody(HttpExchange ex) {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(options.maxBodyBytes() + 1);
        } catch (IOException e) {
            throw new Refusal(400, "cannot read the request body: " + e.getMessage());
        }
        if (body.length > options.maxBodyBytes()) {
            throw new Refusal(413, "request body over " + options.maxBodyBytes() + " bytes");
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new Refusal(400, "the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new Refusal(400, "the body is not JSON: " + e.getMessage());
        }
    }

    /**
     * A streamed answer: server-sent events in OpenAI's format, each {@code data: <json>}, then
     * {@code data: [DONE]}. The answer is computed whole before the first event (the model
     * generates a batch at once), so a client sees its tokens arrive together.
     */
    private record Events(List<JsonNode> events) {}

    private static void sendEvents(HttpExchange ex, Events events) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0); // chunked
        try (OutputStream out = ex.getResponseBody()) {
            for (JsonNode e : events.events()) {
                out.write(
                        ("data: " + JSON.writeValueAsString(e) + "\n\n")
                                .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static JsonNode error(int status, String message) {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode inner = e.putObject("error");
        inner.put("message", message);
        inner.put(
                "type",
                status == 401
                        ? "authentication_error"
                        : status == 429
                                ? "rate_limit_error"
                                : status >= 500 ? "server_error" : "invalid_request_error");
        inner.put("code", status);
        return e;
    }

    // ---------------------------------------------------------------- endpoints

    private JsonNode models() {
        ObjectNode r = JSON.createObjectNode();
        r.put("object", "list");
        ObjectNode m = r.putArray("data").addObject();
        m.put("id", options.modelName());
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "memaudit");
        m.put("max_model_len", model.maxSequenceLength());
        m.put("vocab_size", model.vocabSize());
        return r;
    }

    private void checkModel(JsonNode req) {
        JsonNode m = req.path("model");
        if (!m.isMissingNode() && !m.isNull() && !m.asText().equals(options.modelName())) {
            throw new Refusal(
                    404,
                    "model '"
                            + m.asText()
                            + "' is not served (serving '"
                            + options.modelName()
                            + "')");
        }
    }

    private JsonNode tokenize(JsonNode req) {
        checkModel(req);
        if (!req.path("prompt").isTextual()) {
            throw new Refusal(400, "prompt must be a string");
        }
        String text = req.path("prompt").asText();
        boolean strs = req.path("return_token_strs").asBoolean(false);
        ModelTokenizer.Spelled spelled =
                strs
                        ? locked(() -> model.tokenizer().encodeSpelled(text))
                        : new ModelTokenizer.Spelled(
                                locked(() -> model.tokenizer().encodeIds(text)), null);
        int[] t = spelled.ids();
        ObjectNode r = JSON.createObjectNode();
        ArrayNode a = r.putArray("tokens");
        for (int id : t) {
            a.add(id);
        }
        r.put("count", t.length);
        r.put("max_model_len", model.maxSequenceLength());
        if (strs) {
            ArrayNode names = r.putArray("token_strs");
            for (String name : spelled.tokens()) {
                names.add(name);
            }
        }
        return r;
    }

    private JsonNode detokenize(JsonNode req) {
        checkModel(req);
        JsonNode lists = req.path("token_lists");
        if (req.path("tokens").isMissingNode() && lists.isMissingNode()) {
            throw new Refusal(400, "tokens (or token_lists) is required");
        }
        ObjectNode r = JSON.createObjectNode();
        if (!req.path("tokens").isMissingNode()) {
            int[] t = tokenArray(req.path("tokens"), "tokens");
            r.put("prompt", locked(() -> model.tokenizer().decode(t)));
        }
        if (!lists.isMissingNode()) {
            if (!lists.isArray()) {
                throw new Refusal(400, "token_lists must be a list of token-id arrays");
            }
            // decoding is cheap: the body limit bounds the work
            List<int[]> all = new ArrayList<>(lists.size());
            for (JsonNode l : lists) {
                all.add(tokenArray(l, "token_lists[" + all.size() + "]"));
            }
            ArrayNode out = r.putArray("prompts");
            locked(() -> model.tokenizer().decode(all)).forEach(out::add);
        }
        return r;
    }

    private interface Locked<T> {
        T get();
    }

    private <T> T locked(Locked<T> f) {
        modelLock.lock();
        try {
            return f.get();
        } finally {
            modelLock.unlock();
        }
    }

    private int[] tokenArray(JsonNode a, String what) {
        if (!a.isArray()) {
            throw new Refusal(400, what + " must be an array of token ids");
        }
        int[] t = new int[a.size()];
        for (int i = 0; i < t.length; i++) {
            JsonNode x = a.get(i);
            if (!x.isIntegralNumber() || x.asLong() < 0 || x.asLong() >= model.vocabSize()) {
                throw new Refusal(
                        400,
                        what
                                + "["
                                + i
                                + "] = "
                                + x
                                + " is not a token id in 0.."
                                + (model.vocabSize() - 1));
            }
            t[i] = x.asInt();
        }
        return t;
    }

    /** One prompt of a request: its ids and, when given as text, the text. */
    private record Prompt(int[] ids, String text) {}

    private List<Prompt> prompts(JsonNode p) {
        List<Prompt> out = new ArrayList<>();
        if (p.isTextual()) {
            out.add(new Prompt(locked(() -> model.tokenizer().encodeIds(p.asText())), p.asText()));
        } else if (p.isArray() && (p.isEmpty() || p.get(0).isNumber())) {
            out.add(new Prompt(tokenArray(p, "prompt"), null));
        } else if (p.isArray()) {
            for (JsonNode e : p) {
                if (e.isTextual()) {
                    out.add(
                            new Prompt(
                                    locked(() -> model.tokenizer().encodeIds(e.asText())),
                                    e.asText()));
                } else {
                    out.add(new Prompt(tokenArray(e, "prompt"), null));
                }
            }
        } else {
            throw new Refusal(400, "prompt must be a string, a token-id array or a list of them");
        }
        if (out.size() > options.maxPrompts()) {
            throw new Refusal(
                    413,
                    out.size() + " prompts in one request; the limit is " + options.maxPrompts());
        }
        return out;
    }

    private static int intField(JsonNode req, String name, int dflt) {
        JsonNode n = req.path(name);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber()) {
            throw new Refusal(400, name + " must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static double doubleField(JsonNode req, String name, double dflt) {
        JsonNode n = req.path(name);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new Refusal(400, name + " must be a number, got " + n);
        }
        return n.asDouble();
    }

    private Object completions(JsonNode req, boolean chat) {
        List<String> unknown = new ArrayList<>();
        Set<String> known = chat ? CHAT_FIELDS : FIELDS;
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new Refusal(400, "unknown parameters: " + unknown);
        }
        checkModel(req);
        boolean stream = req.path("stream").asBoolean(false);
        JsonNode streamOptions = req.path("stream_options");
        boolean includeUsage = stream && streamOptions.path("include_usage").asBoolean(false);
        int n = intField(req, "n", 1);
        if (n < 1 || n > options.maxPrompts()) {
            throw new Refusal(
                    400, "n must be between 1 and " + options.maxPrompts() + ", got " + n);
        }
        int bestOf = intField(req, "best_of", n);
        if (bestOf != n && bestOf != 1) {
            throw new Refusal(
                    400, "best_of must equal n (no server-side selection), got " + bestOf);
        }
        List<String> stops = stops(req.path("stop"));
        if (doubleField(req, "frequency_penalty", 0) != 0
                || doubleField(req, "presence_penalty", 0) != 0) {
            throw new Refusal(400, "penalties are not supported");
        }
        if (doubleField(req, "min_p", 0) != 0
                || doubleField(req, "repetition_penalty", 1) != 1
                || doubleField(req, "repeat_penalty", 1) != 1) {
            throw new Refusal(400, "min_p and repetition penalties are not supported");
        }
        JsonNode bias = req.path("logit_bias");
        if (!bias.isMissingNode() && !bias.isNull() && !bias.isEmpty()) {
            throw new Refusal(400, "logit_bias is not supported");
        }
        JsonNode suffix = req.path("suffix");
        if (!suffix.isMissingNode() && !suffix.isNull()) {
            throw new Refusal(400, "suffix is not supported");
        }
        List<Prompt> prompts;
        int maxTokens;
        Integer logprobs;
        if (chat) {
            if (req.path("logprobs").asBoolean(false) || intField(req, "top_logprobs", 0) != 0) {
                throw new Refusal(400, "logprobs in chat are not supported (use /v1/completions)");
            }
            String text = chatTemplate.render(messages(req.path("messages")));
            prompts = List.of(new Prompt(locked(() -> model.tokenizer().encodeIds(text)), text));
            // unset: what the context leaves, at most CHAT_DEFAULT_MAX_TOKENS
            int room = model.maxSequenceLength() - prompts.get(0).ids().length;
            maxTokens =
                    intField(
                            req,
                            "max_completion_tokens",
                            intField(
                                    req,
                                    "max_tokens",
                                    Math.max(1, Math.min(CHAT_DEFAULT_MAX_TOKENS, room))));
            logprobs = null;
        } else {
            prompts = null;
            maxTokens = intField(req, "max_tokens", 16);
            JsonNode lpNode = req.path("logprobs");
            logprobs =
                    lpNode.isMissingNode() || lpNode.isNull() ? null : intField(req, "logprobs", 0);
        }
        double temperature = doubleField(req, "temperature", 1.0);
        double topP = doubleField(req, "top_p", 1.0);
        int topK = intField(req, "top_k", 0);
        boolean echo = !chat && req.path("echo").asBoolean(false);
        JsonNode plNode = req.path("prompt_logprobs");
        Integer promptLogprobs =
                chat || plNode.isMissingNode() || plNode.isNull()
                        ? null
                        : intField(req, "prompt_logprobs", 0);
        boolean idsAsTokens = req.path("return_tokens_as_token_ids").asBoolean(false);
        boolean ignoreEos = req.path("ignore_eos").asBoolean(false);
        for (Integer k : new Integer[] {logprobs, promptLogprobs}) {
            if (k != null && (k < 0 || k > options.maxLogprobs())) {
                throw new Refusal(
                        400,
                        "logprobs must be between 0 and " + options.maxLogprobs() + ", got " + k);
            }
        }
        if (stream && (logprobs != null || promptLogprobs != null)) {
            throw new Refusal(400, "logprobs with stream are not supported");
        }
        boolean scoring = (echo && logprobs != null) || promptLogprobs != null;
        if (maxTokens < 0 || (maxTokens == 0 && !scoring)) {
            throw new Refusal(
                    400,
                    "max_tokens must be ≥ 1 (0 only with echo and logprobs, or prompt_logprobs), got "
                            + maxTokens);
        }
        if (topK < 0) {
            topK = 0; // -1 = off, as in vLLM
        }
        long seed =
                req.path("seed").isIntegralNumber()
                        ? req.path("seed").asLong()
                        : unseeded.getAndIncrement();
        GenerationSettings settings =
                maxTokens == 0
                        ? null
                        : new GenerationSettings(
                                maxTokens, temperature, topK, topP, seed, !ignoreEos);
        if (prompts == null) {
            prompts = prompts(req.path("prompt"));
        }
        if ((long) prompts.size() * n > options.maxPrompts()) {
            throw new Refusal(
                    413,
                    prompts.size()
                            + " prompts × n "
                            + n
                            + " choices in one request; the limit is "
                            + options.maxPrompts());
        }
        long[] promptSeeds = rowSeeds(req.path("seeds"), prompts.size(), seed);
        // choice j of prompt i is row i·n + j, sampled with the prompt's seed + j
        long[] rowSeeds = new long[prompts.size() * n];
        for (int i = 0; i < prompts.size(); i++) {
            for (int j = 0; j < n; j++) {
                rowSeeds[i * n + j] = promptSeeds[i] + j;
            }
        }
        String id = (chat ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id);
        r.put("object", chat ? "chat.completion" : "text_completion");
        r.put("created", created);
        r.put("model", options.modelName());
        ArrayNode choices = r.putArray("choices");
        int promptTokens = 0;
        int completionTokens = 0;
        for (int i = 0; i < prompts.size(); i++) {
            Prompt p = prompts.get(i);
            int len = Math.max(1, p.ids().length);
            if (len + maxTokens > model.maxSequenceLength()) {
                throw new Refusal(
                        400,
                        "prompt "
                                + i
                                + " has "
                                + len
                                + " tokens; with max_tokens "
                                + maxTokens
                                + " that exceeds the model's "
                                + model.maxSequenceLength()
                                + " positions");
            }
            if (scoring && p.ids().length == 0) {
                throw new Refusal(400, "prompt " + i + " is empty: nothing to score");
            }
        }
        // the prompts are computed as one batch each, as a local caller would send them
        List<int[]> all = new ArrayList<>();
        prompts.forEach(p -> all.add(p.ids()));
        List<int[]> rows = new ArrayList<>();
        for (int[] p : all) {
            for (int j = 0; j < n; j++) {
                rows.add(p);
            }
        }
        List<ScoredSequence> scoredAll = scoring ? locked(() -> model.score(all, false)) : null;
        List<Generation> gens =
                settings == null ? null : locked(() -> model.generate(rows, rowSeeds, settings));
        List<Stopped> stopped = new ArrayList<>();
        for (int row = 0; row < rows.size(); row++) {
            stopped.add(gens == null ? null : stop(gens.get(row), stops));
        }
        int k =
                Math.max(
                        logprobs == null ? 0 : logprobs,
                        promptLogprobs == null ? 0 : promptLogprobs);
        List<float[][]> tops = null;
        if (k > 0 && (scoring || (gens != null && logprobs != null))) {
            List<int[]> seqs = new ArrayList<>();
            for (int row = 0; row < rows.size(); row++) {
                seqs.add(
                        gens == null
                                ? rows.get(row)
                                : concat(rows.get(row), gens.get(row).tokens()));
            }
            tops = topLogprobRows(seqs);
        }
        if (req.has("seeds")) {
            ArrayNode ack = r.putArray("seeds");
            for (long x : promptSeeds) {
                ack.add(x);
            }
        }
        List<List<String>> deltas = new ArrayList<>();
        for (int row = 0; row < rows.size(); row++) {
            int i = row / n;
            Prompt p = prompts.get(i);
            Stopped st = stopped.get(row);
            ObjectNode c =
                    choice(
                            p,
                            row,
                            st == null ? null : st.generation(),
                            st == null ? null : st.text(),
                            st != null && st.byString(),
                            tops == null ? null : tops.get(row),
                            echo,
                            logprobs,
                            promptLogprobs,
                            idsAsTokens,
                            scoredAll == null ? null : scoredAll.get(i));
            if (stream) {
                deltas.add(
                        deltas(
                                echo ? c.path("text").asText().substring(0, echoLength(c, st)) : "",
                                st == null ? new int[0] : st.generation().tokens(),
                                c.path("text").asText()));
            }
            if (chat) {
                String content = c.path("text").asText();
                c.remove("text");
                ObjectNode message = JSON.createObjectNode();
                message.put("role", "assistant");
                message.put("content", content);
                c.set("message", message);
                c.putNull("logprobs");
            }
            choices.add(c);
            if (row % n == 0) {
                promptTokens += p.ids().length;
            }
            completionTokens += c.path("completion_tokens").asInt();
            c.remove("completion_tokens");
        }
        ObjectNode usage = r.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return stream ? events(r, deltas, includeUsage, chat) : r;
    }

    /** Chars of the echoed prompt at the start of a choice's text. */
    private static int echoLength(ObjectNode c, Stopped st) {
        String text = c.path("text").asText();
        return st == null ? text.length() : text.length() - st.text().length();
    }

    /** A chat request: the messages and the completion settings. */
    private Object chat(JsonNode req) {
        return completions(req, true);
    }

    private static List<ChatTemplate.Message> messages(JsonNode m) {
        if (!m.isArray() || m.isEmpty()) {
            throw new Refusal(400, "messages must be a non-empty list");
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode e = m.get(i);
            if (!e.path("role").isTextual()) {
                throw new Refusal(400, "messages[" + i + "].role must be a string");
            }
            JsonNode content = e.path("content");
            String text;
            if (content.isTextual()) {
                text = content.asText();
            } else if (content.isArray()) {
                // content parts: text parts are joined; anything else (images) is refused
                StringBuilder b = new StringBuilder();
                for (JsonNode part : content) {
                    if (!"text".equals(part.path("type").asText())
                            || !part.path("text").isTextual()) {
                        throw new Refusal(
                                400, "messages[" + i + "].content: only text parts are supported");
                    }
                    b.append(part.path("text").asText());
                }
                text = b.toString();
            } else if (content.isNull() || content.isMissingNode()) {
                text = "";
            } else {
                throw new Refusal(
                        400, "messages[" + i + "].content must be a string or text parts");
            }
            out.add(new ChatTemplate.Message(e.path("role").asText(), text));
        }
        return out;
    }

    /** {@code stop}: a string or a list of at most {@value #MAX_STOPS} non-empty strings. */
    private static List<String> stops(JsonNode stop) {
        if (stop.isMissingNode() || stop.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw new Refusal(400, "stop must be a string or a list of strings");
                }
                out.add(s.asText());
            }
        } else {
            throw new Refusal(400, "stop must be a string or a list of strings");
        }
        if (out.size() > MAX_STOPS || out.stream().anyMatch(String::isEmpty)) {
            throw new Refusal(
                    400, "stop must hold 1 to " + MAX_STOPS + " non-empty strings, got " + out);
        }
        return out;
    }

    /**
     * A generation cut at its first stop string: {@code text} is the decoded generation up to the
     * stop string (excluded), {@code generation} keeps the tokens whose text lies wholly before it.
     */
    private record Stopped(Generation generation, String text, boolean byString) {}

    private Stopped stop(Generation g, List<String> stops) {
        String text = decode(g.tokens());
        int cut = -1;
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut < 0) {
            return new Stopped(g, text, false);
        }
        String kept = text.substring(0, cut);
        int j = 0;
        while (j < g.tokens().length) {
            String upTo = decode(Arrays.copyOf(g.tokens(), j + 1));
            if (upTo.length() > cut || !kept.startsWith(upTo)) {
                break;
            }
            j++;
        }
        return new Stopped(
                new Generation(
                        g.prefix(),
                        Arrays.copyOf(g.tokens(), j),
                        Arrays.copyOf(g.logprobs(), j),
                        false),
                kept,
                true);
    }

    /**
     * The pieces a stream sends for one choice, in order, whose concatenation is {@code full}: the
     * echoed prompt, then the text each token adds; a token that ends inside a character (its
     * decoding ends in U+FFFD or a lone high surrogate) waits for the next one.
     */
    private List<String> deltas(String head, int[] tokens, String full) {
        List<String> out = new ArrayList<>();
        int emitted = 0;
        if (!head.isEmpty()) {
            out.add(head);
            emitted = head.length();
        }
        for (int t = 1; t <= tokens.length; t++) {
            String cur = head + decode(Arrays.copyOf(tokens, t));
            int l = 0;
            int max = Math.min(cur.length(), full.length());
            while (l < max && cur.charAt(l) == full.charAt(l)) {
                l++;
            }
            while (l > emitted && cur.charAt(l - 1) == '\uFFFD') {
                l--;
            }
            if (l > emitted && Character.isHighSurrogate(full.charAt(l - 1))) {
                l--;
            }
            if (l > emitted) {
                out.add(full.substring(emitted, l));
                emitted = l;
            }
        }
        if (emitted < full.length()) {
            out.add(full.substring(emitted));
        }
        return out;
    }

    /** The streamed form of an answer: one chunk per piece of each choice, then its finish. */
    private static Events events(
            ObjectNode whole, List<List<String>> deltas, boolean includeUsage, boolean chat) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode choices = whole.path("choices");
        for (int c = 0; c < choices.size(); c++) {
            JsonNode choice = choices.get(c);
            int index = choice.path("index").asInt();
            if (chat) {
                ObjectNode first = chunk(whole, chat);
                ObjectNode ch = first.putArray("choices").addObject();
                ch.put("index", index);
                ch.putObject("delta").put("role", "assistant").put("content", "");
                ch.putNull("logprobs");
                ch.putNull("finish_reason");
                out.add(first);
            }
            for (String piece : deltas.get(c)) {
                ObjectNode e = chunk(whole, chat);
                ObjectNode ch = e.putArray("choices").addObject();
                ch.put("index", index);
                if (chat) {
                    ch.putObject("delta").put("content", piece);
                } else {
                    ch.put("text", piece);
                }
                ch.putNull("logprobs");
                ch.putNull("finish_reason");
                out.add(e);
            }
            ObjectNode last = chunk(whole, chat);
            ObjectNode ch = last.putArray("choices").addObject();
            ch.put("index", index);
            if (chat) {
                ch.putObject("delta");
            } else {
                ch.put("text", "");
            }
            ch.putNull("logprobs");
            ch.put("finish_reason", choice.path("finish_reason").asText());
            out.add(last);
        }
        if (includeUsage) {
            ObjectNode u = chunk(whole, chat);
            u.putArray("choices");
            u.set("usage", whole.path("usage"));
            out.add(u);
        }
        return new Events(out);
    }

    private static ObjectNode chunk(ObjectNode whole, boolean chat) {
        ObjectNode e = JSON.createObjectNode();
        e.set("id", whole.path("id"));
        e.put("object", chat ? "chat.completion.chunk" : "text_completion");
        e.set("created", whole.path("created"));
        e.set("model", whole.path("model"));
        return e;
    }

    /**
     * Per-seed of a request's rows: {@code seeds} (one per prompt) when given, else {@code seed}
     * for every row.
     */
    private static long[] rowSeeds(JsonNode seeds, int rows, long seed) {
        long[] out = new long[rows];
        if (seeds.isMissingNode() || seeds.isNull()) {
            Arrays.fill(out, seed);
            return out;
        }
        if (!seeds.isArray() || seeds.size() != rows) {
            throw new Refusal(
                    400,
                    "seeds must be a list of one integer per prompt ("
                            + rows
                            + "), got "
                            + (seeds.isArray() ? seeds.size() + " values" : seeds.toString()));
        }
        for (int i = 0; i < rows; i++) {
            if (!seeds.get(i).isIntegralNumber()) {
                throw new Refusal(400, "seeds[" + i + "] must be an integer, got " + seeds.get(i));
            }
            out[i] = seeds.get(i).asLong();
        }
        return out;
    }

    /**
     * Natural-log softmax rows of every sequence (null for an empty one), from batched forwards of
     * at most {@link #TOP_LOGITS_BUDGET} logits each.
     */
    private List<float[][]> topLogprobRows(List<int[]> seqs) {
        List<float[][]> out = new ArrayList<>(seqs.size());
        int v = model.vocabSize();
        int from = 0;
        while (from < seqs.size()) {
            if (seqs.get(from).length == 0) {
                out.add(null);
                from++;
                continue;
            }
            int to = from;
            int longest = 0;
            while (to < seqs.size() && seqs.get(to).length > 0) {
                int l = Math.max(longest, seqs.get(to).length);
                if (to > from && (long) (to - from + 1) * l * v > TOP_LOGITS_BUDGET) {
                    break;
                }
                longest = l;
                to++;
            }
            List<int[]> part = seqs.subList(from, to);
            for (float[][] logits : locked(() -> model.fullLogits(part))) {
                out.add(logSoftmaxRows(logits));
            }
            from = to;
        }
        return out;
    }

    private ObjectNode choice(
            Prompt p,
            int index,
            Generation gen,
            String genText,
            boolean stoppedByString,
            float[][] promptTop,
            boolean echo,
            Integer logprobs,
            Integer promptLogprobs,
            boolean idsAsTokens,
            ScoredSequence scored) {
        int[] prompt = p.ids();
        float[][] genTop = promptTop;
        ObjectNode c = JSON.createObjectNode();
        c.put("index", index);
        StringBuilder text = new StringBuilder();
        if (echo) {
            text.append(p.text() != null ? p.text() : decode(prompt));
        }
        if (gen != null) {
            text.append(genText);
        }
        c.put("text", text.toString());
        if (logprobs != null) {
            ObjectNode lp = c.putObject("logprobs");
            ArrayNode tokens = lp.putArray("tokens");
            ArrayNode values = lp.putArray("token_logprobs");
            ArrayNode tops = lp.putArray("top_logprobs");
            ArrayNode offsets = lp.putArray("text_offset");
            int offset = 0;
            if (echo) {
                for (int j = 0; j < prompt.length; j++) {
                    String piece = piece(prompt[j], idsAsTokens);
                    tokens.add(piece);
                    offsets.add(offset);
                    offset += cpLength(idsAsTokens ? text(prompt[j]) : piece);
                    if (j == 0) {
                        values.addNull();
                        tops.addNull();
                    } else {
                        values.add(scored.logprobs()[j]);
                        tops.add(
                                topObject(
                                        promptTop == null ? null : promptTop[j - 1],
                                        logprobs,
                                        prompt[j],
                                        scored.logprobs()[j],
                                        idsAsTokens));
                    }
                }
            }
            if (gen != null) {
                for (int j = 0; j < gen.tokens().length; j++) {
                    int id = gen.tokens()[j];
                    String piece = piece(id, idsAsTokens);
                    tokens.add(piece);
                    offsets.add(offset);
                    offset += cpLength(idsAsTokens ? text(id) : piece);
                    values.add(gen.logprobs()[j]);
                    int at = prompt.length - 1 + j; // -1: after the implicit BOS, not scored
                    float[] row = genTop == null || at < 0 ? null : genTop[at];
                    tops.add(topObject(row, logprobs, id, gen.logprobs()[j], idsAsTokens));
                }
            }
        }
        if (promptLogprobs != null) {
            ArrayNode pl = c.putArray("prompt_logprobs");
            pl.addNull();
            for (int j = 1; j < prompt.length; j++) {
                ObjectNode e = pl.addObject();
                if (promptTop != null) {
                    int[] best = topIndices(promptTop[j - 1], promptLogprobs);
                    for (int b = 0; b < best.length; b++) {
                        ObjectNode x = e.putObject(Integer.toString(best[b]));
                        x.put("logprob", promptTop[j - 1][best[b]]);
                        x.put("rank", b + 1);
                        x.put("decoded_token", text(best[b]));
                    }
                }
                // the prompt token itself, with the values local scoring gives (exact rank)
                ObjectNode own = e.putObject(Integer.toString(prompt[j]));
                own.put("logprob", scored.logprobs()[j]);
                own.put("rank", scored.ranks()[j]);
                own.put("decoded_token", text(prompt[j]));
            }
        }
        c.put(
                "finish_reason",
                gen != null && (gen.stoppedAtEos() || stoppedByString) ? "stop" : "length");
        c.put("completion_tokens", gen == null ? 0 : gen.tokens().length);
        return c;
    }

    private String decode(int[] t) {
        return locked(() -> model.tokenizer().decode(t));
    }

    /** The text of one token, decoded once per id. */
    private String text(int id) {
        String t = pieces.get(id);
        if (t == null) {
            t = decode(new int[] {id});
            pieces.set(id, t);
        }
        return t;
    }

    private String piece(int id, boolean idsAsTokens) {
        return idsAsTokens ? "token_id:" + id : text(id);
    }

    private static int cpLength(String s) {
        return s.codePointCount(0, s.length());
    }

    /** The top-k dict of one position, plus the chosen token (as vLLM does). */
    private JsonNode topObject(
            float[] row, int k, int chosen, float chosenLp, boolean idsAsTokens) {
        ObjectNode o = JSON.createObjectNode();
        if (row != null && k > 0) {
            for (int id : topIndices(row, k)) {
                o.put(piece(id, idsAsTokens), row[id]);
            }
        }
        String own = piece(chosen, idsAsTokens);
        if (!o.has(own)) {
            o.put(own, chosenLp);
        }
        return o;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Natural-log softmax of every row, in double precision, stored as float. */
    private static float[][] logSoftmaxRows(float[][] logits) {
        float[][] out = new float[logits.length][];
        for (int t = 0; t < logits.length; t++) {
            float[] row = logits[t];
            double max = Double.NEGATIVE_INFINITY;
            for (float x : row) {
                max = Math.max(max, x);
            }
            double z = 0;
            for (float x : row) {
                z += Math.exp(x - max);
            }
            double lz = max + Math.log(z);
            float[] o = new float[row.length];
            for (int i = 0; i < row.length; i++) {
                o[i] = (float) (row[i] - lz);
            }
            out[t] = o;
        }
        return out;
    }

    /** The ids of the k largest values, best first; ties by lower id. */
    private static int[] topIndices(float[] row, int k) {
        int n = Math.min(k, row.length);
        Integer[] idx = new Integer[row.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(
                idx,
                (a, b) -> row[a] != row[b] ? Float.compare(row[b], row[a]) : Integer.compare(a, b));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
