package dev.memaudit.model.http;

import dev.memaudit.core.error.MemauditException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how to reach an OpenAI-compatible completions server.
 *
 * @param endpoint base URL, with or without a trailing {@code /v1} (e.g. {@code
 *     http://127.0.0.1:8000})
 * @param modelName the {@code model} field of every request; null = the only model {@code
 *     /v1/models} lists
 * @param apiKey bearer token, or null; never logged, never written ({@link #toString()} hides it)
 * @param tokenizer a local {@code tokenizer.json} of the served model, or null to use the server's
 *     {@code /tokenize} and {@code /detokenize}
 * @param connectTimeout TCP connect timeout
 * @param readTimeout longest wait for one complete response (headers and body)
 * @param maxRetries retries after the first attempt for transient faults (429, 5xx, resets,
 *     timeouts, truncated bodies)
 * @param baseBackoff first retry delay; doubles per retry, with jitter, up to {@code maxBackoff}
 * @param maxBackoff longest delay between two attempts (a server's {@code Retry-After} up to 10
 *     minutes is honoured even when longer)
 * @param maxInFlight most requests open at once
 * @param contextLength the model's context in tokens, or 0 to take it from {@code /v1/models}
 */
public record EndpointConfig(
        URI endpoint,
        String modelName,
        String apiKey,
        Path tokenizer,
        Duration connectTimeout,
        Duration readTimeout,
        int maxRetries,
        Duration baseBackoff,
        Duration maxBackoff,
        int maxInFlight,
        int contextLength) {

    public EndpointConfig {
        if (endpoint == null
                || endpoint.getScheme() == null
                || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))
                || endpoint.getHost() == null) {
            throw MemauditException.usage(
                    "--endpoint must be an http:// or https:// URL, got " + endpoint);
        }
        if (endpoint.getUserInfo() != null) {
            throw MemauditException.usage(
                    "--endpoint must not carry credentials; use --api-key-env");
        }
        if (maxRetries < 0) {
            throw MemauditException.usage("retries must be ≥ 0, got " + maxRetries);
        }
        if (maxInFlight < 1) {
            throw MemauditException.usage("requests in flight must be ≥ 1, got " + maxInFlight);
        }
        if (contextLength < 0) {
            throw MemauditException.usage("context length must be ≥ 0, got " + contextLength);
        }
    }

    /**
     * Defaults for a server at {@code endpoint}: 10 s connect, 300 s read, 8 retries from 0.5 s.
     */
    public static EndpointConfig of(URI endpoint, String modelName, String apiKey, Path tokenizer) {
        return new EndpointConfig(
                endpoint,
                modelName,
                apiKey,
                tokenizer,
                Duration.ofSeconds(10),
                Duration.ofSeconds(300),
                8,
                Duration.ofMillis(500),
                Duration.ofSeconds(60),
                8,
                0);
    }

    public EndpointConfig withTimeouts(Duration connect, Duration read) {
        return new EndpointConfig(
                endpoint,
                modelName,
                apiKey,
                tokenizer,
                connect,
                read,
                maxRetries,
                baseBackoff,
                maxBackoff,
                maxInFlight,
                contextLength);
    }

    public EndpointConfig withRetries(int retries, Duration base, Duration max) {
        return new EndpointConfig(
                endpoint,
                modelName,
                apiKey,
                tokenizer,
                connectTimeout,
                readTimeout,
                retries,
                base,
                max,
                maxInFlight,
                contextLength);
    }

    public EndpointConfig withMaxInFlight(int n) {
        return new EndpointConfig(
                endpoint,
                modelName,
                apiKey,
                tokenizer,
                connectTimeout,
                readTimeout,
                maxRetries,
                baseBackoff,
                maxBackoff,
                n,
                contextLength);
    }

    public EndpointConfig withContextLength(int tokens) {
        return new EndpointConfig(
                endpoint,
                modelName,
                apiKey,
                tokenizer,
                connectTimeout,
                readTimeout,
                maxRetries,
                baseBackoff,
                maxBackoff,
                maxInFlight,
                tokens);
    }

    /** The base URL without a trailing slash or {@code /v1}. */
    public String base() {
        String s = endpoint.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("/v1")) {
            s = s.substring(0, s.length() - 3);
        }
        return s;
    }

    /** Hides the API key. */
    @Override
    public String toString() {
        return "EndpointConfig[endpoint="
                + endpoint
                + ", model="
                + modelName
                + ", apiKey="
                + (apiKey == null ? "none" : "(hidden)")
                + ", tokenizer="
                + tokenizer
                + ", connectTimeout="
                + connectTimeout
                + ", readTimeout="
                + readTimeout
                + ", maxRetries="
                + maxRetries
                + ", maxInFlight="
                + maxInFlight
                + "]";
    }
}
