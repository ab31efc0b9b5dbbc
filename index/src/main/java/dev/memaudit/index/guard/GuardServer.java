package dev.memaudit.index.guard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.guard.GuardRecord;
import dev.memaudit.core.run.RunLedger;
import dev.memaudit.core.text.CodePoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible proxy that scans every generated text against an index before the client
 * sees it: {@code /v1/completions} and {@code /v1/chat/completions}, streaming and not, any {@code
 * n}; every other path ({@code /v1/models} among them) passes through unchanged. The upstream's
 * errors pass through with their status; an upstream that cannot be reached, is slower than the
 * read timeout, cuts its answer short or sends more than the byte limit gets a 502 (504 for the
 * timeout) with an OpenAI-style error body, as the HTTP backend ({@code CompletionsClient}) treats
 * such answers as failures. Each request is one line of the log ({@link GuardRecord}), forced to
 * the device when the answer is complete.
 *
 * <p>Streams: the events pass on as they come; each choice's accumulated text is scanned again
 * whenever a delta completes a word, and a passage is reported as soon as it is found, in an extra
 * chunk whose choice carries {@code memaudit.matches} (the new passages as found so far); a last
 * such chunk before {@code [DONE]} carries each choice's final matches with {@code "final": true}.
 * {@code block} ends the stream with an error event instead of the event that completed the passage
 * (the words before it have been sent: a passage is recognised once {@code min-words} of it have
 * been generated). {@code redact} cannot take back what was sent, so a redacted stream is held
 * until the upstream has finished and then sent as one delta per choice.
 */
public final class GuardServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        noDelay();
    }

    /**
     * Turns Nagle's algorithm off for the JDK's HTTP servers (unless set on the command line):
     * otherwise each small write (an SSE event, a short answer) can wait 40 ms for the client's
     * delayed ACK. The JDK reads the setting once, when the JVM's first server is made, so a
     * process that makes another server first (a benchmark's upstream) calls this before.
     */
    public static void noDelay() {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    static final String COMPLETIONS = "/v1/completions";
    static final String CHAT = "/v1/chat/completions";

    private final GuardScanner scanner;
    private final GuardOptions options;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final HttpClient http;
    private final RunLedger<GuardRecord> log;
    private final String idPrefix;
    private final AtomicLong ids = new AtomicLong();

    private GuardServer(GuardScanner scanner, GuardOptions options, Clock clock)
            throws IOException {
        this.scanner = scanner;
        this.options = options;
        this.clock = clock;
        this.log =
                options.log() == null
                        ? null
                        : RunLedger.open(options.log(), GuardRecord.class, true, true);
        this.idPrefix = "mg-" + Long.toString(clock.millis(), 36) + "-";
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(options.connectTimeout())
                        .build();
        this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
        this.executor =
                Executors.newFixedThreadPool(
                        options.threads(),
                        r -> {
                            Thread t = new Thread(r, "memaudit-guard");
                            t.setDaemon(true);
                            return t;
                        });
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "memaudit-guard-timer");
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * Binds and starts serving; the scanner's index stays owned by the caller.
     *
     * @throws MemauditException (usage) when the address cannot be bound
     */
    public static GuardServer start(GuardScanner scanner, GuardOptions options, Clock clock) {
        GuardServer s;
        try {
            s = new GuardServer(scanner, options, clock);
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

    /** The base URL clients use, ending in {@code /v1}. */
    public URI uri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + "/v1");
    }

    /** Stops accepting requests, lets those in flight finish for up to 5 s, closes the log. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        timer.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (log != null) {
            log.close();
        }
    }

    // ---------------------------------------------------------------- routing

    /** A refusal with an HTTP status, an error type and a message. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String type;
        final String outcome;

        Refusal(int status, String type, String outcome, String message) {
            super(message);
            this.status = status;
            this.type = type;
            this.outcome = outcome;
        }
    }

    /** What one request did, for its log line. */
    private final class Trace {
        final String id = idPrefix + ids.incrementAndGet();
        final String time = clock.instant().toString();
        final String path;
        boolean stream;
        String requestedModel;
        String upstreamModel;
        int status;
        String outcome;
        Long upstreamStart;
        Double upstreamMs;
        long guardNanos;
        boolean scanned;
        final List<GuardRecord.Match> matches = new ArrayList<>();
        String error;
        String request;
        final TreeMap<Integer, String> outputs = new TreeMap<>();
        boolean written;

        Trace(String path) {
            this.path = path;
        }

        void upstreamDone() {
            if (upstreamStart != null) {
                upstreamMs = (System.nanoTime() - upstreamStart) / 1e6;
            }
        }

        void record(int choice, List<GuardMatch> found) {
            for (GuardMatch m : found) {
                matches.add(
                        new GuardRecord.Match(
                                choice,
                                m.workId(),
                                m.match(),
                                m.words(),
                                m.similarity(),
                                m.outputCharStart(),
                                m.outputCharEnd(),
                                m.workCharStart(),
                                m.workCharEnd()));
            }
        }

        /**
         * Appends the log line, once: called just before the answer's last bytes go out, so a
         * client that has its answer finds it logged.
         */
        void write() {
            if (log == null || written) {
                return;
            }
            written = true;
            log.append(
                    new GuardRecord(
                            GuardRecord.SCHEMA_VERSION,
                            id,
                            time,
                            path,
                            stream,
                            requestedModel,
                            upstreamModel,
                            options.policy().id(),
                            status,
                            outcome,
                            upstreamMs,
                            scanned ? guardNanos / 1e6 : null,
                            List.copyOf(matches),
                            error,
                            options.logPrompts() ? request : null,
                            options.logPrompts() ? new ArrayList<>(outputs.values()) : null));
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            boolean guarded =
                    ex.getRequestMethod().equals("POST")
                            && (path.equals(COMPLETIONS) || path.equals(CHAT));
            if (!authorized(ex)) {
                sendError(
                        ex,
                        401,
                        error(401, "authentication_error", "missing or wrong bearer token"));
                return;
            }
            if (!guarded) {
                passThrough(ex);
                return;
            }
            Trace t = new Trace(path);
            ex.getResponseHeaders().set("X-Memaudit-Request-Id", t.id);
            try {
                guard(ex, t);
            } catch (Refusal r) {
                t.status = r.status;
                t.outcome = r.outcome;
                t.error = r.getMessage();
                t.write();
                try {
                    sendError(ex, r.status, error(r.status, r.type, r.getMessage()));
                } catch (IOException e) {
                    t.outcome = "client_gone";
                }
            } catch (IOException e) {
                // writing to the client failed: it went away
                t.outcome = "client_gone";
                t.error = "client connection: " + e.getMessage();
            } catch (RuntimeException e) {
                t.status = 500;
                t.outcome = "guard_error";
                t.error = e.toString();
                t.write();
                try {
                    sendError(ex, 500, error(500, "server_error", "guard error: " + e));
                } catch (IOException e2) {
                    t.outcome = "client_gone";
                }
            } finally {
                t.write();
            }
        }
    }

    private boolean authorized(HttpExchange ex) {
        if (options.token() == null) {
            return true;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        byte[] want = ("Bearer " + options.token()).getBytes(StandardCharsets.UTF_8);
        byte[] got = h == null ? new byte[0] : h.getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(want, got);
    }

    // ---------------------------------------------------------------- upstream

    /** An upstream answer being read, with the deadline that closes it. */
    private final class UpstreamAnswer implements AutoCloseable {
        final HttpResponse<InputStream> response;
        final InputStream body;
        final AtomicBoolean timedOut;
        final ScheduledFuture<?> deadline;
        long bytes;

        UpstreamAnswer(HttpResponse<InputStream> response, AtomicBoolean timedOut, long startNs) {
            this.response = response;
            this.body = response.body();
            this.timedOut = timedOut;
            long left = options.readTimeout().toNanos() - (System.nanoTime() - startNs);
            this.deadline =
                    timer.schedule(
                            () -> {
                                timedOut.set(true);
                                try {
                                    body.close();
                                } catch (IOException e) {
                                    // closing is how the read is ended; nothing to add
                                }
                            },
                            Math.max(0, left),
                            TimeUnit.NANOSECONDS);
        }

        /** Reads up to {@code buf.length} bytes, enforcing the byte limit; -1 at the end. */
        int read(byte[] buf) {
            int n;
            try {
                n = body.read(buf);
            } catch (IOException e) {
                throw failure(e);
            }
            if (n > 0) {
                bytes += n;
                if (bytes > options.maxUpstreamBytes()) {
                    throw new Refusal(
                            502,
                            "upstream_error",
                            "upstream_failed",
                            "the upstream answer is over " + options.maxUpstreamBytes() + " bytes");
                }
            }
            return n;
        }

        byte[] readAll() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }

        Refusal failure(IOException e) {
            if (timedOut.get()) {
                return new Refusal(
                        504,
                        "upstream_error",
                        "upstream_failed",
                        "the upstream sent no complete answer within "
                                + options.readTimeout().toSeconds()
                                + " s");
            }
            return new Refusal(
                    502,
                    "upstream_error",
                    "upstream_failed",
                    "the upstream connection failed after "
                            + bytes
                            + " bytes of its answer ("
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + ")");
        }

        @Override
        public void close() {
            deadline.cancel(false);
            try {
                body.close();
            } catch (IOException e) {
                // the answer is abandoned either way
            }
        }
    }

    private UpstreamAnswer send(HttpExchange ex, byte[] body, Trace t) {
        URI target =
                URI.create(
                        options.upstreamRoot()
                                + ex.getRequestURI().getRawPath()
                                + (ex.getRequestURI().getRawQuery() == null
                                        ? ""
                                        : "?" + ex.getRequestURI().getRawQuery()));
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(options.readTimeout());
        String method = ex.getRequestMethod();
        b.method(
                method,
                body == null || body.length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : List.of("Content-Type", "Accept", "OpenAI-Organization")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        if (options.upstreamKey() != null) {
            b.header("Authorization", "Bearer " + options.upstreamKey());
        } else if (options.token() == null) {
            String v = ex.getRequestHeaders().getFirst("Authorization");
            if (v != null) {
                b.header("Authorization", v);
            }
        }
        long start = System.nanoTime();
        if (t != null) {
            t.upstreamStart = start;
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        try {
            HttpResponse<InputStream> r =
                    http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            return new UpstreamAnswer(r, timedOut, start);
        } catch (HttpTimeoutException e) {
            throw new Refusal(
                    504,
                    "upstream_error",
                    "upstream_failed",
                    "the upstream did not answer within "
                            + options.readTimeout().toSeconds()
                            + " s ("
                            + e.getMessage()
                            + ")");
        } catch (IOException e) {
            throw new Refusal(
                    502,
                    "upstream_error",
                    "upstream_failed",
                    "cannot reach the upstream at "
                            + options.upstreamRoot()
                            + " ("
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, "server_error", "guard_error", "the guard is shutting down");
        }
    }

    private void passThrough(HttpExchange ex) throws IOException {
        byte[] body = readBody(ex, false);
        try (UpstreamAnswer a = send(ex, body, null)) {
            byte[] answer = a.readAll();
            copyHeaders(a.response, ex);
            sendBytes(ex, a.response.statusCode(), answer);
        } catch (Refusal r) {
            sendError(ex, r.status, error(r.status, r.type, r.getMessage()));
        }
    }

    private static void copyHeaders(HttpResponse<?> from, HttpExchange to) {
        from.headers()
                .firstValue("Content-Type")
                .ifPresent(v -> to.getResponseHeaders().set("Content-Type", v));
        from.headers()
                .firstValue("Retry-After")
                .ifPresent(v -> to.getResponseHeaders().set("Retry-After", v));
    }

    private byte[] readBody(HttpExchange ex, boolean required) {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(options.maxBodyBytes() + 1);
        } catch (IOException e) {
            throw new Refusal(
                    400,
                    "invalid_request_error",
                    "bad_request",
                    "cannot read the request body: " + e.getMessage());
        }
        if (body.length > options.maxBodyBytes()) {
            throw new Refusal(
                    413,
                    "invalid_request_error",
                    "bad_request",
                    "request body over " + options.maxBodyBytes() + " bytes");
        }
        if (required && body.length == 0) {
            throw new Refusal(
                    400, "invalid_request_error", "bad_request", "the body must be a JSON object");
        }
        return body;
    }

    // ---------------------------------------------------------------- guarded requests

    private void guard(HttpExchange ex, Trace t) throws IOException {
        byte[] body = readBody(ex, true);
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            throw new Refusal(
                    400,
                    "invalid_request_error",
                    "bad_request",
                    "the body is not JSON: " + e.getMessage());
        }
        if (req == null || !req.isObject()) {
            throw new Refusal(
                    400, "invalid_request_error", "bad_request", "the body must be a JSON object");
        }
        t.request = new String(body, StandardCharsets.UTF_8);
        t.stream = req.path("stream").asBoolean(false);
        t.requestedModel = req.path("model").isTextual() ? req.path("model").asText() : null;
        boolean chat = t.path.equals(CHAT);
        try (UpstreamAnswer a = send(ex, body, t)) {
            int status = a.response.statusCode();
            boolean sse =
                    a.response
                            .headers()
                            .firstValue("Content-Type")
                            .orElse("")
                            .toLowerCase(Locale.ROOT)
                            .startsWith("text/event-stream");
            if (status != 200 || !sse) {
                byte[] answer = a.readAll();
                t.upstreamDone();
                if (status != 200) {
                    t.status = status;
                    t.outcome = "upstream_error";
                    t.error = "upstream HTTP " + status + ": " + excerpt(answer);
                    t.write();
                    copyHeaders(a.response, ex);
                    sendBytes(ex, status, answer);
                    return;
                }
                whole(ex, t, answer, chat);
            } else {
                stream(ex, t, a, chat);
            }
        }
    }

    /** A complete (non-stream) answer. */
    private void whole(HttpExchange ex, Trace t, byte[] answer, boolean chat) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(answer);
        } catch (JsonProcessingException e) {
            throw new Refusal(
                    502,
                    "upstream_error",
                    "upstream_failed",
                    "the upstream answer is not complete JSON (" + e.getOriginalMessage() + ")");
        }
        if (json == null || !json.isObject() || !json.path("choices").isArray()) {
            throw new Refusal(
                    502,
                    "upstream_error",
                    "upstream_failed",
                    "the upstream answer has no choices: " + excerpt(answer));
        }
        t.upstreamModel = json.path("model").isTextual() ? json.path("model").asText() : null;
        long g0 = System.nanoTime();
        t.scanned = true;
        Map<Integer, List<GuardMatch>> found = new LinkedHashMap<>();
        Map<Integer, String> texts = new LinkedHashMap<>();
        int total = 0;
        int position = 0;
        for (JsonNode c : json.path("choices")) {
            int idx = c.path("index").isInt() ? c.path("index").asInt() : position;
            position++;
            String text = choiceText(c, chat);
            texts.put(idx, text);
            if (text != null) {
                t.outputs.put(idx, text);
            }
            List<GuardMatch> m = scanner.scan(text);
            found.put(idx, m);
            t.record(idx, m);
            total += m.size();
        }
        ex.getResponseHeaders().set("X-Memaudit-Matches", Integer.toString(total));
        if (total == 0) {
            t.guardNanos += System.nanoTime() - g0;
            t.status = 200;
            t.outcome = "passed";
            t.write();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            sendBytes(ex, 200, answer);
            return;
        }
        switch (options.policy()) {
            case BLOCK -> {
                ObjectNode err = blocked(found);
                t.guardNanos += System.nanoTime() - g0;
                t.status = 451;
                t.outcome = "blocked";
                t.error = err.path("error").path("message").asText();
                t.write();
                sendError(ex, 451, err);
                return;
            }
            case ANNOTATE -> {
                position = 0;
                for (JsonNode c : json.path("choices")) {
                    int idx = c.path("index").isInt() ? c.path("index").asInt() : position;
                    position++;
                    List<GuardMatch> m = found.get(idx);
                    if (!m.isEmpty()) {
                        ((ObjectNode) c).set("memaudit", memaudit(m, false));
                    }
                }
                t.outcome = "annotated";
            }
            case REDACT -> {
                position = 0;
                for (JsonNode c : json.path("choices")) {
                    int idx = c.path("index").isInt() ? c.path("index").asInt() : position;
                    position++;
                    List<GuardMatch> m = found.get(idx);
                    if (!m.isEmpty()) {
                        setChoiceText((ObjectNode) c, chat, redact(texts.get(idx), m));
                        ObjectNode note = memaudit(m, false);
                        note.put("redacted", true);
                        ((ObjectNode) c).set("memaudit", note);
                    }
                }
                t.outcome = "redacted";
            }
            default -> throw new IllegalStateException(options.policy().toString());
        }
        byte[] out = JSON.writeValueAsBytes(json);
        t.guardNanos += System.nanoTime() - g0;
        t.status = 200;
        t.write();
        ex.getResponseHeaders().set("Content-Type", "application/json");
        sendBytes(ex, 200, out);
    }

    /** One choice's generated text in a complete answer; null when it has none. */
    private static String choiceText(JsonNode c, boolean chat) {
        JsonNode n = chat ? c.path("message").path("content") : c.path("text");
        return n.isTextual() ? n.asText() : null;
    }

    private static void setChoiceText(ObjectNode c, boolean chat, String text) {
        if (chat) {
            ((ObjectNode) c.path("message")).put("content", text);
        } else {
            c.put("text", text);
        }
    }

    /** One choice's text delta in a stream event; null when the event has none. */
    private static String deltaText(JsonNode c, boolean chat) {
        JsonNode n = chat ? c.path("delta").path("content") : c.path("text");
        return n.isTextual() ? n.asText() : null;
    }

    // ---------------------------------------------------------------- streams

    /** The state of one choice of a stream. */
    private static final class StreamChoice {
        final StringBuilder text = new StringBuilder();

        /** Per work, the output ranges (code points) already reported. */
        final Map<String, List<int[]>> reported = new HashMap<>();

        boolean scannedToEnd = true;
    }

    /**
     * The passages found in the last words of a stream's text, with offsets into the whole text. A
     * passage becomes reportable when its last word arrives, and then it spans about {@code
     * min-words} words (more for a near passage with insertions), so the last {@code max(64, 4 ×
     * min-words)} words hold every new one; scanning them instead of the whole text keeps a long
     * stream's cost linear. The final scan at the end of the stream sees the whole text.
     */
    private List<GuardMatch> scanTail(StringBuilder text) {
        int want = Math.max(64, 4 * scanner.minWords());
        int start = 0;
        int words = 0;
        for (int i = text.length() - 1; i > 0; i--) {
            if (Character.isWhitespace(text.charAt(i - 1))
                    && !Character.isWhitespace(text.charAt(i))) {
                if (++words == want) {
                    start = i;
                    break;
                }
            }
        }
        if (start == 0) {
            return scanner.scan(text.toString());
        }
        String tail = text.substring(start);
        int shift = text.codePointCount(0, start);
        List<GuardMatch> out = new ArrayList<>();
        for (GuardMatch m : scanner.scan(tail)) {
            out.add(
                    new GuardMatch(
                            m.workId(),
                            m.title(),
                            m.authors(),
                            m.rightsholder(),
                            m.license(),
                            m.reservation(),
                            m.match(),
                            m.words(),
                            m.similarity(),
                            m.outputCharStart() + shift,
                            m.outputCharEnd() + shift,
                            m.workCharStart(),
                            m.workCharEnd()));
        }
        return out;
    }

    private void stream(HttpExchange ex, Trace t, UpstreamAnswer a, boolean chat)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        t.status = 200;
        OutputStream out = ex.getResponseBody();
        TreeMap<Integer, StreamChoice> choices = new TreeMap<>();
        ObjectNode template = null; // the last event's envelope, for the guard's own chunks
        boolean redact = options.policy() == GuardPolicy.REDACT;
        List<String> held = new ArrayList<>(); // redact: the events after the text, held
        SseReader events = new SseReader(a);
        boolean done = false;
        try {
            for (SseReader.Event e; (e = events.next()) != null; ) {
                if (e.data() == null) {
                    if (!redact) {
                        write(out, e.raw());
                    }
                    continue;
                }
                if (e.data().strip().equals("[DONE]")) {
                    done = true;
                    break;
                }
                JsonNode chunk;
                try {
                    chunk = JSON.readTree(e.data());
                } catch (JsonProcessingException x) {
                    throw new Refusal(
                            502,
                            "upstream_error",
                            "upstream_failed",
                            "an upstream stream event is not JSON ("
                                    + x.getOriginalMessage()
                                    + ")");
                }
                if (chunk == null || !chunk.isObject() || !chunk.path("choices").isArray()) {
                    // an error event or something the guard does not know: pass it on
                    if (chunk != null && chunk.has("error")) {
                        t.outcome = "upstream_error";
                        t.error =
                                "upstream error event: "
                                        + excerpt(e.data().getBytes(StandardCharsets.UTF_8));
                    }
                    if (!redact) {
                        write(out, e.raw());
                    } else {
                        held.add(e.raw());
                    }
                    continue;
                }
                template = (ObjectNode) chunk;
                if (chunk.path("model").isTextual()) {
                    t.upstreamModel = chunk.path("model").asText();
                }
                long g0 = System.nanoTime();
                t.scanned = true;
                Map<Integer, List<GuardMatch>> fresh = new TreeMap<>();
                boolean hasText = false;
                int position = 0;
                for (JsonNode c : chunk.path("choices")) {
                    int idx = c.path("index").isInt() ? c.path("index").asInt() : position;
                    position++;
                    String d = deltaText(c, chat);
                    StreamChoice sc = choices.computeIfAbsent(idx, k -> new StreamChoice());
                    if (d == null || d.isEmpty()) {
                        continue;
                    }
                    hasText = true;
                    sc.text.append(d);
                    if (redact) {
                        sc.scannedToEnd = false;
                        continue;
                    }
                    // a passage can only grow or appear when a word is complete
                    if (!endsWord(d)) {
                        sc.scannedToEnd = false;
                        continue;
                    }
                    sc.scannedToEnd = true;
                    List<GuardMatch> m = newMatches(sc, scanTail(sc.text));
                    if (!m.isEmpty()) {
                        fresh.put(idx, m);
                    }
                }
                t.guardNanos += System.nanoTime() - g0;
                if (redact) {
                    if (!hasText) {
                        held.add(e.raw());
                    }
                    continue;
                }
                if (!fresh.isEmpty() && options.policy() == GuardPolicy.BLOCK) {
                    block(out, t, fresh);
                    return;
                }
                write(out, e.raw());
                if (!fresh.isEmpty()) {
                    write(out, dataEvent(annotationChunk(template, fresh, chat, false)));
                }
            }
            t.upstreamDone();
            long g0 = System.nanoTime();
            Map<Integer, List<GuardMatch>> finals = new TreeMap<>();
            for (Map.Entry<Integer, StreamChoice> c : choices.entrySet()) {
                String text = c.getValue().text.toString();
                t.outputs.put(c.getKey(), text);
                List<GuardMatch> m = scanner.scan(text);
                t.scanned = true;
                t.record(c.getKey(), m);
                if (!m.isEmpty()) {
                    finals.put(c.getKey(), m);
                }
            }
            t.guardNanos += System.nanoTime() - g0;
            if (!finals.isEmpty() && options.policy() == GuardPolicy.BLOCK) {
                t.matches.clear();
                block(out, t, finals);
                return;
            }
            if (redact) {
                if (template != null) {
                    for (Map.Entry<Integer, StreamChoice> c : choices.entrySet()) {
                        String text = c.getValue().text.toString();
                        List<GuardMatch> m = finals.getOrDefault(c.getKey(), List.of());
                        ObjectNode chunk =
                                textChunk(
                                        template,
                                        c.getKey(),
                                        chat,
                                        m.isEmpty() ? text : redact(text, m),
                                        m.isEmpty()
                                                ? null
                                                : memaudit(m, true).put("redacted", true));
                        write(out, dataEvent(chunk));
                    }
                }
                for (String h : held) {
                    write(out, h);
                }
                t.outcome = finals.isEmpty() ? "passed" : "redacted";
            } else {
                if (!finals.isEmpty()) {
                    write(out, dataEvent(annotationChunk(template, finals, chat, true)));
                }
                if (t.outcome == null) {
                    t.outcome = finals.isEmpty() ? "passed" : "annotated";
                }
            }
            if (!done) {
                t.outcome = "upstream_failed";
                t.error = "the upstream stream ended without [DONE]";
                t.write();
                write(out, dataEvent(error(502, "upstream_error", t.error)));
                return;
            }
            t.write();
            write(out, "data: [DONE]\n\n");
        } catch (Refusal r) {
            // the status line is gone: the failure becomes the stream's last event
            t.upstreamDone();
            t.outcome = r.outcome;
            t.error = r.getMessage();
            t.write();
            write(out, dataEvent(error(r.status, r.type, r.getMessage())));
        } finally {
            out.close();
        }
    }

    private static boolean endsWord(String delta) {
        int last = delta.codePointBefore(delta.length());
        return !Character.isLetterOrDigit(last) || delta.chars().anyMatch(Character::isWhitespace);
    }

    /**
     * The matches not reported yet for this choice: those overlapping no reported range of the same
     * work (a passage that grows, or is seen again through a later tail, is not new); marks them
     * reported and widens the ranges they touch.
     */
    private static List<GuardMatch> newMatches(StreamChoice sc, List<GuardMatch> all) {
        List<GuardMatch> out = new ArrayList<>();
        for (GuardMatch m : all) {
            List<int[]> ranges = sc.reported.computeIfAbsent(m.workId(), k -> new ArrayList<>());
            boolean seen = false;
            for (int[] r : ranges) {
                if (m.outputCharStart() < r[1] && r[0] < m.outputCharEnd()) {
                    r[0] = Math.min(r[0], m.outputCharStart());
                    r[1] = Math.max(r[1], m.outputCharEnd());
                    seen = true;
                }
            }
            if (!seen) {
                ranges.add(new int[] {m.outputCharStart(), m.outputCharEnd()});
                out.add(m);
            }
        }
        return out;
    }

    private void block(OutputStream out, Trace t, Map<Integer, List<GuardMatch>> found)
            throws IOException {
        t.matches.clear();
        for (Map.Entry<Integer, List<GuardMatch>> e : found.entrySet()) {
            t.record(e.getKey(), e.getValue());
        }
        ObjectNode err = blocked(found);
        t.outcome = "blocked";
        t.error = err.path("error").path("message").asText();
        t.write();
        write(out, dataEvent(err));
    }

    /** A chunk like the upstream's whose choices carry only the guard's annotation. */
    private static ObjectNode annotationChunk(
            ObjectNode template, Map<Integer, List<GuardMatch>> found, boolean chat, boolean last) {
        ObjectNode chunk = envelope(template);
        ArrayNode cs = chunk.putArray("choices");
        for (Map.Entry<Integer, List<GuardMatch>> e : found.entrySet()) {
            ObjectNode c = cs.addObject();
            c.put("index", e.getKey());
            if (chat) {
                c.putObject("delta");
            } else {
                c.put("text", "");
                c.putNull("logprobs");
            }
            c.putNull("finish_reason");
            c.set("memaudit", memaudit(e.getValue(), last));
        }
        return chunk;
    }

    private static ObjectNode textChunk(
            ObjectNode template, int index, boolean chat, String text, ObjectNode note) {
        ObjectNode chunk = envelope(template);
        ObjectNode c = chunk.putArray("choices").addObject();
        c.put("index", index);
        if (chat) {
            ObjectNode d = c.putObject("delta");
            d.put("role", "assistant");
            d.put("content", text);
        } else {
            c.put("text", text);
            c.putNull("logprobs");
        }
        c.putNull("finish_reason");
        if (note != null) {
            c.set("memaudit", note);
        }
        return chunk;
    }

    private static ObjectNode envelope(ObjectNode template) {
        ObjectNode chunk = JSON.createObjectNode();
        for (String f : List.of("id", "object", "created", "model")) {
            if (template != null && template.has(f)) {
                chunk.set(f, template.get(f));
            }
        }
        return chunk;
    }

    private static String dataEvent(JsonNode n) {
        try {
            return "data: " + JSON.writeValueAsString(n) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ---------------------------------------------------------------- bodies

    /** The {@code memaudit} object of a choice. */
    static ObjectNode memaudit(List<GuardMatch> matches, boolean last) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode a = o.putArray("matches");
        for (GuardMatch m : matches) {
            ObjectNode n = a.addObject();
            n.put("work_id", m.workId());
            n.put("title", m.title());
            ArrayNode authors = n.putArray("authors");
            m.authors().forEach(authors::add);
            n.put("rightsholder", m.rightsholder());
            n.put("license", m.license());
            if (m.reservation() == null) {
                n.putNull("reservation");
            } else {
                ObjectNode r = n.putObject("reservation");
                r.put("kind", m.reservation().kind());
                r.put("since", m.reservation().since());
                r.put("url", m.reservation().url());
            }
            n.put("match", m.match());
            n.put("words", m.words());
            n.put("similarity", m.similarity());
            n.put("output_char_start", m.outputCharStart());
            n.put("output_char_end", m.outputCharEnd());
            n.put("work_char_start", m.workCharStart());
            n.put("work_char_end", m.workCharEnd());
        }
        if (last) {
            o.put("final", true);
        }
        return o;
    }

    /** The 451 body: an OpenAI-style error naming the works. */
    private static ObjectNode blocked(Map<Integer, List<GuardMatch>> found) {
        Map<String, GuardMatch> works = new TreeMap<>();
        int n = 0;
        for (List<GuardMatch> ms : found.values()) {
            for (GuardMatch m : ms) {
                works.putIfAbsent(m.workId(), m);
                n++;
            }
        }
        List<String> names = new ArrayList<>();
        for (GuardMatch m : works.values()) {
            names.add(describe(m));
        }
        ObjectNode e =
                error(
                        451,
                        "memorized_content",
                        "the completion reproduces "
                                + (n == 1 ? "a passage" : n + " passages")
                                + " of "
                                + String.join("; ", names));
        ObjectNode inner = (ObjectNode) e.get("error");
        inner.put("code", "memorized_content");
        ArrayNode ws = inner.putArray("works");
        for (GuardMatch m : works.values()) {
            ObjectNode w = ws.addObject();
            w.put("work_id", m.workId());
            w.put("title", m.title());
            ArrayNode authors = w.putArray("authors");
            m.authors().forEach(authors::add);
            w.put("rightsholder", m.rightsholder());
            w.put("license", m.license());
        }
        return e;
    }

    private static String describe(GuardMatch m) {
        return (m.title() == null ? m.workId() : "\u201c" + m.title() + "\u201d")
                + (m.rightsholder() == null ? "" : " (" + m.rightsholder() + ")");
    }

    /**
     * {@code text} with each matched passage (overlapping ones merged) replaced by a notice naming
     * the work(s) and licence(s).
     */
    static String redact(String text, List<GuardMatch> matches) {
        List<GuardMatch> sorted = new ArrayList<>(matches);
        sorted.sort(
                java.util.Comparator.comparingInt(GuardMatch::outputCharStart)
                        .thenComparingInt(GuardMatch::outputCharEnd));
        StringBuilder out = new StringBuilder();
        int cp = CodePoints.count(text);
        int at = 0;
        int i = 0;
        while (i < sorted.size()) {
            int start = sorted.get(i).outputCharStart();
            int end = sorted.get(i).outputCharEnd();
            Map<String, GuardMatch> works = new TreeMap<>();
            works.put(sorted.get(i).workId(), sorted.get(i));
            int j = i + 1;
            while (j < sorted.size() && sorted.get(j).outputCharStart() < end) {
                end = Math.max(end, sorted.get(j).outputCharEnd());
                works.putIfAbsent(sorted.get(j).workId(), sorted.get(j));
                j++;
            }
            out.append(CodePoints.substring(text, at, start));
            List<String> parts = new ArrayList<>();
            for (GuardMatch m : works.values()) {
                parts.add(describe(m) + (m.license() == null ? "" : ", licence: " + m.license()));
            }
            out.append("[memaudit: passage of ")
                    .append(String.join("; ", parts))
                    .append(" redacted]");
            at = end;
            i = j;
        }
        out.append(CodePoints.substring(text, at, cp));
        return out.toString();
    }

    private static ObjectNode error(int status, String type, String message) {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode inner = e.putObject("error");
        inner.put("message", message);
        inner.put("type", type);
        inner.putNull("param");
        inner.put("code", status);
        return e;
    }

    private static void sendError(HttpExchange ex, int status, JsonNode body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        sendBytes(ex, status, JSON.writeValueAsBytes(body));
    }

    private static void sendBytes(HttpExchange ex, int status, byte[] bytes) throws IOException {
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String excerpt(byte[] body) {
        String one = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return one.length() <= 300 ? one : one.substring(0, 300) + "\u2026";
    }

    // ---------------------------------------------------------------- SSE

    /** Reads server-sent events: one {@code data} payload per event (lines joined by newlines). */
    private static final class SseReader {
        record Event(String raw, String data) {}

        private final UpstreamAnswer in;
        private final byte[] buf = new byte[1 << 14];
        private int pos;
        private int len;
        private boolean eof;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        SseReader(UpstreamAnswer in) {
            this.in = in;
        }

        /** The next line without its end, or null at the end of the stream. */
        private String nextLine() {
            line.reset();
            while (true) {
                if (pos == len) {
                    if (eof) {
                        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                    }
                    len = in.read(buf);
                    pos = 0;
                    if (len < 0) {
                        len = 0;
                        eof = true;
                        continue;
                    }
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.UTF_8);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                line.write(b);
            }
        }

        /** The next event, or null at the end of the stream. */
        Event next() {
            StringBuilder raw = new StringBuilder();
            StringBuilder data = null;
            for (String l; (l = nextLine()) != null; ) {
                if (l.isEmpty()) {
                    if (raw.length() == 0) {
                        continue;
                    }
                    raw.append('\n');
                    return new Event(raw.toString(), data == null ? null : data.toString());
                }
                raw.append(l).append('\n');
                if (l.startsWith("data:")) {
                    String v = l.substring(5);
                    v = v.startsWith(" ") ? v.substring(1) : v;
                    data = data == null ? new StringBuilder(v) : data.append('\n').append(v);
                }
            }
            if (raw.length() == 0) {
                return null;
            }
            raw.append('\n');
            return new Event(raw.toString(), data == null ? null : data.toString());
        }
    }
}
