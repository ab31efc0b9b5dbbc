package dev.memaudit.model.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * JSON over HTTP/1.1 to one server or to several replicas of one model (the JDK client; HTTP/1.1
 * because some servers drop request bodies sent with an HTTP/2 upgrade). Transient faults are
 * retried with exponential backoff and jitter: 408, 429 (honouring {@code Retry-After}), 5xx,
 * connection resets, read timeouts and bodies that are not complete JSON. Other 4xx answers fail at
 * once. At most {@link EndpointConfig#maxInFlight()} requests are open at a time on each replica.
 * Thread-safe.
 *
 * <p>With several replicas each request goes to the live replica with the fewest requests
 * outstanding (ties: the one that has been sent fewest, then the first given). A transient fault
 * sends the request on to another live replica at once; only when every live replica has failed it
 * since the last wait does the request back off, and its retries are counted as with one server. A
 * replica that fails more than {@link EndpointConfig#maxRetries()} requests in a row is dropped
 * with a warning, unless it is the last one live; the others carry on. {@link #replicaStats()} says
 * which replica served how many requests.
 *
 * <p>Failures are {@link EndpointException}s (exit 4) naming the URL and reason; the API key is
 * sent only in the {@code Authorization} header and appears in no message.
 */
public final class CompletionsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(10);

    /** Waits between attempts; replaced in tests. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final EndpointConfig config;
    private final HttpClient http;
    private final List<Replica> replicas;
    private final Consumer<String> warnings;
    private final Sleeper sleeper;
    private final Random jitter;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();

    public CompletionsClient(EndpointConfig config) {
        this(List.of(config), System.err::println);
    }

    /** With an explicit sleeper and jitter source (tests). */
    public CompletionsClient(EndpointConfig config, Sleeper sleeper, Random jitter) {
        this(List.of(config), sleeper, jitter, System.err::println);
    }

    /** Several replicas of one model, waiting between attempts in real time. */
    public CompletionsClient(List<EndpointConfig> replicaConfigs, Consumer<String> warnings) {
        this(replicaConfigs, d -> Thread.sleep(d.toMillis()), new Random(), warnings);
    }

    /**
     * Several replicas of one model: the first one's settings (timeouts, retries, key, model) hold
     * for all; only the address differs.
     *
     * @param warnings where a dropped replica is reported (one line each)
     * @throws MemauditException usage when no replica is given or one is given twice
     */
    public CompletionsClient(
            List<EndpointConfig> replicaConfigs,
            Sleeper sleeper,
            Random jitter,
            Consumer<String> warnings) {
        if (replicaConfigs.isEmpty()) {
            throw MemauditException.usage("give at least one --endpoint");
        }
        EndpointConfig config = replicaConfigs.get(0);
        List<Replica> rs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (EndpointConfig c : replicaConfigs) {
            if (!seen.add(c.base())) {
                throw MemauditException.usage("--endpoint " + c.base() + " is given twice");
            }
            rs.add(new Replica(c.base(), config.maxInFlight()));
        }
        this.replicas = List.copyOf(rs);
        this.warnings = warnings;
        this.config = config;
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(config.connectTimeout())
                        // a redirect could carry the key to another host
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        this.sleeper = sleeper;
        this.jitter = jitter;
    }

    /** The settings (of the first replica; the others differ only in address). */
    public EndpointConfig config() {
        return config;
    }

    /** The replicas' base URLs, in the order given. */
    public List<String> bases() {
        return replicas.stream().map(r -> r.base).toList();
    }

    /** Requests that can be open at once over all replicas. */
    public int capacity() {
        return config.maxInFlight() * replicas.size();
    }

    /**
     * One replica's account: requests sent (retries included), answers it gave, faults, and whether
     * it was dropped and why.
     */
    public record ReplicaStats(
            String endpoint, long requests, long answered, long faults, String dropped) {}

    /** Every replica's account, in the order given. */
    public synchronized List<ReplicaStats> replicaStats() {
        return replicas.stream()
                .map(
                        r ->
                                new ReplicaStats(
                                        r.base, r.requests, r.answered, r.faults, r.droppedBecause))
                .toList();
    }

    /** A replica's state; guarded by the client's monitor. */
    private static final class Replica {
        final String base;
        final Semaphore inFlight;
        int outstanding;
        long requests;
        long answered;
        long faults;
        int faultsInARow;
        String droppedBecause;

        Replica(String base, int maxInFlight) {
            this.base = base;
            this.inFlight = new Semaphore(maxInFlight, true);
        }
    }

    /** The live replica, not in {@code skip}, with the fewest outstanding; null when none. */
    private synchronized Replica pick(Set<Replica> skip) {
        Replica best = null;
        for (Replica r : replicas) {
            if (r.droppedBecause != null || skip.contains(r)) {
                continue;
            }
            if (best == null
                    || r.outstanding < best.outstanding
                    || (r.outstanding == best.outstanding && r.requests < best.requests)) {
                best = r;
            }
        }
        if (best != null) {
            best.outstanding++;
            best.requests++;
        }
        return best;
    }

    private synchronized void settle(Replica r, Attempt a) {
        r.outstanding--;
        if (a.json != null) {
            r.answered++;
            r.faultsInARow = 0;
            return;
        }
        if (!a.retryable) {
            return; // the request's fault (4xx), not the replica's
        }
        r.faults++;
        r.faultsInARow++;
        long live = replicas.stream().filter(x -> x.droppedBecause == null).count();
        if (replicas.size() > 1
                && r.droppedBecause == null
                && r.faultsInARow > config.maxRetries()
                && live > 1) {
            r.droppedBecause = r.faultsInARow + " requests in a row failed, the last: " + a.problem;
            warnings.accept(
                    "memaudit: warning: replica "
                            + r.base
                            + " dropped after "
                            + r.droppedBecause
                            + "; "
                            + (live - 1)
                            + " replica(s) carry on");
        }
    }

    private synchronized boolean anyLive() {
        return replicas.stream().anyMatch(r -> r.droppedBecause == null);
    }

    /** Requests sent so far, retries included. */
    public long requestCount() {
        return requests.get();
    }

    /** Retries so far. */
    public long retryCount() {
        return retries.get();
    }

    /** Request body bytes sent so far (JSON, retries included; headers not counted). */
    public long bytesSent() {
        return bytesSent.get();
    }

    /** Response body bytes received so far (headers not counted). */
    public long bytesReceived() {
        return bytesReceived.get();
    }

    /** GET {@code base + path} and parse the JSON answer. */
    public JsonNode get(String path) {
        return send(path, null);
    }

    /** POST a JSON body to {@code base + path} and parse the JSON answer. */
    public JsonNode post(String path, JsonNode body) {
        return send(path, body);
    }

    private JsonNode send(String path, JsonNode body) {
        byte[] bytes = null;
        if (body != null) {
            try {
                bytes = JSON.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialize a request", e);
            }
        }
        String lastProblem = null;
        Throwable lastCause = null;
        Duration lastRetryAfter = null;
        int attempts = 0;
        // the replicas that failed this request since its last wait
        Set<Replica> failed = new HashSet<>();
        for (int retry = 0; ; ) {
            Replica r = pick(failed);
            if (r == null) {
                if (!anyLive()) {
                    throw new EndpointException(-1, "every replica was dropped", lastCause);
                }
                // every live replica failed this request: wait, then try them all again
                if (retry >= config.maxRetries()) {
                    break;
                }
                Duration wait = lastRetryAfter != null ? lastRetryAfter : backoff(retry);
                retry++;
                retries.incrementAndGet();
                failed.clear();
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EndpointException(
                            -1, path + ": interrupted while waiting to retry", e);
                }
                continue;
            }
            URI uri = URI.create(r.base + path);
            String what = (body == null ? "GET " : "POST ") + uri;
            HttpRequest request = request(uri, bytes);
            bytesSent.addAndGet(bytes == null ? 0 : bytes.length);
            attempts++;
            Attempt a = attempt(r.inFlight, request, what);
            settle(r, a);
            if (a.json != null) {
                return a.json;
            }
            if (!a.retryable) {
                throw new EndpointException(a.status, a.problem, a.cause);
            }
            lastProblem = a.problem;
            lastCause = a.cause;
            lastRetryAfter = a.retryAfter;
            failed.add(r);
        }
        throw new EndpointException(
                -1,
                lastProblem
                        + " (gave up after "
                        + attempts
                        + " attempts; is the server running and is --endpoint right?)",
                lastCause);
    }

    private HttpRequest request(URI uri, byte[] bytes) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri)
                        .timeout(config.readTimeout())
                        .header("Accept", "application/json");
        if (config.apiKey() != null && !config.apiKey().isEmpty()) {
            b.header("Authorization", "Bearer " + config.apiKey());
        }
        if (bytes == null) {
            b.GET();
        } else {
            b.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        return b.build();
    }

    /** Exponential backoff with "equal jitter": half fixed, half random. */
    Duration backoff(int attempt) {
        long base = config.baseBackoff().toMillis();
        long cap = config.maxBackoff().toMillis();
        long d = Math.min(cap, base << Math.min(attempt, 20));
        long half = d / 2;
        long j;
        synchronized (jitter) {
            j = half == 0 ? 0 : (long) (jitter.nextDouble() * (d - half + 1));
        }
        return Duration.ofMillis(half + j);
    }

    private record Attempt(
            JsonNode json,
            boolean retryable,
            int status,
            String problem,
            Duration retryAfter,
            Throwable cause) {
        static Attempt ok(JsonNode json) {
            return new Attempt(json, false, 200, null, null, null);
        }

        static Attempt transientFault(int status, String problem, Duration after, Throwable c) {
            return new Attempt(null, true, status, problem, after, c);
        }

        static Attempt fatal(int status, String problem, Throwable c) {
            return new Attempt(null, false, status, problem, null, c);
        }
    }

    private Attempt attempt(Semaphore inFlight, HttpRequest request, String what) {
        HttpResponse<byte[]> response;
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Attempt.fatal(-1, what + ": interrupted", e);
        }
        requests.incrementAndGet();
        CompletableFuture<HttpResponse<byte[]>> future = null;
        try {
            future = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
            // the request timeout covers the headers only; this bounds the body too
            response = future.get(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return Attempt.transientFault(
                    -1,
                    what + ": no complete answer within " + config.readTimeout().toSeconds() + " s",
                    null,
                    e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (c instanceof java.net.ConnectException) {
                return Attempt.transientFault(
                        -1, what + ": cannot connect (" + describe(c) + ")", null, c);
            }
            if (c instanceof java.net.http.HttpTimeoutException) {
                return Attempt.transientFault(
                        -1,
                        what + ": no answer within " + config.readTimeout().toSeconds() + " s",
                        null,
                        c);
            }
            if (c instanceof IOException) {
                return Attempt.transientFault(
                        -1, what + ": connection failed (" + describe(c) + ")", null, c);
            }
            return Attempt.fatal(-1, what + ": " + describe(c), c);
        } catch (InterruptedException e) {
            if (future != null) {
                future.cancel(true);
            }
            Thread.currentThread().interrupt();
            return Attempt.fatal(-1, what + ": interrupted", e);
        } finally {
            inFlight.release();
        }
        int status = response.statusCode();
        bytesReceived.addAndGet(response.body().length);
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (status == 429 || status == 408 || status >= 500) {
            return Attempt.transientFault(
                    status,
                    what + ": HTTP " + status + serverMessage(text),
                    status == 429 || status == 503 ? retryAfter(response) : null,
                    null);
        }
        if (status != 200) {
            String hint =
                    status == 401 || status == 403
                            ? " (check the API key named by --api-key-env)"
                            : status == 404 ? " (is this an OpenAI-compatible server?)" : "";
            return Attempt.fatal(
                    status, what + ": HTTP " + status + serverMessage(text) + hint, null);
        }
        try {
            JsonNode json = JSON.readTree(text);
            if (json == null || !json.isObject()) {
                return Attempt.fatal(
                        -1, what + ": the answer is not a JSON object: " + excerpt(text), null);
            }
            return Attempt.ok(json);
        } catch (JsonProcessingException e) {
            // a cut connection behind a proxy can deliver a short body with status 200
            return Attempt.transientFault(
                    -1,
                    what + ": the answer is not complete JSON (" + e.getOriginalMessage() + ")",
                    null,
                    e);
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The server's own error message, shortened, for the user. */
    private static String serverMessage(String body) {
        if (body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode m = n.path("error").path("message");
            if (m.isTextual()) {
                return ": " + excerpt(m.asText());
            }
            if (n.path("error").isTextual()) {
                return ": " + excerpt(n.path("error").asText());
            }
            if (n.path("message").isTextual()) {
                return ": " + excerpt(n.path("message").asText());
            }
        } catch (JsonProcessingException e) {
            // not JSON: show the start of the text
        }
        return ": " + excerpt(body);
    }

    static String excerpt(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 300 ? one : one.substring(0, 300) + "…";
    }

    /** {@code Retry-After} as seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpResponse<?> response) {
        String v = response.headers().firstValue("Retry-After").orElse(null);
        if (v == null) {
            return null;
        }
        Duration d;
        try {
            d = Duration.ofMillis((long) (Double.parseDouble(v.trim()) * 1000));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at =
                        ZonedDateTime.parse(
                                v.trim(),
                                DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT));
                d = Duration.between(ZonedDateTime.now(at.getZone()), at);
            } catch (java.time.format.DateTimeParseException e2) {
                return null;
            }
        }
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : d;
    }

    @Override
    public void close() {
        // the JDK 17 client has no close(); its threads end when it is unreachable
    }
}
