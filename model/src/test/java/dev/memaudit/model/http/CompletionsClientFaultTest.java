package dev.memaudit.model.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.error.ExitCategory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault injection against a real loopback server: what is retried, what fails, and how. */
class CompletionsClientFaultTest {
    private static final String OK = "{\"ok\":true,\"pad\":\"" + "x".repeat(400) + "\"}";
    private static final String KEY = "sk-test-do-not-print-9f3a";

    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    private FaultServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private CompletionsClient client(URI uri, Duration readTimeout) {
        EndpointConfig c =
                EndpointConfig.of(uri, "m", KEY, null)
                        .withTimeouts(Duration.ofSeconds(2), readTimeout)
                        .withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(1));
        return new CompletionsClient(c, sleeps::add, new Random(1));
    }

    private CompletionsClient client() {
        return client(server.uri(), Duration.ofSeconds(5));
    }

    @Test
    void honoursRetryAfterOn429() throws Exception {
        server =
                new FaultServer(r -> OK)
                        .then(
                                FaultServer.status(
                                        429,
                                        Map.of("Retry-After", "7"),
                                        "{\"error\":\"slow down\"}"));
        JsonNode r = client().get("/v1/models");
        assertThat(r.path("ok").asBoolean()).isTrue();
        assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void retries500WithJitteredExponentialBackoff() throws Exception {
        server =
                new FaultServer(r -> OK)
                        .then(
                                FaultServer.status(
                                        500, Map.of(), "{\"error\":{\"message\":\"boom\"}}"),
                                FaultServer.status(503, Map.of(), "busy"));
        CompletionsClient c = client();
        assertThat(
                        c.post("/v1/completions", FaultServer.JSON.createObjectNode())
                                .path("ok")
                                .asBoolean())
                .isTrue();
        assertThat(c.retryCount()).isEqualTo(2);
        // attempt 0: 100 ms → [50, 100]; attempt 1: 200 ms → [100, 200]
        assertThat(sleeps.get(0).toMillis()).isBetween(50L, 100L);
        assertThat(sleeps.get(1).toMillis()).isBetween(100L, 200L);
    }

    @Test
    void aSlowBodyHitsTheReadTimeoutAndIsRetried() throws Exception {
        server = new FaultServer(r -> OK).then(FaultServer.slowBody(3000, OK));
        CompletionsClient c = client(server.uri(), Duration.ofMillis(500));
        long t0 = System.nanoTime();
        assertThat(c.get("/v1/models").path("ok").asBoolean()).isTrue();
        assertThat(c.retryCount()).isEqualTo(1);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2500);
    }

    @Test
    void aConnectionResetMidResponseIsRetried() throws Exception {
        server = new FaultServer(r -> OK).then(FaultServer.resetMidBody(OK));
        CompletionsClient c = client();
        assertThat(c.get("/v1/models").path("ok").asBoolean()).isTrue();
        assertThat(c.retryCount()).isEqualTo(1);
    }

    @Test
    void truncatedJsonIsRetriedThenReportedAsABackendError() throws Exception {
        server =
                new FaultServer(r -> OK)
                        .then(
                                FaultServer.truncatedJson(OK),
                                FaultServer.truncatedJson(OK),
                                FaultServer.truncatedJson(OK),
                                FaultServer.truncatedJson(OK));
        CompletionsClient c = client();
        assertThatThrownBy(() -> c.get("/v1/models"))
                .isInstanceOf(EndpointException.class)
                .hasMessageContaining("not complete JSON")
                .hasMessageContaining("gave up after 4 attempts")
                .satisfies(
                        e ->
                                assertThat(((EndpointException) e).category())
                                        .isEqualTo(ExitCategory.BACKEND));
        assertThat(server.requests()).hasSize(4);
    }

    @Test
    void aClientErrorIsNotRetriedAndTheKeyIsNeverInTheMessage() throws Exception {
        server =
                new FaultServer(r -> OK)
                        .then(
                                FaultServer.status(
                                        401, Map.of(), "{\"error\":{\"message\":\"bad key\"}}"));
        CompletionsClient c = client();
        assertThatThrownBy(() -> c.get("/v1/models"))
                .isInstanceOf(EndpointException.class)
                .hasMessageContaining("HTTP 401: bad key")
                .hasMessageNotContaining(KEY)
                .satisfies(e -> assertThat(((EndpointException) e).status()).isEqualTo(401));
        assertThat(server.requests()).hasSize(1);
        // the key travels only as the bearer header, over HTTP/1.1 without an h2c upgrade
        FaultServer.Request r = server.requests().get(0);
        assertThat(r.headers()).containsEntry("Authorization", "Bearer " + KEY);
        assertThat(r.headers()).doesNotContainKey("Upgrade");
    }

    @Test
    void aServerThatIsDownIsABackendErrorAfterTheRetries() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CompletionsClient c = client(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2));
        assertThatThrownBy(() -> c.get("/v1/models"))
                .isInstanceOf(EndpointException.class)
                .hasMessageContaining("cannot connect")
                .hasMessageContaining("is the server running")
                .hasMessageNotContaining(KEY);
        assertThat(sleeps).hasSize(3);
    }

    @Test
    void requestsInFlightAreCapped() throws Exception {
        server = new FaultServer(r -> OK);
        // Counted between a request's arrival and the start of its answer: the client holds its
        // permit over that whole interval, so the count can never exceed the cap unless the client
        // lets more requests out (counting whole connections raced with the server's socket close).
        java.util.concurrent.atomic.AtomicInteger waiting =
                new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger peak =
                new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 8; i++) {
            server.then(
                    (r, s) -> {
                        peak.accumulateAndGet(waiting.incrementAndGet(), Math::max);
                        try {
                            Thread.sleep(150);
                        } finally {
                            waiting.decrementAndGet();
                        }
                        FaultServer.slowBody(0, OK).answer(r, s);
                    });
        }
        EndpointConfig cfg =
                EndpointConfig.of(server.uri(), "m", null, null)
                        .withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10))
                        .withMaxInFlight(2);
        CompletionsClient c = new CompletionsClient(cfg, sleeps::add, new Random(1));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<JsonNode>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> c.get("/v1/models")));
            }
            for (Future<JsonNode> f : fs) {
                assertThat(f.get().path("ok").asBoolean()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(peak.get()).isBetween(1, 2);
    }

    @Test
    void retryAfterAsAnHttpDateIsRead() throws Exception {
        String when =
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30));
        server =
                new FaultServer(r -> OK)
                        .then(FaultServer.status(429, Map.of("Retry-After", when), "{}"));
        client().get("/v1/models");
        assertThat(sleeps.get(0).toSeconds()).isBetween(25L, 30L);
    }
}
