package dev.memaudit.model.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.testing.TinyModels;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s chat endpoint, {@code n}, {@code stop} and streaming, checked on the raw protocol
 * against the local model's own generations (the openai npm client is ServeOpenAiClientIT's).
 */
class ServeChatStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    private static DjlLanguageModel local;
    private static CompletionsServer server;

    @BeforeAll
    static void start() throws Exception {
        Path dir = tmp.resolve("llama");
        TinyModels.write(dir, TinyModels.config(Architecture.LLAMA, "gqa", 300), 3, 0.5);
        local = ModelLoader.load(dir);
        server = CompletionsServer.start(local, ServeOptions.defaults("tiny").withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
        local.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(server.uri().resolve(path))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String path, String body) throws Exception {
        HttpResponse<String> r = post(path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String localText(String prompt, long seed, int tokens) {
        int[] ids = local.tokenizer().encodeIds(prompt);
        Generation g =
                local.generate(
                                List.of(ids),
                                new long[] {seed},
                                new GenerationSettings(tokens, 1.0, 0, 1.0, seed, true))
                        .get(0);
        return local.tokenizer().decode(g.tokens());
    }

    /** The data events of an SSE body; checks the stream ends with [DONE]. */
    private static List<JsonNode> events(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/event-stream");
        List<JsonNode> out = new ArrayList<>();
        String[] blocks = r.body().split("\n\n");
        assertThat(blocks[blocks.length - 1]).isEqualTo("data: [DONE]");
        for (int i = 0; i < blocks.length - 1; i++) {
            assertThat(blocks[i]).startsWith("data: ");
            out.add(JSON.readTree(blocks[i].substring("data: ".length())));
        }
        return out;
    }

    @Test
    void nChoicesAreSampledWithTheSeedPlusTheirIndex() throws Exception {
        JsonNode r =
                ok(
                        "/v1/completions",
                        "{\"prompt\": [\"the cat\", \"a dog\"], \"n\": 3, \"max_tokens\": 6,"
                                + " \"seed\": 40}");
        JsonNode choices = r.path("choices");
        assertThat(choices).hasSize(6);
        for (int row = 0; row < 6; row++) {
            assertThat(choices.get(row).path("index").asInt()).isEqualTo(row);
            String prompt = row / 3 == 0 ? "the cat" : "a dog";
            assertThat(choices.get(row).path("text").asText())
                    .as("choice %d", row)
                    .isEqualTo(localText(prompt, 40 + row % 3, 6));
        }
        // usage counts each prompt once and every choice's tokens
        int promptTokens =
                local.tokenizer().encodeIds("the cat").length
                        + local.tokenizer().encodeIds("a dog").length;
        assertThat(r.path("usage").path("prompt_tokens").asInt()).isEqualTo(promptTokens);
        assertThat(post("/v1/completions", "{\"prompt\": \"x\", \"n\": 0}").statusCode())
                .isEqualTo(400);
        assertThat(post("/v1/completions", "{\"prompt\": \"x\", \"n\": 2, \"best_of\": 3}").body())
                .contains("best_of must equal n");
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() throws Exception {
        String full = localText("the cat", 7, 24);
        // a stop string from the middle of what the model writes anyway
        int at = full.length() / 2;
        String stop = full.substring(at, at + 2);
        int cut = full.indexOf(stop);
        JsonNode c =
                ok(
                                "/v1/completions",
                                JSON.writeValueAsString(
                                        JSON.createObjectNode()
                                                .put("prompt", "the cat")
                                                .put("max_tokens", 24)
                                                .put("seed", 7)
                                                .put("logprobs", 0)
                                                .set(
                                                        "stop",
                                                        JSON.createArrayNode()
                                                                .add("\u0000never")
                                                                .add(stop))))
                        .path("choices")
                        .get(0);
        assertThat(c.path("text").asText()).isEqualTo(full.substring(0, cut));
        assertThat(c.path("finish_reason").asText()).isEqualTo("stop");
        // the tokens kept decode to a prefix of the text
        StringBuilder pieces = new StringBuilder();
        c.path("logprobs").path("tokens").forEach(t -> pieces.append(t.asText()));
        assertThat(full.substring(0, cut)).startsWith(pieces.toString());
        assertThat(post("/v1/completions", "{\"prompt\": \"x\", \"stop\": [\"\"]}").statusCode())
                .isEqualTo(400);
        assertThat(
                        post(
                                        "/v1/completions",
                                        "{\"prompt\": \"x\", \"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]}")
                                .statusCode())
                .isEqualTo(400);
    }

    @Test
    void aStreamSendsTheSameTextInPiecesThenDone() throws Exception {
        String body =
                "{\"prompt\": \"the cat\", \"max_tokens\": 12, \"seed\": 3, \"n\": 2, \"echo\": true";
        JsonNode whole = ok("/v1/completions", body + "}");
        List<JsonNode> events =
                events(
                        post(
                                "/v1/completions",
                                body
                                        + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}"));
        StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
        String[] finish = new String[2];
        for (JsonNode e : events) {
            assertThat(e.path("object").asText()).isEqualTo("text_completion");
            assertThat(e.path("id").asText()).startsWith("cmpl-");
            for (JsonNode ch : e.path("choices")) {
                int i = ch.path("index").asInt();
                text[i].append(ch.path("text").asText());
                if (!ch.path("finish_reason").isNull()) {
                    finish[i] = ch.path("finish_reason").asText();
                }
            }
        }
        for (int i = 0; i < 2; i++) {
            JsonNode want = whole.path("choices").get(i);
            assertThat(text[i].toString()).isEqualTo(want.path("text").asText());
            assertThat(text[i].toString()).startsWith("the cat");
            assertThat(finish[i]).isEqualTo(want.path("finish_reason").asText());
        }
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.path("choices")).isEmpty();
        assertThat(last.path("usage")).isEqualTo(whole.path("usage"));
        assertThat(events.size()).isGreaterThan(4); // pieces, not one block
    }

    @Test
    void chatRendersThePlainTemplateAndAnswersAsTheAssistant() throws Exception {
        String prompt = "system: be brief\nuser: the cat\nassistant:";
        String body =
                "{\"model\": \"tiny\", \"messages\": [{\"role\": \"system\", \"content\": \"be brief\"},"
                        + " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"the \"},"
                        + " {\"type\": \"text\", \"text\": \"cat\"}]}], \"max_tokens\": 10, \"seed\": 5";
        JsonNode r = ok("/v1/chat/completions", body + "}");
        assertThat(r.path("object").asText()).isEqualTo("chat.completion");
        assertThat(r.path("id").asText()).startsWith("chatcmpl-");
        JsonNode msg = r.path("choices").get(0).path("message");
        assertThat(msg.path("role").asText()).isEqualTo("assistant");
        assertThat(msg.path("content").asText()).isEqualTo(localText(prompt, 5, 10));
        assertThat(r.path("usage").path("prompt_tokens").asInt())
                .isEqualTo(local.tokenizer().encodeIds(prompt).length);

        List<JsonNode> events = events(post("/v1/chat/completions", body + ", \"stream\": true}"));
        assertThat(events.get(0).path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(events.get(0).path("choices").get(0).path("delta").path("role").asText())
                .isEqualTo("assistant");
        StringBuilder content = new StringBuilder();
        events.forEach(
                e ->
                        e.path("choices")
                                .forEach(
                                        ch ->
                                                content.append(
                                                        ch.path("delta")
                                                                .path("content")
                                                                .asText())));
        assertThat(content.toString()).isEqualTo(msg.path("content").asText());
        assertThat(
                        events.get(events.size() - 1)
                                .path("choices")
                                .get(0)
                                .path("finish_reason")
                                .asText())
                .isEqualTo(r.path("choices").get(0).path("finish_reason").asText());

        assertThat(post("/v1/chat/completions", "{\"messages\": []}").statusCode()).isEqualTo(400);
        assertThat(
                        post(
                                        "/v1/chat/completions",
                                        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"logprobs\": true}")
                                .body())
                .contains("logprobs in chat are not supported");
        assertThat(
                        post(
                                        "/v1/chat/completions",
                                        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": []}")
                                .body())
                .contains("unknown parameters: [tools]");
    }

    /** A ChatML-style template written for this test. */
    private static final String CHATML =
            "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}"
                    + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    @Test
    void aModelFoldersJinjaTemplateIsRendered() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tpl"));
        Files.writeString(
                dir.resolve("tokenizer_config.json"),
                JSON.writeValueAsString(
                        JSON.createObjectNode()
                                .put("chat_template", "{{ bos_token }}" + CHATML)
                                .set("bos_token", JSON.createObjectNode().put("content", "<s>"))));
        ChatTemplate t = ChatTemplate.of(dir);
        assertThat(t.source()).contains("tokenizer_config.json");
        assertThat(
                        t.render(
                                List.of(
                                        new ChatTemplate.Message("system", "Be brief."),
                                        new ChatTemplate.Message("user", "Hi"))))
                .isEqualTo(
                        "<s><|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                                + "<|im_start|>assistant\n");

        // a template may refuse a conversation: the client gets the template's message
        ChatTemplate strict =
                ChatTemplate.jinja(
                        "test",
                        "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system role') }}{% endif %}"
                                + CHATML,
                        "",
                        "");
        assertThatThrownBy(() -> strict.render(List.of(new ChatTemplate.Message("system", "x"))))
                .isInstanceOf(ChatTemplate.Rejected.class)
                .hasMessage("no system role");

        // no template: the plain one; a template that does not render: an error naming the file
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        assertThat(ChatTemplate.of(dir).render(List.of(new ChatTemplate.Message("user", "Hi"))))
                .isEqualTo("user: Hi\nassistant:");
        Files.writeString(
                dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% for m in %}\"}");
        assertThatThrownBy(() -> ChatTemplate.of(dir))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("tokenizer_config.json");
    }
}
