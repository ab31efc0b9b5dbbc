package dev.memaudit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real OpenAI-compatible server for the guard's tests: {@code /v1/models}, {@code
 * /v1/completions} and {@code /v1/chat/completions}, streaming (server-sent events, one word per
 * delta) and not, any {@code n}. It always generates the same text: {@link #memberText()} (a
 * passage of {@code corpora-sample}'s The Cartographer's Daughter between two sentences of its own)
 * when the prompt (or the last chat message) holds {@code MEMBER}, else {@link #NON_MEMBER}. Other
 * words in the prompt ask for faults: {@code ERROR400} (a 400 with an OpenAI-style body), {@code
 * TRUNCATE} (a body cut short of its Content-Length), {@code HUGE} (a 2 MiB answer), {@code SLOW}
 * (a stream with 150 ms between deltas).
 */
final class OpenAiUpstream implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Text found in no work of corpora-sample (written for this test). */
    static final String NON_MEMBER =
            "Quarterly figures for the regional bus network show that punctuality improved on"
                    + " most routes, although the coastal line still suffers from roadworks near"
                    + " the old quarry and from a shortage of drivers on weekend mornings.";

    static final String INTRO = "Here is the passage you asked for: ";
    static final String OUTRO = " I hope this helps with your essay on maps.";

    private final HttpServer server;
    private final String passage;
    final AtomicInteger requests = new AtomicInteger();

    OpenAiUpstream(Path repoRoot) throws IOException {
        String[] words =
                Files.readString(
                                repoRoot.resolve(
                                        "corpora-sample/works/the-cartographers-daughter.txt"),
                                StandardCharsets.UTF_8)
                        .split("\\s+");
        // 50 words of the work's prose (II.), whitespace rewrapped as single spaces
        this.passage = String.join(" ", java.util.Arrays.copyOfRange(words, 319, 369));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(
                Executors.newFixedThreadPool(
                        8,
                        r -> {
                            Thread t = new Thread(r, "test-upstream");
                            t.setDaemon(true);
                            return t;
                        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The work's words that {@link #memberText()} quotes. */
    String passage() {
        return passage;
    }

    String memberText() {
        return INTRO + passage + OUTRO;
    }

    /** The base URL with {@code /v1}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            requests.incrementAndGet();
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v1/models")) {
                send(
                        ex,
                        200,
                        "{\"object\":\"list\",\"data\":[{\"id\":\"test-model\",\"object\":\"model\",\"owned_by\":\"test\"}]}");
                return;
            }
            boolean chat = path.equals("/v1/chat/completions");
            if (!chat && !path.equals("/v1/completions")) {
                send(
                        ex,
                        404,
                        "{\"error\":{\"message\":\"no route "
                                + path
                                + "\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
            String prompt =
                    chat
                            ? req.path("messages")
                                    .path(req.path("messages").size() - 1)
                                    .path("content")
                                    .asText()
                            : req.path("prompt").asText();
            if (prompt.contains("ERROR400")) {
                send(
                        ex,
                        400,
                        "{\"error\":{\"message\":\"the upstream refuses ERROR400\",\"type\":\"invalid_request_error\",\"code\":400}}");
                return;
            }
            if (prompt.contains("TRUNCATE")) {
                byte[] b =
                        "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"te"
                                .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, b.length + 500);
                OutputStream out = ex.getResponseBody();
                out.write(b);
                out.flush();
                // closing the exchange short of the declared length cuts the connection
                return;
            }
            String text = prompt.contains("MEMBER") ? memberText() : NON_MEMBER;
            if (prompt.contains("HUGE")) {
                text = "word ".repeat(2 << 19);
            }
            int n = req.path("n").asInt(1);
            String model = req.path("model").asText("test-model");
            if (req.path("stream").asBoolean(false)) {
                stream(ex, chat, model, text, n, prompt.contains("SLOW") ? 150 : 0);
            } else {
                ObjectNode r = JSON.createObjectNode();
                r.put("id", chat ? "chatcmpl-test" : "cmpl-test");
                r.put("object", chat ? "chat.completion" : "text_completion");
                r.put("created", 1_700_000_000L);
                r.put("model", model);
                ArrayNode cs = r.putArray("choices");
                for (int i = 0; i < n; i++) {
                    ObjectNode c = cs.addObject();
                    c.put("index", i);
                    if (chat) {
                        ObjectNode m = c.putObject("message");
                        m.put("role", "assistant");
                        m.put("content", text);
                    } else {
                        c.put("text", text);
                        c.putNull("logprobs");
                    }
                    c.put("finish_reason", "stop");
                }
                ObjectNode u = r.putObject("usage");
                u.put("prompt_tokens", 5);
                u.put("completion_tokens", 60);
                u.put("total_tokens", 65);
                send(ex, 200, JSON.writeValueAsString(r));
            }
        }
    }

    private static void stream(
            HttpExchange ex, boolean chat, String model, String text, int n, long pauseMs)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        List<String> deltas = new ArrayList<>();
        for (String w : text.split("(?<= )")) {
            deltas.add(w);
        }
        if (chat) {
            for (int i = 0; i < n; i++) {
                event(out, chunk(chat, model, i, null, true, null));
            }
        }
        try {
            for (String d : deltas) {
                for (int i = 0; i < n; i++) {
                    event(out, chunk(chat, model, i, d, false, null));
                }
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (int i = 0; i < n; i++) {
            event(out, chunk(chat, model, i, chat ? null : "", false, "stop"));
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    private static ObjectNode chunk(
            boolean chat, String model, int index, String text, boolean role, String finish) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", chat ? "chatcmpl-test" : "cmpl-test");
        r.put("object", chat ? "chat.completion.chunk" : "text_completion");
        r.put("created", 1_700_000_000L);
        r.put("model", model);
        ObjectNode c = r.putArray("choices").addObject();
        c.put("index", index);
        if (chat) {
            ObjectNode d = c.putObject("delta");
            if (role) {
                d.put("role", "assistant");
                d.put("content", "");
            }
            if (text != null) {
                d.put("content", text);
            }
        } else {
            c.put("text", text == null ? "" : text);
            c.putNull("logprobs");
        }
        if (finish == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finish);
        }
        return r;
    }

    private static void event(OutputStream out, JsonNode chunk) throws IOException {
        out.write(
                ("data: " + JSON.writeValueAsString(chunk) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
