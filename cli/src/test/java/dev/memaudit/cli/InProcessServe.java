package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code memaudit serve} (or {@code guard}) run through {@link Cli#run} on a thread of this JVM
 * until closed (the thread's interrupt stops it as Ctrl-C would); {@link #url} is the base URL from
 * its ready file.
 */
final class InProcessServe implements AutoCloseable {
    final String url;
    private final Thread thread;
    private final AtomicReference<Cli.Result> result;

    private InProcessServe(String url, Thread thread, AtomicReference<Cli.Result> result) {
        this.url = url;
        this.thread = thread;
        this.result = result;
    }

    /**
     * Starts {@code serve --port 0 --ready-file … <args>} and waits (up to a minute) until it
     * listens.
     */
    static InProcessServe start(Path tmp, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("serve", "--port", "0"));
        cmd.addAll(List.of(args));
        return command(tmp, cmd);
    }

    /**
     * Any command that serves until interrupted and writes its URL to {@code --ready-file} ({@code
     * guard} too), started with {@code --ready-file …} added.
     */
    static InProcessServe command(Path tmp, List<String> args) throws Exception {
        Path ready = Files.createTempFile(tmp, "serve-", ".url");
        Files.delete(ready);
        List<String> cmd = new ArrayList<>(args);
        cmd.addAll(List.of("--ready-file", ready.toString()));
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(Cli.run(cmd)));
        t.start();
        for (int i = 0; i < 1200 && !Files.exists(ready); i++) {
            Thread.sleep(50);
        }
        assertThat(ready).as("serve listening (ready file)").exists();
        Thread.sleep(50); // the URL is written in one call; let it land
        return new InProcessServe(Files.readString(ready).trim(), t, result);
    }

    /** What serve returned; null while it runs. */
    Cli.Result result() {
        return result.get();
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(60_000);
    }
}
