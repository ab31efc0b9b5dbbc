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
 *   <li>OpenAI and llama.cpp knobs this server does not implement are accepted at their neutral
 *       values only ({@code min_p} 0, penalties 0 or 1, {@code n} 1); anything else unknown is a
 *       400;
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

    private CompletionsServer(DjlLanguageModel model, ServeOptions options) throws IOException {
        this.model = model;
        this.options = options;
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
        CompletionsServer s;
        try {
            s = new CompletionsServer(model, options);
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
                JsonNode answer =
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
                                yield limited(() -> completions(readBody(ex)));
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
                send(ex, 200, answer);
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
        JsonNode run();
    }

    private JsonNode limited(Call call) {
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

    private JsonNode completions(JsonNode req) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new Refusal(400, "unknown parameters: " + unknown);
        }
        checkModel(req);
        if (req.path("stream").asBoolean(false)) {
            throw new Refusal(400, "stream is not supported");
        }
        if (intField(req, "n", 1) != 1 || intField(req, "best_of", 1) != 1) {
            throw new Refusal(400, "only n = 1 and best_of = 1 are supported");
        }
        JsonNode stop = req.path("stop");
        if (!stop.isMissingNode() && !stop.isNull() && !(stop.isArray() && stop.isEmpty())) {
            throw new Refusal(400, "stop sequences are not supported");
        }
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
        int maxTokens = intField(req, "max_tokens", 16);
        double temperature = doubleField(req, "temperature", 1.0);
        double topP = doubleField(req, "top_p", 1.0);
        int topK = intField(req, "top_k", 0);
        boolean echo = req.path("echo").asBoolean(false);
        JsonNode lpNode = req.path("logprobs");
        Integer logprobs =
                lpNode.isMissingNode() || lpNode.isNull() ? null : intField(req, "logprobs", 0);
        JsonNode plNode = req.path("prompt_logprobs");
        Integer promptLogprobs =
                plNode.isMissingNode() || plNode.isNull()
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
        List<Prompt> prompts = prompts(req.path("prompt"));
        long[] rowSeeds = rowSeeds(req.path("seeds"), prompts.size(), seed);
        ObjectNode r = JSON.createObjectNode();
        r.put("id", "cmpl-" + ids.incrementAndGet());
        r.put("object", "text_completion");
        r.put("created", System.currentTimeMillis() / 1000);
        r.put("model", options.modelName());
        ArrayNode choices = r.putArray("choices");
        int promptTokens = 0;
        int completionTokens = 0;
        for (int i = 0; i < prompts.size(); i++) {
            Prompt p = prompts.get(i);
            int n = Math.max(1, p.ids().length);
            if (n + maxTokens > model.maxSequenceLength()) {
                throw new Refusal(
                        400,
                        "prompt "
                                + i
                                + " has "
                                + n
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
        List<ScoredSequence> scoredAll = scoring ? locked(() -> model.score(all, false)) : null;
        List<Generation> gens =
                settings == null ? null : locked(() -> model.generate(all, rowSeeds, settings));
        int k =
                Math.max(
                        logprobs == null ? 0 : logprobs,
                        promptLogprobs == null ? 0 : promptLogprobs);
        List<float[][]> tops = null;
        if (k > 0 && (scoring || (gens != null && logprobs != null))) {
            List<int[]> seqs = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                seqs.add(gens == null ? all.get(i) : concat(all.get(i), gens.get(i).tokens()));
            }
            tops = topLogprobRows(seqs);
        }
        if (req.has("seeds")) {
            ArrayNode ack = r.putArray("seeds");
            for (long x : rowSeeds) {
                ack.add(x);
            }
        }
        for (int i = 0; i < prompts.size(); i++) {
            Prompt p = prompts.get(i);
            ObjectNode c =
                    choice(
                            p,
                            i,
                            gens == null ? null : gens.get(i),
                            tops == null ? null : tops.get(i),
                            echo,
                            logprobs,
                            promptLogprobs,
                            idsAsTokens,
                            scoredAll == null ? null : scoredAll.get(i));
            choices.add(c);
            promptTokens += p.ids().length;
            completionTokens += c.path("completion_tokens").asInt();
            c.remove("completion_tokens");
        }
        ObjectNode usage = r.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return r;
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
            text.append(decode(gen.tokens()));
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
        c.put("finish_reason", gen != null && gen.stoppedAtEos() ? "stop" : "length");
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
