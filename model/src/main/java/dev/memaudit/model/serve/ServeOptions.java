package dev.memaudit.model.serve;

import dev.memaudit.core.error.MemauditException;

/**
 * Settings of {@link CompletionsServer}.
 *
 * @param host address to bind; loopback ({@code 127.0.0.1}) unless asked otherwise
 * @param port TCP port; 0 = any free port
 * @param modelName the id {@code /v1/models} lists and requests must name (or omit)
 * @param bearerToken when not null, every request needs {@code Authorization: Bearer <token>}
 * @param maxBodyBytes largest request body; larger ones get 413
 * @param maxInFlight requests admitted at once; others wait up to 30 s, then get 429 with {@code
 *     Retry-After}
 * @param maxPrompts most prompts in one request
 * @param maxLogprobs largest {@code logprobs} / {@code prompt_logprobs} (top-k list length)
 */
public record ServeOptions(
        String host,
        int port,
        String modelName,
        String bearerToken,
        int maxBodyBytes,
        int maxInFlight,
        int maxPrompts,
        int maxLogprobs) {

    public ServeOptions {
        if (port < 0 || port > 65535) {
            throw MemauditException.usage("--port must be between 0 and 65535, got " + port);
        }
        if (maxBodyBytes < 1024) {
            throw MemauditException.usage("body limit must be ≥ 1024 bytes, got " + maxBodyBytes);
        }
        if (maxInFlight < 1 || maxPrompts < 1 || maxLogprobs < 0) {
            throw MemauditException.usage(
                    "limits must be positive, got in-flight "
                            + maxInFlight
                            + ", prompts "
                            + maxPrompts
                            + ", logprobs "
                            + maxLogprobs);
        }
    }

    /** Loopback, 8 MiB bodies, 4 requests in flight, 64 prompts a request, top-20 log-probs. */
    public static ServeOptions defaults(String modelName) {
        return new ServeOptions("127.0.0.1", 8080, modelName, null, 8 << 20, 4, 64, 20);
    }

    public ServeOptions withPort(int p) {
        return new ServeOptions(
                host,
                p,
                modelName,
                bearerToken,
                maxBodyBytes,
                maxInFlight,
                maxPrompts,
                maxLogprobs);
    }

    public ServeOptions withHost(String h) {
        return new ServeOptions(
                h,
                port,
                modelName,
                bearerToken,
                maxBodyBytes,
                maxInFlight,
                maxPrompts,
                maxLogprobs);
    }

    public ServeOptions withBearerToken(String t) {
        return new ServeOptions(
                host, port, modelName, t, maxBodyBytes, maxInFlight, maxPrompts, maxLogprobs);
    }

    public ServeOptions withLimits(int bodyBytes, int inFlight, int prompts, int logprobs) {
        return new ServeOptions(
                host, port, modelName, bearerToken, bodyBytes, inFlight, prompts, logprobs);
    }

    /** Hides the token. */
    @Override
    public String toString() {
        return "ServeOptions[host="
                + host
                + ", port="
                + port
                + ", model="
                + modelName
                + ", token="
                + (bearerToken == null ? "none" : "(hidden)")
                + ", maxBodyBytes="
                + maxBodyBytes
                + ", maxInFlight="
                + maxInFlight
                + ", maxPrompts="
                + maxPrompts
                + ", maxLogprobs="
                + maxLogprobs
                + "]";
    }
}
