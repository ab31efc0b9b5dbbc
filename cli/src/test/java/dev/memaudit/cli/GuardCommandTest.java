package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.records.RecordReader;
import dev.memaudit.core.records.guard.GuardRecord;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.index.build.IndexBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memaudit guard} in this JVM in front of {@link OpenAiUpstream} (a real HTTP server that
 * speaks OpenAI JSON and SSE), with the JDK HTTP client: a member text gets matches naming the work
 * whose offsets cut the passage from the choice's text and the work's text, a non-member passes
 * byte for byte, block gives 451, redact replaces the passage, a stream reports its match before
 * {@code [DONE]} (block: an error event instead), upstream errors keep their status, truncated and
 * oversized answers are 502, and every request is one log line.
 */
class GuardCommandTest {
    @TempDir static Path tmp;
    static OpenAiUpstream upstream;
    static Guard annotate;
    static Guard block;
    static Guard redact;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String work;

    /** A running guard in this JVM. */
    record Guard(Thread thread, AtomicReference<Cli.Result> result, String url, Path log) {
        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(20_000);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path root = Cli.repoRoot();
        work =
                Files.readString(
                        root.resolve("corpora-sample/works/the-cartographers-daughter.txt"),
                        StandardCharsets.UTF_8);
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(
                        root.resolve("corpora-sample"),
                        tmp.resolve("index"),
                        new IndexBuilder.Options(8, true, 1));
        upstream = new OpenAiUpstream(root);
        annotate = guard("annotate");
        block = guard("block");
        redact = guard("redact");
    }

    static Guard guard(String policy) throws Exception {
        return guard(policy, policy);
    }

    static Guard guard(String name, String policy) throws Exception {
        Path ready = tmp.resolve(name + ".url");
        Path log = tmp.resolve(name + "-log/guard.jsonl");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "guard",
                                "--upstream",
                                upstream.url(),
                                "--index",
                                tmp.resolve("index").toString(),
                                "--port",
                                "0",
                                "--policy",
                                policy,
                                "--log",
                                log.toString(),
                                "--log-prompts",
                                "--max-upstream-bytes",
                                "1048576",
                                "--ready-file",
                                ready.toString()));
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(Cli.run(args)));
        t.start();
        for (int i = 0; i < 1200 && !Files.exists(ready) && t.isAlive(); i++) {
            Thread.sleep(25);
        }
        assertThat(ready).as("guard started: %s", result.get()).exists();
        Thread.sleep(50);
        return new Guard(t, result, Files.readString(ready).trim(), log);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Guard g : new Guard[] {annotate, block, redact}) {
            if (g != null) {
                g.stop();
            }
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    static HttpResponse<String> post(String base, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return OpenAiUpstream.JSON.readTree(r.body());
    }

    static String completion(String prompt, int n, boolean stream) {
        return "{\"model\":\"test-model\",\"prompt\":\""
                + prompt
                + "\",\"max_tokens\":500,\"n\":"
                + n
                + ",\"stream\":"
                + stream
                + "}";
    }

    static String chat(String content, boolean stream) {
        return "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + content
                + "\"}],\"stream\":"
                + stream
                + "}";
    }

    /** Checks one match against the member text and the work. */
    static void assertCutsThePassage(String choiceText, JsonNode m) {
        assertThat(m.path("work_id").asText()).isEqualTo("the-cartographers-daughter");
        assertThat(m.path("title").asText()).isEqualTo("The Cartographer's Daughter");
        assertThat(m.path("authors").get(0).asText()).isEqualTo("Ilse Varga-Munro");
        assertThat(m.path("rightsholder").asText()).isEqualTo("Kestrel & Vane Publishers");
        assertThat(m.path("license").asText()).startsWith("All rights reserved");
        assertThat(m.has("reservation")).isTrue();
        String cut =
                CodePoints.substring(
                        choiceText,
                        m.path("output_char_start").asInt(),
                        m.path("output_char_end").asInt());
        assertThat(upstream.passage()).contains(cut);
        assertThat(cut.length()).isGreaterThan(upstream.passage().length() * 9 / 10);
        String inWork =
                CodePoints.substring(
                        work, m.path("work_char_start").asInt(), m.path("work_char_end").asInt());
        assertThat(inWork.replaceAll("\\s+", " ")).isEqualTo(cut);
        assertThat(m.path("words").asInt()).isBetween(45, 50);
        assertThat(m.path("match").asText()).isIn("exact", "near");
    }

    @Test
    void aMemberCompletionCarriesMatchesWhoseOffsetsCutThePassage() throws Exception {
        HttpResponse<String> r =
                post(annotate.url(), "/completions", completion("MEMBER", 2, false));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("choices")).hasSize(2);
        int count = 0;
        for (JsonNode c : body.path("choices")) {
            assertThat(c.path("text").asText()).isEqualTo(upstream.memberText());
            JsonNode ms = c.path("memaudit").path("matches");
            assertThat(ms.size()).isPositive();
            for (JsonNode m : ms) {
                assertCutsThePassage(c.path("text").asText(), m);
                count++;
            }
        }
        assertThat(r.headers().firstValue("X-Memaudit-Matches")).contains(Integer.toString(count));
        assertThat(r.headers().firstValue("X-Memaudit-Request-Id")).isPresent();
    }

    @Test
    void aMemberChatAnswerCarriesMatches() throws Exception {
        HttpResponse<String> r =
                post(annotate.url(), "/chat/completions", chat("MEMBER please", false));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode c = json(r).path("choices").get(0);
        String text = c.path("message").path("content").asText();
        JsonNode ms = c.path("memaudit").path("matches");
        assertThat(ms.size()).isPositive();
        assertCutsThePassage(text, ms.get(0));
    }

    @Test
    void aNonMemberPassesUnchanged() throws Exception {
        String req = completion("tell me about buses", 1, false);
        HttpResponse<String> direct = post(upstream.url(), "/completions", req);
        HttpResponse<String> r = post(annotate.url(), "/completions", req);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(direct.body());
        assertThat(r.headers().firstValue("X-Memaudit-Matches")).contains("0");
        HttpResponse<String> c = post(annotate.url(), "/chat/completions", chat("buses", false));
        assertThat(json(c).path("choices").get(0).has("memaudit")).isFalse();
    }

    @Test
    void blockAnswers451NamingTheWork() throws Exception {
        HttpResponse<String> r = post(block.url(), "/completions", completion("MEMBER", 1, false));
        assertThat(r.statusCode()).isEqualTo(451);
        JsonNode e = json(r).path("error");
        assertThat(e.path("type").asText()).isEqualTo("memorized_content");
        assertThat(e.path("message").asText()).contains("The Cartographer's Daughter");
        assertThat(e.path("works").get(0).path("work_id").asText())
                .isEqualTo("the-cartographers-daughter");
        assertThat(post(block.url(), "/completions", completion("buses", 1, false)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void redactReplacesThePassageByANotice() throws Exception {
        HttpResponse<String> r = post(redact.url(), "/chat/completions", chat("MEMBER", false));
        assertThat(r.statusCode()).isEqualTo(200);
        String text = json(r).path("choices").get(0).path("message").path("content").asText();
        assertThat(text)
                .startsWith(OpenAiUpstream.INTRO.substring(0, 10))
                .contains("[memaudit: passage of \u201cThe Cartographer's Daughter\u201d")
                .contains("licence: All rights reserved")
                .doesNotContain(upstream.passage().substring(40, 120));
        HttpResponse<String> s = post(redact.url(), "/completions", completion("MEMBER", 1, true));
        String streamed = streamedText(s.body(), false);
        assertThat(streamed)
                .contains("[memaudit: passage of")
                .doesNotContain(upstream.passage().substring(40, 120));
        assertThat(s.body()).endsWith("data: [DONE]\n\n");
    }

    /** The concatenated text deltas of choice 0 of an SSE body. */
    static String streamedText(String sse, boolean chat) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String data : events(sse)) {
            if (data.equals("[DONE]")) {
                continue;
            }
            JsonNode c = OpenAiUpstream.JSON.readTree(data).path("choices").path(0);
            if (c.path("index").asInt() != 0) {
                continue;
            }
            JsonNode t = chat ? c.path("delta").path("content") : c.path("text");
            if (t.isTextual()) {
                sb.append(t.asText());
            }
        }
        return sb.toString();
    }

    static List<String> events(String sse) {
        List<String> out = new ArrayList<>();
        for (String e : sse.split("\n\n")) {
            if (e.startsWith("data: ")) {
                out.add(e.substring(6));
            }
        }
        return out;
    }

    @Test
    void aStreamReportsTheMatchBeforeDone() throws Exception {
        HttpResponse<String> r =
                post(annotate.url(), "/completions", completion("MEMBER", 2, true));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/event-stream");
        List<String> ev = events(r.body());
        assertThat(ev.get(ev.size() - 1)).isEqualTo("[DONE]");
        int firstMatch = -1;
        int finalMatch = -1;
        StringBuilder before = new StringBuilder();
        for (int i = 0; i < ev.size() - 1; i++) {
            JsonNode c = OpenAiUpstream.JSON.readTree(ev.get(i)).path("choices").path(0);
            if (c.has("memaudit")) {
                if (firstMatch < 0) {
                    firstMatch = i;
                }
                if (c.path("memaudit").path("final").asBoolean(false)) {
                    finalMatch = i;
                    assertCutsThePassage(
                            upstream.memberText(), c.path("memaudit").path("matches").get(0));
                }
            } else if (firstMatch < 0 && c.path("index").asInt() == 0) {
                before.append(c.path("text").asText());
            }
        }
        assertThat(firstMatch).as("a match chunk").isPositive();
        assertThat(finalMatch).as("the final matches before [DONE]").isEqualTo(ev.size() - 2);
        // found incrementally: before the whole passage had been generated
        assertThat(before.length())
                .isLessThan(upstream.memberText().length() - OpenAiUpstream.OUTRO.length());
        assertThat(streamedText(r.body(), false)).isEqualTo(upstream.memberText());
    }

    @Test
    void aBlockedStreamEndsWithAnErrorEvent() throws Exception {
        HttpResponse<String> r = post(block.url(), "/chat/completions", chat("MEMBER", true));
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> ev = events(r.body());
        JsonNode last = OpenAiUpstream.JSON.readTree(ev.get(ev.size() - 1));
        assertThat(last.path("error").path("type").asText()).isEqualTo("memorized_content");
        assertThat(r.body()).doesNotContain("[DONE]");
        assertThat(streamedText(r.body(), true)).doesNotContain(upstream.passage());
        HttpResponse<String> ok = post(block.url(), "/chat/completions", chat("buses", true));
        assertThat(streamedText(ok.body(), true)).isEqualTo(OpenAiUpstream.NON_MEMBER);
        assertThat(ok.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void upstreamFaultsKeepTheirStatusOrBecome502() throws Exception {
        HttpResponse<String> e =
                post(annotate.url(), "/completions", completion("ERROR400", 1, false));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(json(e).path("error").path("message").asText()).contains("refuses ERROR400");
        HttpResponse<String> t =
                post(annotate.url(), "/completions", completion("TRUNCATE", 1, false));
        assertThat(t.statusCode()).isEqualTo(502);
        assertThat(json(t).path("error").path("type").asText()).isEqualTo("upstream_error");
        HttpResponse<String> h = post(annotate.url(), "/completions", completion("HUGE", 1, false));
        assertThat(h.statusCode()).isEqualTo(502);
        assertThat(json(h).path("error").path("message").asText()).contains("over 1048576 bytes");
        HttpResponse<String> models =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(annotate.url() + "/models")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(json(models).path("data").get(0).path("id").asText()).isEqualTo("test-model");
        HttpResponse<String> bad = post(annotate.url(), "/completions", "{not json");
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    @Test
    void badSettingsAreUsageErrorsNamingTheValue() {
        String index = tmp.resolve("index").toString();
        Cli.run("guard", "--upstream", upstream.url(), "--index", index, "--policy", "allow")
                .exits(2)
                .noStackTrace();
        assertThat(
                        Cli.run(
                                        "guard",
                                        "--upstream",
                                        upstream.url(),
                                        "--index",
                                        index,
                                        "--policy",
                                        "allow")
                                .err())
                .contains("--policy must be annotate, block or redact, got \"allow\"");
        assertThat(Cli.run("guard", "--upstream", "ftp://host/v1", "--index", index).exits(2).err())
                .contains("--upstream must be an http:// or https:// URL");
        assertThat(
                        Cli.run(
                                        "guard",
                                        "--upstream",
                                        upstream.url(),
                                        "--index",
                                        index,
                                        "--min-words",
                                        "4")
                                .exits(2)
                                .err())
                .contains("--min-words must be at least the index's ngram (8), got 4");
    }

    @Test
    void everyRequestIsOneLogRecord() throws Exception {
        Guard g = guard("logged", "annotate");
        Path log = g.log();
        try {
            post(g.url(), "/completions", completion("MEMBER", 1, false));
            post(g.url(), "/chat/completions", chat("buses", true));
            post(g.url(), "/completions", completion("ERROR400", 1, false));
        } finally {
            g.stop();
        }
        List<GuardRecord> rs = new ArrayList<>();
        try (RecordReader<GuardRecord> in = RecordReader.open(log, GuardRecord.class)) {
            for (GuardRecord x; (x = in.next()) != null; ) {
                rs.add(x);
            }
        }
        assertThat(rs).hasSize(3);
        assertThat(rs.get(0).outcome()).isEqualTo("annotated");
        assertThat(rs.get(0).matches()).isNotEmpty();
        assertThat(rs.get(0).matches().get(0).workId()).isEqualTo("the-cartographers-daughter");
        assertThat(rs.get(0).upstreamModel()).isEqualTo("test-model");
        assertThat(rs.get(0).outputs()).containsExactly(upstream.memberText());
        assertThat(rs.get(0).guardMs()).isNotNull();
        assertThat(rs.get(1).stream()).isTrue();
        assertThat(rs.get(1).outcome()).isEqualTo("passed");
        assertThat(rs.get(1).matches()).isEmpty();
        assertThat(rs.get(2).status()).isEqualTo(400);
        assertThat(rs.get(2).outcome()).isEqualTo("upstream_error");
        assertThat(rs).extracting(GuardRecord::requestId).doesNotHaveDuplicates();
    }
}
