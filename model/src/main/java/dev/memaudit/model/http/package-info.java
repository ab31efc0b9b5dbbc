/**
 * A {@link dev.memaudit.model.LanguageModel} behind an OpenAI-compatible {@code /v1/completions}
 * server (vLLM, llama.cpp, {@code memaudit serve}): {@link
 * dev.memaudit.model.http.OpenAiCompletionsModel} probes what the server can measure and reports
 * the rest as not measurable; {@link dev.memaudit.model.http.CompletionsClient} is the retrying
 * HTTP/1.1 JSON client; {@link dev.memaudit.model.http.CompletionsResponses} reads the log-prob
 * shapes servers return; {@link dev.memaudit.model.http.ServerTokenizer} tokenizes through the
 * server with code-point offsets in O(n) requests' data (token pieces, else detokenized windows).
 * Scoring and generation go as prompt arrays, several requests in flight.
 *
 * <p>Units as everywhere in the model module: natural-log probabilities, 0-based token positions.
 * Credentials: the API key lives in {@link dev.memaudit.model.http.EndpointConfig} only, goes out
 * only as a bearer header, and appears in no message, description or manifest.
 */
package dev.memaudit.model.http;
