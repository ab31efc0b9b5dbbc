package dev.memaudit.index.guard;

import dev.memaudit.core.error.MemauditException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of {@link GuardServer}.
 *
 * @param upstream the upstream server's base URL, with or without a trailing {@code /v1}
 * @param host address to listen on
 * @param port TCP port, 0 for any free one
 * @param policy what to do with an answer that holds passages of works
 * @param upstreamKey bearer token sent upstream; null to forward the client's {@code Authorization}
 *     header (only when {@code token} is null: the guard's own token is never forwarded)
 * @param token bearer token every client request must carry, null for none
 * @param log the request log (JSONL, appended to), null for none
 * @param logPrompts whether the log holds requests and generated texts
 * @param connectTimeout connecting to the upstream
 * @param readTimeout the whole upstream answer, headers to last byte (a stream included)
 * @param maxUpstreamBytes the largest upstream answer (a stream: all its events together)
 * @param maxBodyBytes the largest client request body
 * @param threads requests handled at once (more wait in the listen queue)
 */
public record GuardOptions(
        URI upstream,
        String host,
        int port,
        GuardPolicy policy,
        String upstreamKey,
        String token,
        Path log,
        boolean logPrompts,
        Duration connectTimeout,
        Duration readTimeout,
        long maxUpstreamBytes,
        int maxBodyBytes,
        int threads) {

    /** The HTTP backend's defaults: 10 s to connect, 300 s for an answer. */
    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(10);

    public static final Duration DEFAULT_READ = Duration.ofSeconds(300);

    /** The largest upstream answer by default: 64 MiB. */
    public static final long DEFAULT_MAX_UPSTREAM_BYTES = 64L << 20;

    public GuardOptions {
        if (upstream == null
                || upstream.getScheme() == null
                || !(upstream.getScheme().equals("http") || upstream.getScheme().equals("https"))
                || upstream.getHost() == null) {
            throw MemauditException.usage(
                    "--upstream must be an http:// or https:// URL, got " + upstream);
        }
        if (port < 0 || port > 65535) {
            throw MemauditException.usage("--port must be between 0 and 65535, got " + port);
        }
        if (maxUpstreamBytes < 1024) {
            throw MemauditException.usage(
                    "max upstream bytes must be at least 1024, got " + maxUpstreamBytes);
        }
        if (maxBodyBytes < 1024) {
            throw MemauditException.usage(
                    "max body bytes must be at least 1024, got " + maxBodyBytes);
        }
        if (threads < 1 || threads > 1024) {
            throw MemauditException.usage("threads must be between 1 and 1024, got " + threads);
        }
    }

    /** The upstream's root: the URL without a trailing {@code /} or {@code /v1}. */
    public String upstreamRoot() {
        String s = upstream.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("/v1")) {
            s = s.substring(0, s.length() - 3);
        }
        return s;
    }
}
