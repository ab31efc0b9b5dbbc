package dev.memaudit.cli.command;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.index.guard.GuardOptions;
import dev.memaudit.index.guard.GuardPolicy;
import dev.memaudit.index.guard.GuardScanner;
import dev.memaudit.index.guard.GuardServer;
import dev.memaudit.index.scan.NgramIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit guard}: an OpenAI-compatible proxy that scans every generated text. */
@Command(
        name = "guard",
        mixinStandardHelpOptions = true,
        description = {
            "Serve an OpenAI-compatible API in front of another (vLLM, llama.cpp, a hosted API,"
                    + " memaudit serve) and scan every generated text against the index:"
                    + " /v1/completions and /v1/chat/completions, streaming and not; other paths"
                    + " (/v1/models) pass through.",
            "annotate (default): each choice with matches carries memaudit.matches; block: HTTP"
                    + " 451 (a stream: an error event); redact: each passage replaced by a notice"
                    + " naming the work and its licence. Runs until stopped."
        })
public final class GuardCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin IndexOption index;

    @Option(
            names = "--upstream",
            required = true,
            paramLabel = "<url>",
            description = "The upstream server's base URL, with or without /v1.")
    String upstream;

    @Option(
            names = "--port",
            defaultValue = "8081",
            description = "TCP port; 0 = any free port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(
            names = "--policy",
            defaultValue = "annotate",
            paramLabel = "annotate|block|redact",
            description =
                    "What to do with a completion that holds passages (default ${DEFAULT-VALUE}).")
    String policy;

    @Option(
            names = "--min-words",
            defaultValue = "12",
            description =
                    "Shortest passage reported, in normalized words (default ${DEFAULT-VALUE}).")
    int minWords;

    @Option(
            names = "--min-similarity",
            defaultValue = "0.8",
            description =
                    "Lowest word similarity of a near-verbatim passage, 0.5-1 (default"
                            + " ${DEFAULT-VALUE}).")
    double minSimilarity;

    @Option(
            names = "--upstream-key-env",
            paramLabel = "<VAR>",
            description =
                    "Environment variable holding the upstream's API key (never printed). Without"
                            + " it and without --token-env the client's Authorization header is"
                            + " forwarded.")
    String upstreamKeyEnv;

    @Option(
            names = "--token-env",
            paramLabel = "<VAR>",
            description =
                    "Environment variable holding a bearer token every request to the guard must"
                            + " carry (never printed, never forwarded).")
    String tokenEnv;

    @Option(
            names = "--log",
            paramLabel = "<file.jsonl>",
            description =
                    "Append one record per request (id, time, model, matches) to this file, each"
                            + " forced to disk (docs/guard.md).")
    Path log;

    @Option(
            names = "--log-prompts",
            description = "Also log each request body and each generated text.")
    boolean logPrompts;

    @Option(
            names = "--request-timeout",
            defaultValue = "300",
            paramLabel = "<seconds>",
            description =
                    "Longest wait for one whole upstream answer, a stream included (default"
                            + " ${DEFAULT-VALUE}).")
    int requestTimeout;

    @Option(
            names = "--max-upstream-bytes",
            defaultValue = "67108864",
            description = "Largest upstream answer accepted (default ${DEFAULT-VALUE}).")
    long maxUpstreamBytes;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "8388608",
            description = "Largest request body (default ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(
            names = "--threads",
            defaultValue = "32",
            description = "Requests handled at once (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--ready-file",
            paramLabel = "<file>",
            description = "Write the guard's base URL to this file once it listens (for scripts).")
    Path readyFile;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        GuardPolicy p = GuardPolicy.parse(policy);
        if (requestTimeout < 1) {
            throw MemauditException.usage("--request-timeout must be ≥ 1 s, got " + requestTimeout);
        }
        if (!(minSimilarity >= 0.5 && minSimilarity <= 1.0)) {
            throw MemauditException.usage(
                    "--min-similarity must be between 0.5 and 1, got " + minSimilarity);
        }
        URI up;
        try {
            up = URI.create(upstream);
        } catch (IllegalArgumentException e) {
            throw MemauditException.usage("--upstream is not a URL: " + e.getMessage());
        }
        String token = secret(tokenEnv, "--token-env");
        String key = secret(upstreamKeyEnv, "--upstream-key-env");
        if (log != null && log.toAbsolutePath().getParent() != null) {
            try {
                Files.createDirectories(log.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw MemauditException.badInput(
                        log + ": cannot create its folder: " + e.getMessage(), e);
            }
        }
        GuardOptions options =
                new GuardOptions(
                        up,
                        host,
                        port,
                        p,
                        key,
                        token,
                        log,
                        logPrompts,
                        GuardOptions.DEFAULT_CONNECT,
                        Duration.ofSeconds(requestTimeout),
                        maxUpstreamBytes,
                        maxBodyBytes,
                        threads);
        if (token == null && !isLoopback(host)) {
            err.println(
                    "memaudit: warning: guarding on "
                            + host
                            + " without --token-env: anyone who reaches this address can use the"
                            + " upstream");
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (NgramIndex idx = NgramIndex.open(index.path());
                GuardServer server =
                        GuardServer.start(
                                new GuardScanner(idx, minWords, minSimilarity),
                                options,
                                Clock.systemUTC())) {
            Thread hook = new Thread(stop::countDown, "memaudit-guard-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            err.println(
                    "memaudit: guarding "
                            + options.upstreamRoot()
                            + " at "
                            + server.uri()
                            + " (policy "
                            + p.id()
                            + ", "
                            + idx.manifest().works().size()
                            + " works, min "
                            + minWords
                            + " words, near similarity ≥ "
                            + minSimilarity
                            + (log == null ? "" : ", log " + log)
                            + "); stop with Ctrl-C");
            err.flush();
            if (readyFile != null) {
                try {
                    Files.writeString(readyFile, server.uri().toString(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + readyFile, e);
                }
            }
            try {
                stop.await();
            } catch (InterruptedException e) {
                // stopped by the embedding thread (tests): shut down like Ctrl-C
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook has run
                }
            }
        } catch (IOException e) {
            throw MemauditException.badInput(index.path() + ": " + e.getMessage(), e);
        }
        return 0;
    }

    private static String secret(String var, String flag) {
        if (var == null) {
            return null;
        }
        String v = System.getenv(var);
        if (v == null || v.isEmpty()) {
            throw MemauditException.usage(flag + " names " + var + ", which is not set or empty");
        }
        return v;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
