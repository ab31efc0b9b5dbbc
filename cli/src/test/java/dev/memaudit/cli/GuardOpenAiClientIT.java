package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.records.RecordReader;
import dev.memaudit.core.records.guard.GuardRecord;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.index.build.IndexBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memaudit guard} as its own process (a JVM running {@code Main guard}) in front of {@link
 * OpenAiUpstream}, driven by the official {@code openai} npm client (installed by {@code .ci/run}
 * into {@code .ci/npm}) and by curl for the raw protocol: completions and chat, streaming and not,
 * matches naming the work with offsets that cut the passage, none for a non-member, 451 and a
 * stream error event under {@code block}, the match chunk before the end of the stream; then the
 * guard is killed ({@code SIGKILL}) mid-stream and its log reads back whole, and a guard started
 * again on it appends.
 *
 * <p>Needs {@code node}, {@code curl} and {@code .ci/npm/node_modules/openai}: skipped without
 * them, failed under {@code CI=true}.
 */
class GuardOpenAiClientIT {
    @TempDir static Path tmp;
    static Path root;
    static OpenAiUpstream upstream;
    static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        root = Cli.repoRoot();
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(
                        root.resolve("corpora-sample"),
                        tmp.resolve("index"),
                        new IndexBuilder.Options(8, true, 1));
        upstream = new OpenAiUpstream(root);
    }

    @AfterAll
    static void tearDown() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    static void require(boolean ok, String what) {
        if (!ok && "true".equals(System.getenv("CI"))) {
            fail(what + "; CI installs it (.ci/run)");
        }
        assumeTrue(ok, what);
    }

    static boolean onPath(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** A guard in a child JVM; returns its process and base URL. */
    record Guard(Process process, String url, Path log) {}

    static Guard guard(String name, String policy, Path log) throws Exception {
        Path ready = tmp.resolve(name + ".url");
        Files.deleteIfExists(ready);
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx512m",
                                "-cp",
                                System.getProperty("java.class.path"),
                                "dev.memaudit.cli.Main",
                                "guard",
                                "--upstream",
                                upstream.url().replace("/v1", ""),
                                "--index",
                                tmp.resolve("index").toString(),
                                "--port",
                                "0",
                                "--policy",
                                policy,
                                "--ready-file",
                                ready.toString()));
        if (log != null) {
            cmd.addAll(List.of("--log", log.toString()));
        }
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(tmp.resolve(name + ".out").toFile())
                        .start();
        processes.add(p);
        for (int i = 0; i < 1200 && !Files.exists(ready) && p.isAlive(); i++) {
            Thread.sleep(25);
        }
        assertThat(ready)
                .as("guard %s started: %s", name, Files.readString(tmp.resolve(name + ".out")))
                .exists();
        Thread.sleep(50);
        return new Guard(p, Files.readString(ready).trim(), log);
    }

    static String run(List<String> cmd, java.util.Map<String, String> env) throws Exception {
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s:%n%s", cmd, out).isZero();
        return out;
    }

    static void assertCuts(String text, JsonNode matches) {
        assertThat(matches.isArray() && matches.size() > 0).as("matches: %s", matches).isTrue();
        for (JsonNode m : matches) {
            assertThat(m.path("work_id").asText()).isEqualTo("the-cartographers-daughter");
            assertThat(m.path("title").asText()).isEqualTo("The Cartographer's Daughter");
            String cut =
                    CodePoints.substring(
                            text,
                            m.path("output_char_start").asInt(),
                            m.path("output_char_end").asInt());
            assertThat(upstream.passage()).contains(cut);
            assertThat(cut.length()).isGreaterThan(upstream.passage().length() * 9 / 10);
        }
    }

    @Test
    void theOfficialClientSeesMatchesBlocksAndStreamedMatches() throws Exception {
        Path client = root.resolve(".ci/npm/node_modules/openai/package.json");
        require(onPath("node"), "node is not on the PATH");
        require(
                Files.exists(client),
                client + " is missing (npm install --prefix .ci/npm openai@6)");
        Guard annotate = guard("annotate", "annotate", null);
        Guard block = guard("block", "block", null);
        Path script =
                Path.of(GuardOpenAiClientIT.class.getResource("/guard/openai-client.cjs").toURI());
        String out =
                run(
                        List.of("node", script.toString(), annotate.url(), block.url()),
                        java.util.Map.of(
                                "NODE_PATH", root.resolve(".ci/npm/node_modules").toString()));
        JsonNode r = OpenAiUpstream.JSON.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
        String member = upstream.memberText();

        assertThat(r.path("completion").path("text").asText()).isEqualTo(member);
        assertCuts(member, r.path("completion").path("memaudit").path("matches"));
        assertThat(r.path("chat").path("text").asText()).isEqualTo(member);
        assertCuts(member, r.path("chat").path("memaudit").path("matches"));

        assertThat(r.path("nonMember").path("text").asText()).isEqualTo(OpenAiUpstream.NON_MEMBER);
        assertThat(r.path("nonMember").path("memaudit").isNull()).isTrue();
        assertThat(r.path("nonMember").path("header").asText()).isEqualTo("0");

        for (String s : List.of("completionStream", "chatStream")) {
            JsonNode st = r.path(s);
            assertThat(st.path("text").asText()).as(s).isEqualTo(member);
            JsonNode at = st.path("matchesAt");
            assertThat(at.size()).as(s + " match chunks").isPositive();
            // the first match arrives before the passage has been streamed to its end
            assertThat(at.get(0).path("textSoFar").asInt())
                    .as(s)
                    .isLessThan(member.length() - OpenAiUpstream.OUTRO.length());
            assertThat(at.get(at.size() - 1).path("chunk").asInt())
                    .as(s + ": the final match chunk is the stream's last")
                    .isEqualTo(st.path("chunks").asInt());
            assertCuts(member, st.path("final").path("matches"));
        }

        assertThat(r.path("blocked").path("status").asInt()).isEqualTo(451);
        assertThat(r.path("blocked").path("type").asText()).isEqualTo("memorized_content");
        assertThat(r.path("blockedStream").path("error").asText()).isEqualTo("memorized_content");

        // curl: the raw protocol
        require(onPath("curl"), "curl is not on the PATH");
        String head =
                run(
                        List.of(
                                "curl",
                                "-s",
                                "-i",
                                "-H",
                                "Content-Type: application/json",
                                "-d",
                                "{\"model\":\"test-model\",\"prompt\":\"MEMBER\"}",
                                annotate.url() + "/completions"),
                        java.util.Map.of());
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("X-Memaudit-Matches: ");
        String sse =
                run(
                        List.of(
                                "curl",
                                "-s",
                                "-N",
                                "-H",
                                "Content-Type: application/json",
                                "-d",
                                "{\"model\":\"test-model\",\"prompt\":\"MEMBER\",\"stream\":true}",
                                annotate.url() + "/completions"),
                        java.util.Map.of());
        List<String> events = List.of(sse.split("\n\n"));
        assertThat(events).allMatch(e -> e.startsWith("data: "));
        assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
        assertThat(events.get(events.size() - 2))
                .contains("\"memaudit\"")
                .contains("\"final\":true");
        String blocked =
                run(
                        List.of(
                                "curl",
                                "-s",
                                "-o",
                                "/dev/null",
                                "-w",
                                "%{http_code}",
                                "-H",
                                "Content-Type: application/json",
                                "-d",
                                "{\"model\":\"test-model\",\"prompt\":\"MEMBER\"}",
                                block.url() + "/completions"),
                        java.util.Map.of());
        assertThat(blocked).isEqualTo("451");
    }

    @Test
    void aGuardKilledMidStreamLeavesItsLogWhole() throws Exception {
        Path log = tmp.resolve("kill/guard.jsonl");
        Files.createDirectories(log.getParent());
        Guard g = guard("kill", "annotate", log);
        HttpClient http = HttpClient.newHttpClient();
        for (String p : List.of("MEMBER", "buses", "MEMBER again")) {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(g.url() + "/completions"))
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    "{\"model\":\"test-model\",\"prompt\":\""
                                                            + p
                                                            + "\",\"stream\":true}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        // a slow stream, killed once part of it has come through
        HttpResponse<InputStream> slow =
                http.send(
                        HttpRequest.newBuilder(URI.create(g.url() + "/chat/completions"))
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"model\":\"test-model\",\"stream\":true,"
                                                        + "\"messages\":[{\"role\":\"user\","
                                                        + "\"content\":\"MEMBER SLOW\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        int events = 0;
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(slow.body(), StandardCharsets.UTF_8))) {
            for (String line; events < 5 && (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    events++;
                }
            }
            g.process().destroyForcibly();
            assertThat(g.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(events).isEqualTo(5);
        byte[] bytes = Files.readAllBytes(log);
        assertThat(bytes[bytes.length - 1])
                .as("the log ends with a whole record")
                .isEqualTo((byte) '\n');
        List<GuardRecord> rs = read(log);
        assertThat(rs).hasSize(3);
        assertThat(rs)
                .extracting(GuardRecord::outcome)
                .containsExactly("annotated", "passed", "annotated");

        Guard again = guard("kill-again", "annotate", log);
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(again.url() + "/completions"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"buses\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        again.process().destroy();
        assertThat(again.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(read(log)).hasSize(4);
    }

    static List<GuardRecord> read(Path log) {
        List<GuardRecord> rs = new ArrayList<>();
        try (RecordReader<GuardRecord> in = RecordReader.open(log, GuardRecord.class)) {
            for (GuardRecord x; (x = in.next()) != null; ) {
                rs.add(x);
            }
        }
        return rs;
    }
}
