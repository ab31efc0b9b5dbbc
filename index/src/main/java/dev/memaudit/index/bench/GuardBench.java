package dev.memaudit.index.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.guard.GuardOptions;
import dev.memaudit.index.guard.GuardPolicy;
import dev.memaudit.index.guard.GuardScanner;
import dev.memaudit.index.guard.GuardServer;
import dev.memaudit.index.scan.NgramIndex;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;

/**
 * The latency {@code memaudit guard} adds: a synthetic corpus of {@code works} works, its index, an
 * in-process upstream that answers at once with fixed outputs of {@code words} words (375 words ≈
 * 500 tokens at 0.75 words per token; half hold a 100-word passage of a work, half none), streamed
 * one word per event; each request goes once directly to the upstream and once through the guard
 * (annotate, no log), alternately, and the difference of the two times to the last byte is the
 * added latency. Figures are printed, not asserted.
 */
public final class GuardBench {
    /** Benchmark settings. */
    public record Settings(
            int works, int wordsPerWork, int requests, int words, long seed, int minWords) {}

    private final PrintWriter out;

    public GuardBench(PrintWriter out) {
        this.out = out;
    }

    public void run(Settings s, Path dir) throws Exception {
        GuardServer.noDelay();
        BenchText text = new BenchText(s.seed());
        SplittableRandom r = new SplittableRandom(s.seed() * 7 + 3);
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        List<String> works = new ArrayList<>();
        for (int w = 0; w < s.works(); w++) {
            StringBuilder sb = new StringBuilder();
            while (countWords(sb) < s.wordsPerWork()) {
                text.prose(sb, r, 100 + r.nextInt(200), true);
            }
            works.add(sb.toString());
            Files.writeString(
                    corpus.resolve(String.format(Locale.ROOT, "work-%04d.txt", w)),
                    sb,
                    StandardCharsets.UTF_8);
        }
        long t0 = System.nanoTime();
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, dir.resolve("index"), new IndexBuilder.Options(8, true, 2));
        say(
                "corpus: %d works x %d words; index built in %.1f s",
                s.works(), s.wordsPerWork(), (System.nanoTime() - t0) / 1e9);

        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            StringBuilder sb = new StringBuilder();
            text.prose(sb, r, s.words() / 2, true);
            if (i % 2 == 0) {
                String[] ws = works.get(r.nextInt(works.size())).split("\\s+");
                int from = r.nextInt(ws.length - 101);
                sb.append(' ').append(String.join(" ", Arrays.copyOfRange(ws, from, from + 100)));
            }
            sb.append(' ');
            text.prose(sb, r, s.words() - countWords(sb), true);
            outputs.add(sb.toString().replaceAll("\\s+", " ").strip());
        }

        HttpServer upstream = upstream(outputs);
        try (NgramIndex index = NgramIndex.open(dir.resolve("index"));
                GuardServer guard =
                        GuardServer.start(
                                new GuardScanner(index, s.minWords(), 0.8),
                                new GuardOptions(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + upstream.getAddress().getPort()),
                                        "127.0.0.1",
                                        0,
                                        GuardPolicy.ANNOTATE,
                                        null,
                                        null,
                                        null,
                                        false,
                                        GuardOptions.DEFAULT_CONNECT,
                                        GuardOptions.DEFAULT_READ,
                                        GuardOptions.DEFAULT_MAX_UPSTREAM_BYTES,
                                        1 << 20,
                                        4),
                                Clock.systemUTC())) {
            String direct = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1";
            String guarded = guard.uri().toString();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (boolean stream : new boolean[] {false, true}) {
                // warm-up: JIT, connections, the index's pages
                for (int i = 0; i < 30; i++) {
                    time(http, direct, i % outputs.size(), stream);
                    time(http, guarded, i % outputs.size(), stream);
                }
                double[] addedMember = new double[s.requests() / 2];
                double[] addedOther = new double[s.requests() - s.requests() / 2];
                double[] directMs = new double[s.requests()];
                int m = 0;
                int o = 0;
                for (int i = 0; i < s.requests(); i++) {
                    int which = i % outputs.size();
                    double d;
                    double g;
                    // both orders for both kinds of output: the first of a pair can be slower
                    if ((i / 2) % 2 == 0) {
                        d = time(http, direct, which, stream);
                        g = time(http, guarded, which, stream);
                    } else {
                        g = time(http, guarded, which, stream);
                        d = time(http, direct, which, stream);
                    }
                    directMs[i] = d;
                    if (which % 2 == 0 && m < addedMember.length) {
                        addedMember[m++] = g - d;
                    } else if (o < addedOther.length) {
                        addedOther[o++] = g - d;
                    }
                }
                String kind = stream ? "stream (one word per event)" : "non-stream";
                say(
                        "%s, %d requests of %d words: upstream alone p50 %.2f ms; added by the"
                                + " guard: member outputs p50 %.2f ms p99 %.2f ms, non-member p50"
                                + " %.2f ms p99 %.2f ms",
                        kind,
                        s.requests(),
                        s.words(),
                        pct(directMs, directMs.length, 50),
                        pct(addedMember, m, 50),
                        pct(addedMember, m, 99),
                        pct(addedOther, o, 50),
                        pct(addedOther, o, 99));
            }
        } finally {
            upstream.stop(0);
        }
    }

    private static int countWords(CharSequence s) {
        int n = 0;
        boolean in = false;
        for (int i = 0; i < s.length(); i++) {
            boolean w = !Character.isWhitespace(s.charAt(i));
            if (w && !in) {
                n++;
            }
            in = w;
        }
        return n;
    }

    /** Milliseconds to the last byte of one completion of output {@code which}. */
    private static double time(HttpClient http, String base, int which, boolean stream)
            throws Exception {
        HttpRequest req =
                HttpRequest.newBuilder(URI.create(base + "/completions"))
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"bench\",\"prompt\":\""
                                                + which
                                                + "\",\"max_tokens\":500,\"stream\":"
                                                + stream
                                                + "}"))
                        .build();
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(base + ": HTTP " + r.statusCode());
        }
        return ms;
    }

    private static HttpServer upstream(List<String> outputs) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(
                Executors.newFixedThreadPool(
                        4,
                        r -> {
                            Thread t = new Thread(r, "bench-upstream");
                            t.setDaemon(true);
                            return t;
                        }));
        server.createContext(
                "/",
                ex -> {
                    try (ex) {
                        String body =
                                new String(
                                        ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                        int which =
                                Integer.parseInt(
                                        body.replaceAll(".*\"prompt\":\"(\\d+)\".*", "$1"));
                        String text = outputs.get(which);
                        if (body.contains("\"stream\":true")) {
                            stream(ex, text);
                        } else {
                            byte[] b =
                                    ("{\"id\":\"cmpl-b\",\"object\":\"text_completion\",\"created\":1,"
                                                    + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"text\":"
                                                    + quote(text)
                                                    + ",\"logprobs\":null,\"finish_reason\":\"length\"}]}")
                                            .getBytes(StandardCharsets.UTF_8);
                            ex.getResponseHeaders().set("Content-Type", "application/json");
                            ex.sendResponseHeaders(200, b.length);
                            try (OutputStream o = ex.getResponseBody()) {
                                o.write(b);
                            }
                        }
                    }
                });
        server.start();
        return server;
    }

    private static void stream(HttpExchange ex, String text) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream o = ex.getResponseBody()) {
            for (String w : text.split("(?<= )")) {
                o.write(
                        ("data: {\"id\":\"cmpl-b\",\"object\":\"text_completion\",\"created\":1,"
                                        + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"text\":"
                                        + quote(w)
                                        + ",\"logprobs\":null,\"finish_reason\":null}]}\n\n")
                                .getBytes(StandardCharsets.UTF_8));
                o.flush();
            }
            o.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String quote(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double pct(double[] v, int n, int p) {
        if (n == 0) {
            return Double.NaN;
        }
        double[] c = Arrays.copyOf(v, n);
        Arrays.sort(c);
        int i = (int) Math.ceil(p / 100.0 * n) - 1;
        return c[Math.max(0, Math.min(n - 1, i))];
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
