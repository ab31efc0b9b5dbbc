package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.extractor.testing.SampleCanary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memaudit guard} in front of {@code memaudit serve} serving the sample canary (completions,
 * streaming and not): a greedy continuation of a member work's passage comes back with the text
 * {@code serve} gives directly, plus matches naming the work whose offsets cut, from the generated
 * text, the work's own words.
 */
class GuardServeIT {
    @TempDir Path tmp;

    private record Running(Thread thread, AtomicReference<Cli.Result> result, String url) {
        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(20_000);
        }
    }

    private Running start(String name, String... args) throws Exception {
        Path ready = tmp.resolve(name + ".url");
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--ready-file";
        all[args.length + 1] = ready.toString();
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(Cli.run(all)));
        t.start();
        for (int i = 0; i < 2400 && !Files.exists(ready) && t.isAlive(); i++) {
            Thread.sleep(25);
        }
        assertThat(ready).as("%s started: %s", name, result.get()).exists();
        Thread.sleep(50);
        return new Running(t, result, Files.readString(ready).trim());
    }

    @Test
    void aMemberContinuationThroughServeIsAnnotated() throws Exception {
        Path model = SampleCanary.modelDir();
        Path index = SampleCanary.indexDir();
        String work =
                Files.readString(
                        Cli.repoRoot().resolve("corpora-sample/works/kiln-weather.txt"),
                        StandardCharsets.UTF_8);
        Running serve =
                start(
                        "serve",
                        "serve",
                        "--model",
                        model.toString(),
                        "--port",
                        "0",
                        "--model-name",
                        "canary");
        Running guard = null;
        try {
            guard =
                    start(
                            "guard",
                            "guard",
                            "--upstream",
                            serve.url(),
                            "--index",
                            index.toString(),
                            "--port",
                            "0");
            HttpClient http = HttpClient.newHttpClient();
            // 32 tokens from inside the work, cut at the model's own token boundaries (as extract's
            // windows are), through serve's /tokenize
            int from = work.indexOf("III. Glaze Notes");
            ObjectNode tok = OpenAiUpstream.JSON.createObjectNode();
            tok.put("model", "canary");
            tok.put("prompt", work.substring(from, from + 600));
            JsonNode ids =
                    post(
                                    http,
                                    serve.url() + "/tokenize",
                                    OpenAiUpstream.JSON.writeValueAsString(tok))
                            .path("tokens");
            ObjectNode req = OpenAiUpstream.JSON.createObjectNode();
            req.put("model", "canary");
            var prompt = req.putArray("prompt");
            for (int i = 32; i < 64; i++) {
                prompt.add(ids.get(i).asInt());
            }
            req.put("max_tokens", 64);
            req.put("temperature", 0);
            String body = OpenAiUpstream.JSON.writeValueAsString(req);
            JsonNode direct = post(http, serve.url() + "/v1/completions", body);
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(guard.url() + "/completions"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode c = OpenAiUpstream.JSON.readTree(r.body()).path("choices").get(0);
            String text = c.path("text").asText();
            assertThat(text).isEqualTo(direct.path("choices").get(0).path("text").asText());
            JsonNode ms = c.path("memaudit").path("matches");
            assertThat(ms.size()).as("matches in %s", text).isPositive();
            assertThat(r.headers().firstValue("X-Memaudit-Matches"))
                    .contains(Integer.toString(ms.size()));
            JsonNode m = null;
            for (JsonNode x : ms) {
                if (m == null && x.path("match").asText().equals("exact")) {
                    m = x;
                }
            }
            assertThat(m).as("an exact span in %s", ms).isNotNull();
            assertThat(m.path("work_id").asText()).isEqualTo("kiln-weather");
            assertThat(m.path("title").asText()).isEqualTo("Kiln Weather");
            String cut =
                    CodePoints.substring(
                            text,
                            m.path("output_char_start").asInt(),
                            m.path("output_char_end").asInt());
            String inWork =
                    CodePoints.substring(
                            work,
                            m.path("work_char_start").asInt(),
                            m.path("work_char_end").asInt());
            assertThat(words(cut)).isEqualTo(words(inWork));
            assertThat(m.path("words").asInt()).isGreaterThanOrEqualTo(12);

            // the same greedy continuation streamed: the match chunk comes before [DONE]
            req.put("stream", true);
            HttpResponse<String> s =
                    http.send(
                            HttpRequest.newBuilder(URI.create(guard.url() + "/completions"))
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    OpenAiUpstream.JSON.writeValueAsString(req)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
            List<String> events = GuardCommandTest.events(s.body());
            assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
            JsonNode last =
                    OpenAiUpstream.JSON
                            .readTree(events.get(events.size() - 2))
                            .path("choices")
                            .get(0);
            assertThat(last.path("memaudit").path("final").asBoolean()).as(s.body()).isTrue();
            assertThat(last.path("memaudit").path("matches").get(0).path("work_id").asText())
                    .isEqualTo("kiln-weather");
            assertThat(GuardCommandTest.streamedText(s.body(), false)).isEqualTo(text);
        } finally {
            if (guard != null) {
                guard.stop();
            }
            serve.stop();
        }
    }

    /** Letters and digits only, lower-cased, single-spaced: the words both sides share. */
    private static String words(String s) {
        return s.replaceAll("[^\\p{L}\\p{N}]+", " ").strip().toLowerCase(java.util.Locale.ROOT);
    }

    private static JsonNode post(HttpClient http, String url, String body) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return OpenAiUpstream.JSON.readTree(r.body());
    }
}
