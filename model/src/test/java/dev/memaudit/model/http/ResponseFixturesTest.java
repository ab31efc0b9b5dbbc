package dev.memaudit.model.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Field shapes of vLLM and llama.cpp answers, pinned by fixtures written by hand from their
 * documented formats (src/test/resources/dev/memaudit/model/http).
 */
class ResponseFixturesTest {
    static JsonNode fixture(String name) throws IOException {
        try (InputStream in = ResponseFixturesTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void vllmEchoWithTokenIds() throws IOException {
        List<TokenLogprob> t =
                CompletionsResponses.logprobs(
                        fixture("vllm-completions-echo.json").path("choices").get(0));
        assertThat(t).extracting(TokenLogprob::tokenId).containsExactly(791, 41245, 3827, 574);
        assertThat(t.get(0).logprob()).isNaN();
        assertThat(t.get(0).top()).isEmpty();
        assertThat(t.get(1).logprob()).isEqualTo(-7.25);
        // logprobs=2: the token itself is the third, extra entry, so its rank is beyond the list
        assertThat(t.get(1).top()).containsExactly(-3.1, -3.4, -7.25);
        assertThat(t.get(1).derivedRank(2)).isZero();
        // with logprobs=3 the same list would fix the rank
        assertThat(t.get(1).derivedRank(3)).isEqualTo(3);
        assertThat(t.get(2).derivedRank(2)).isEqualTo(2);
        assertThat(t.get(3).derivedRank(2)).isEqualTo(1);
    }

    @Test
    void vllmPromptLogprobsCarryExactRanks() throws IOException {
        JsonNode choice = fixture("vllm-prompt-logprobs.json").path("choices").get(0);
        List<TokenLogprob> t =
                CompletionsResponses.promptLogprobs(choice, new int[] {791, 41245, 3827});
        assertThat(t).hasSize(3);
        assertThat(t.get(0).logprob()).isNaN();
        assertThat(t.get(1).rank()).isEqualTo(812);
        assertThat(t.get(1).logprob()).isEqualTo(-7.25);
        assertThat(t.get(1).token()).isEqualTo(" orchard");
        assertThat(t.get(2).rank()).isEqualTo(2);
        assertThat(t.get(2).top()).containsExactly(-1.9, -2.5);
        // the choice's generated logprobs were not asked for
        assertThat(CompletionsResponses.logprobs(choice)).isNull();
        // a prompt that does not match the answer is a protocol error
        assertThatThrownBy(() -> CompletionsResponses.promptLogprobs(choice, new int[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt token 2");
    }

    @Test
    void llamaCppOaiCompletionsContentList() throws IOException {
        List<TokenLogprob> t =
                CompletionsResponses.logprobs(
                        fixture("llamacpp-v1-completions.json").path("choices").get(0));
        assertThat(t).extracting(TokenLogprob::tokenId).containsExactly(574, 7318);
        assertThat(t).extracting(TokenLogprob::token).containsExactly(" was", " paid");
        assertThat(t.get(1).logprob()).isEqualTo(-2.25);
        assertThat(t.get(1).derivedRank(2)).isEqualTo(2);
    }

    @Test
    void llamaCppNativeCompletionProbabilities() throws IOException {
        List<TokenLogprob> t =
                CompletionsResponses.logprobs(fixture("llamacpp-completion-native.json"));
        assertThat(t).extracting(TokenLogprob::tokenId).containsExactly(574, 7318);
        assertThat(t.get(0).top()).containsExactly(-0.75, -1.5);
    }

    @Test
    void legacyTextTokensHaveNoIds() throws IOException {
        List<TokenLogprob> t =
                CompletionsResponses.logprobs(
                        fixture("openai-legacy-text-tokens.json").path("choices").get(0));
        assertThat(t).extracting(TokenLogprob::tokenId).containsExactly(-1, -1);
        assertThat(t.get(1).derivedRank(2)).isZero();
    }

    @Test
    void aLogprobsObjectOfAnotherShapeIsRejected() throws IOException {
        JsonNode bad =
                new ObjectMapper()
                        .readTree("{\"logprobs\": {\"tokens\": [\"a\"], \"token_logprobs\": []}}");
        assertThatThrownBy(() -> CompletionsResponses.logprobs(bad))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
