package dev.memaudit.model.serve;

import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code memaudit serve}: a local model folder behind a {@link CompletionsServer} until the JVM
 * shuts down (Ctrl-C) or the calling thread is interrupted (an embedding test), whichever comes
 * first; the model and the server are closed either way.
 */
public final class LocalServer {
    private LocalServer() {}

    /**
     * Loads the model, serves it and blocks until stopped.
     *
     * @param modelDir a Hugging Face model folder
     * @param readyFile a file to write the server's base URL into once it listens, or null
     * @param err where the address served, and a warning when it is reachable beyond loopback
     *     without a token, are printed
     */
    public static void serveUntilStopped(
            Path modelDir, ServeOptions options, Path readyFile, PrintWriter err) {
        if (options.bearerToken() == null && !isLoopback(options.host())) {
            err.println(
                    "memaudit: warning: serving on "
                            + options.host()
                            + " without --token-env: anyone who reaches this address can use the"
                            + " model");
        }
        CountDownLatch stop = new CountDownLatch(1);
        ChatTemplate chat = ChatTemplate.of(modelDir);
        try (DjlLanguageModel m = ModelLoader.load(modelDir);
                CompletionsServer server = CompletionsServer.start(m, options, chat)) {
            Thread hook = new Thread(stop::countDown, "memaudit-serve-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            err.println(
                    "memaudit: serving "
                            + m.describe()
                            + " as '"
                            + options.modelName()
                            + "' at "
                            + server.uri()
                            + (options.bearerToken() == null ? "" : " (bearer token required)")
                            + "; chat: "
                            + chat.source()
                            + "; stop with Ctrl-C");
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
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
