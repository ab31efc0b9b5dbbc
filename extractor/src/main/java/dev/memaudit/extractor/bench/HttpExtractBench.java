package dev.memaudit.extractor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.Encoded;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.http.EndpointConfig;
import dev.memaudit.model.http.OpenAiCompletionsModel;
import dev.memaudit.model.http.ServerTokenizer;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.serve.CompletionsServer;
import dev.memaudit.model.serve.ServeOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code memaudit bench extract --index … --works … --model <dir> [--endpoint <url>]}: the extract
 * stage on real works through an OpenAI-compatible server against the same model locally, in one
 * process, one after the other: (1) local, (2) HTTP with the model's {@code tokenizer.json}, (3)
 * HTTP with the server's tokenizer (token pieces where the server gives them), (4) HTTP with the
 * server's tokenizer through detokenized windows only, (5) local again (drift, and a warm JIT for
 * local too). Without {@code --endpoint} it serves the model itself ({@link CompletionsServer} on
 * loopback, in this process).
 *
 * <p>Prints per run: wall seconds, window-phase seconds and windows/s (tokenization included, as
 * extract times it), attempts/s, requests, request and response body bytes; then how many window
 * records of each later run equal the first local run's (every code-point offset identical, log p_z
 * of greedy and t1 within 1e-4), how many attempts generated the same tokens and text, how many
 * tokens of the works get the same offsets from the server tokenizer as from the local one; and the
 * ratios the targets name.
 */
public final class HttpExtractBench {
    private HttpExtractBench() {}

    /**
     * @param index the index holding the works
     * @param modelDir a local model folder (also served when {@code endpoint} is null)
     * @param endpoint a server of the same model, or null to serve {@code modelDir} here
     * @param modelName the served model's name (null: the only one listed)
     * @param maxInFlight requests open at once
     * @param options the extract settings ({@code works} names the works)
     */
    public record Settings(
            Path index,
            Path modelDir,
            URI endpoint,
            String modelName,
            int maxInFlight,
            ExtractService.Options options) {}

    /** One run's figures. */
    record Run(
            String name,
            double seconds,
            ExtractService.Summary summary,
            long requests,
            long bytesSent,
            long bytesReceived,
            Map<String, Object> tokenizer) {}

    /** Runs the four passes and prints the figures; returns them by name. */
    public static Map<String, Double> run(Settings s, PrintStream out) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("memaudit-bench-http");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrintStream quiet =
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Map<String, Double> figures = new LinkedHashMap<>();
        try (NgramIndex index = NgramIndex.open(s.index());
                DjlLanguageModel local = ModelLoader.load(s.modelDir())) {
            long chars = 0;
            long tokens = 0;
            List<String> texts = texts(index, s.options().works());
            for (String t : texts) {
                chars += t.codePointCount(0, t.length());
                tokens += local.tokenizer().encodeIds(t).length;
            }
            out.printf(
                    Locale.ROOT,
                    "works: %s, %,d code points, %,d tokens of %s%n",
                    s.options().works() == null ? "all" : String.join(",", s.options().works()),
                    chars,
                    tokens,
                    local.describe());
            ExtractService.Options o = s.options();
            out.printf(
                    Locale.ROOT,
                    "extract: prefix %d, suffix %d, stride %d, batch %d, attempts %d (%s),"
                            + " %d requests in flight%n",
                    o.prefixTokens(),
                    o.suffixTokens(),
                    o.stride(),
                    o.batch(),
                    o.attempts(),
                    o.attemptWindows(),
                    s.maxInFlight());
            CompletionsServer served = null;
            URI url = s.endpoint();
            if (url == null) {
                served =
                        CompletionsServer.start(
                                local,
                                ServeOptions.defaults("bench")
                                        .withPort(0)
                                        .withLimits(8 << 20, Math.max(4, s.maxInFlight()), 64, 20));
                url = served.uri();
                out.println("server: memaudit serve in this process at " + url);
            } else {
                out.println("server: " + url);
            }
            try {
                List<Run> runs = new ArrayList<>();
                runs.add(extract("local", local, index, o, tmp, quiet, null));
                Path tokenizerJson = s.modelDir().resolve("tokenizer.json");
                for (String name :
                        List.of(
                                "http --tokenizer",
                                "http server tokenizer",
                                "http server windows")) {
                    EndpointConfig cfg =
                            EndpointConfig.of(
                                            url,
                                            s.modelName() != null
                                                    ? s.modelName()
                                                    : (served != null ? "bench" : null),
                                            null,
                                            name.equals("http --tokenizer") ? tokenizerJson : null)
                                    .withMaxInFlight(s.maxInFlight());
                    try (OpenAiCompletionsModel remote = OpenAiCompletionsModel.open(cfg)) {
                        if (name.equals("http server windows")) {
                            ((ServerTokenizer) remote.tokenizer())
                                    .useOffsetMethod(ServerTokenizer.OffsetMethod.WINDOWS);
                        }
                        Map<String, Object> before = remote.manifestSection();
                        Run r = extract(name, remote, index, o, tmp, quiet, before);
                        runs.add(r);
                        if (remote.tokenizer() instanceof ServerTokenizer st) {
                            long same = sameOffsets(local, st, texts);
                            out.printf(
                                    Locale.ROOT,
                                    "  %s: %,d of %,d tokens have the local tokenizer's ids and"
                                            + " offsets%n",
                                    name,
                                    same,
                                    tokens);
                            figures.put(name + " tokens equal", (double) same);
                        }
                    }
                }
                // local again: the machine's drift over the runs, and a warm JIT for local too
                runs.add(extract("local again", local, index, o, tmp, quiet, null));
                report(runs, tmp, out, figures);
            } finally {
                if (served != null) {
                    served.close();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(tmp);
        }
        return figures;
    }

    private static List<String> texts(NgramIndex index, List<String> works) {
        if (works == null || works.isEmpty()) {
            throw MemauditException.usage("bench extract --index needs --works <ids>");
        }
        List<String> out = new ArrayList<>();
        for (String id : works) {
            int ord = index.store().ordinal(id);
            if (ord < 0) {
                throw MemauditException.usage(index.dir() + ": no work with id " + id);
            }
            out.add(index.store().text(ord));
        }
        return out;
    }

    private static Run extract(
            String name,
            LanguageModel model,
            NgramIndex index,
            ExtractService.Options o,
            Path tmp,
            PrintStream quiet,
            Map<String, Object> before) {
        Path dir = tmp.resolve(name.replace(' ', '-').replace("--", ""));
        long t0 = System.nanoTime();
        ExtractService.Summary summary =
                new ExtractService(Clock.systemUTC(), quiet, false)
                        .run(model, index, o, dir, false, List.of("bench", name));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> after = model.manifestSection();
        @SuppressWarnings("unchecked")
        Map<String, Object> tok = (Map<String, Object>) after.get("server_tokenizer");
        return new Run(
                name,
                seconds,
                summary,
                delta(after, before, "requests"),
                delta(after, before, "bytes_sent"),
                delta(after, before, "bytes_received"),
                tok);
    }

    private static long delta(Map<String, Object> after, Map<String, Object> before, String key) {
        if (before == null) {
            return 0;
        }
        return ((Number) after.get(key)).longValue() - ((Number) before.get(key)).longValue();
    }

    private static long sameOffsets(
            LanguageModel local, ServerTokenizer remote, List<String> texts) {
        long same = 0;
        for (String t : texts) {
            Encoded a = local.tokenizer().encode(t);
            Encoded b = remote.encode(t); // kept from the run: no request
            if (!java.util.Arrays.equals(a.ids(), b.ids())) {
                continue;
            }
            for (int i = 0; i < a.length(); i++) {
                if (a.starts()[i] == b.starts()[i] && a.ends()[i] == b.ends()[i]) {
                    same++;
                }
            }
        }
        return same;
    }

    private static void report(List<Run> runs, Path tmp, PrintStream out, Map<String, Double> f) {
        out.printf(
                Locale.ROOT,
                "%-22s %9s %9s %10s %11s %9s %13s %13s%n",
                "run",
                "wall s",
                "windows s",
                "windows/s",
                "attempts/s",
                "requests",
                "bytes sent",
                "bytes recv");
        for (Run r : runs) {
            out.printf(
                    Locale.ROOT,
                    "%-22s %9.1f %9.1f %10.1f %11.2f %9d %13d %13d%n",
                    r.name(),
                    r.seconds(),
                    r.summary().windowSeconds(),
                    r.summary().windowsPerSecond(),
                    r.summary().attemptsPerSecond(),
                    r.requests(),
                    r.bytesSent(),
                    r.bytesReceived());
            f.put(r.name() + " seconds", r.seconds());
            f.put(r.name() + " windows/s", r.summary().windowsPerSecond());
            if (r.tokenizer() != null) {
                out.printf(Locale.ROOT, "  %s tokenizer: %s%n", r.name(), r.tokenizer());
            }
        }
        Map<String, JsonNode> reference = records(tmp.resolve(dirName(runs.get(0))), false);
        Map<String, JsonNode> referenceAttempts = records(tmp.resolve(dirName(runs.get(0))), true);
        for (Run r : runs.subList(1, runs.size())) {
            Map<String, JsonNode> got = records(tmp.resolve(dirName(r)), false);
            Map<String, JsonNode> gotAttempts = records(tmp.resolve(dirName(r)), true);
            int sameAttempts = 0;
            for (Map.Entry<String, JsonNode> e : referenceAttempts.entrySet()) {
                JsonNode b = gotAttempts.get(e.getKey());
                if (b != null
                        && b.path("generated_tokens").equals(e.getValue().path("generated_tokens"))
                        && b.path("generated_text").equals(e.getValue().path("generated_text"))) {
                    sameAttempts++;
                }
            }
            int sameOffsets = 0;
            int samePz = 0;
            for (Map.Entry<String, JsonNode> e : reference.entrySet()) {
                JsonNode a = e.getValue();
                JsonNode b = got.get(e.getKey());
                if (b == null) {
                    continue;
                }
                boolean offsets = true;
                for (String k :
                        List.of(
                                "prefix_char_start",
                                "prefix_char_end",
                                "suffix_char_start",
                                "suffix_char_end")) {
                    offsets &= a.path(k).asInt() == b.path(k).asInt();
                }
                sameOffsets += offsets ? 1 : 0;
                boolean pz = a.path("greedy_extractable").equals(b.path("greedy_extractable"));
                for (String scheme : List.of("greedy", "t1")) {
                    JsonNode x = a.path("log_p_z").path(scheme);
                    JsonNode y = b.path("log_p_z").path(scheme);
                    pz &=
                            x.isNull() == y.isNull()
                                    && (x.isNull()
                                            || Math.abs(x.asDouble() - y.asDouble()) <= 1e-4);
                }
                samePz += pz ? 1 : 0;
            }
            out.printf(
                    Locale.ROOT,
                    "%s vs local: %d of %d windows with the same offsets, %d with the same p_z"
                            + " (greedy, t1 within 1e-4); %d of %d attempts with the same tokens"
                            + " and text%n",
                    r.name(),
                    sameOffsets,
                    reference.size(),
                    samePz,
                    sameAttempts,
                    referenceAttempts.size());
            f.put(r.name() + " windows equal", (double) Math.min(sameOffsets, samePz));
        }
        // the faster of the two local runs: the ratio errs against HTTP
        double local =
                Math.max(
                        runs.get(0).summary().windowsPerSecond(),
                        runs.get(runs.size() - 1).summary().windowsPerSecond());
        double withTok = runs.get(1).seconds();
        out.printf(
                Locale.ROOT,
                "ratios: faster local / http windows/s = %.2f (target ≤ 3); server tokenizer /"
                        + " --tokenizer wall time = %.2f (pieces), %.2f (windows) (target ≤ 2)%n",
                local / runs.get(1).summary().windowsPerSecond(),
                runs.get(2).seconds() / withTok,
                runs.get(3).seconds() / withTok);
        f.put("local/http windows", local / runs.get(1).summary().windowsPerSecond());
        f.put("server pieces/tokenizer", runs.get(2).seconds() / withTok);
        f.put("server windows/tokenizer", runs.get(3).seconds() / withTok);
    }

    private static String dirName(Run r) {
        return r.name().replace(' ', '-').replace("--", "");
    }

    /** windows.jsonl (or attempts.jsonl) records by work, window (and attempt). */
    private static Map<String, JsonNode> records(Path dir, boolean attempts) {
        Map<String, JsonNode> out = new HashMap<>();
        Path file = dir.resolve(attempts ? "attempts.jsonl" : "windows.jsonl");
        if (!Files.exists(file)) {
            return out;
        }
        try (Stream<String> lines = Files.lines(file)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.isBlank()) {
                    JsonNode n = Json.MAPPER.readTree(line);
                    out.put(
                            n.path("work_id").asText()
                                    + "#"
                                    + n.path("window").asInt()
                                    + "/"
                                    + n.path("attempt").asInt(),
                            n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    // a temp folder: the OS cleans what is left
                                }
                            });
        } catch (IOException e) {
            // nothing to clean
        }
    }
}
