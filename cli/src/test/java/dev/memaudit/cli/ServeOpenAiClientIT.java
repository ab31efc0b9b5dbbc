package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.testing.SampleCanary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memaudit serve} on the shared canary driven by the official {@code openai} npm client
 * ({@code .ci/run} installs it into {@code .ci/npm}): completions and chat, streaming and not,
 * {@code n: 2} and {@code stop}; a member's opening is continued with the member's own text, and
 * through {@code guard} in front of the same serve that continuation comes back annotated with the
 * work.
 *
 * <p>Needs {@code node} and {@code .ci/npm/node_modules/openai}: skipped without them, failed under
 * {@code CI=true}.
 */
class ServeOpenAiClientIT {
    @TempDir Path tmp;

    @Test
    void theOpenAiClientCompletesChatsStreamsAndSamplesSeveralChoices() throws Exception {
        Path root = Cli.repoRoot();
        Path modules = root.resolve(".ci/npm/node_modules");
        boolean ready = Files.isDirectory(modules.resolve("openai")) && node();
        if (!ready && "true".equals(System.getenv("CI"))) {
            fail("node and .ci/npm/node_modules/openai are needed; CI installs them (.ci/run)");
        }
        assumeTrue(ready, "node and .ci/npm/node_modules/openai");
        Path model = SampleCanary.modelDir();
        String work = Files.readString(root.resolve("corpora-sample/works/kiln-weather.txt"));
        // the work's own characters (line breaks included) up to a word's end
        String member = work.substring(0, work.indexOf(' ', 200));
        try (InProcessServe serve =
                        InProcessServe.start(
                                tmp, "--model", model.toString(), "--model-name", "canary");
                InProcessServe guard =
                        InProcessServe.command(
                                tmp,
                                java.util.List.of(
                                        "guard",
                                        "--upstream",
                                        serve.url,
                                        "--index",
                                        SampleCanary.indexDir().toString(),
                                        "--port",
                                        "0"))) {
            String url = serve.url + "/v1";
            Path script = root.resolve("cli/src/test/resources/serve/openai-client.cjs");
            ProcessBuilder pb =
                    new ProcessBuilder(
                                    "node",
                                    script.toString(),
                                    url,
                                    member,
                                    guard.url.endsWith("/v1") ? guard.url : guard.url + "/v1")
                            .redirectError(tmp.resolve("node.err").toFile());
            pb.environment().put("NODE_PATH", modules.toString());
            Process p = pb.start();
            byte[] outBytes = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            String err = Files.readString(tmp.resolve("node.err"));
            assertThat(p.exitValue()).as(err).isZero();
            JsonNode r = Json.MAPPER.readTree(new String(outBytes, StandardCharsets.UTF_8));

            // a member's opening: the canary goes on with the work's own words
            String greedy = r.path("greedy").asText().strip();
            assertThat(greedy.split("\\s+").length).isGreaterThanOrEqualTo(4);
            assertThat(work.replaceAll("\\s+", " ")).contains(greedy.replaceAll("\\s+", " "));

            // n: 2: choice 0 is the n = 1 answer (same seed), choice 1 another draw
            JsonNode one = r.path("one");
            JsonNode two = r.path("two");
            assertThat(two).hasSize(2);
            assertThat(two.get(0).path("index").asInt()).isZero();
            assertThat(two.get(1).path("index").asInt()).isEqualTo(1);
            assertThat(two.get(0).path("text").asText()).isEqualTo(one.path("text").asText());
            assertThat(one.path("usage").path("completion_tokens").asInt()).isPositive();

            // a stream carries the same text in pieces
            assertThat(r.path("stream").path("text").asText()).isEqualTo(one.path("text").asText());
            assertThat(r.path("stream").path("chunks").asInt()).isGreaterThan(2);
            assertThat(r.path("stream").path("finish").asText())
                    .isEqualTo(one.path("finish").asText());

            // stop: the text ends before the stop string's first occurrence
            String stop = r.path("stop").path("stop").asText();
            String full = one.path("text").asText();
            assertThat(r.path("stop").path("text").asText())
                    .isEqualTo(full.substring(0, full.indexOf(stop)));
            assertThat(r.path("stop").path("finish").asText()).isEqualTo("stop");

            // chat, streamed and not, and two choices
            JsonNode chat = r.path("chat");
            assertThat(chat.path("object").asText()).isEqualTo("chat.completion");
            assertThat(chat.path("role").asText()).isEqualTo("assistant");
            assertThat(chat.path("text").asText()).isNotEmpty();
            assertThat(r.path("chatStream").path("text").asText())
                    .isEqualTo(chat.path("text").asText());
            assertThat(r.path("chatTwo")).hasSize(2);
            assertThat(r.path("chatTwo").get(0).path("text").asText())
                    .isEqualTo(chat.path("text").asText());

            assertThat(r.path("refused").path("status").asInt()).isEqualTo(400);

            // the same member opening through guard in front of serve: the continuation is
            // annotated with the work it reproduces, offsets cutting the passage from the text
            JsonNode g = r.path("guarded");
            String guarded = g.path("text").asText();
            JsonNode matches = g.path("memaudit").path("matches");
            assertThat(matches.size()).as("matches in %s", guarded).isPositive();
            JsonNode m = matches.get(0);
            assertThat(m.path("work_id").asText()).isEqualTo("kiln-weather");
            String cut =
                    dev.memaudit.core.text.CodePoints.substring(
                            guarded,
                            m.path("output_char_start").asInt(),
                            m.path("output_char_end").asInt());
            assertThat(work.replaceAll("\\s+", " ")).contains(cut.strip().replaceAll("\\s+", " "));
            assertThat(m.path("words").asInt()).isGreaterThanOrEqualTo(12);
        }
    }

    private static boolean node() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
