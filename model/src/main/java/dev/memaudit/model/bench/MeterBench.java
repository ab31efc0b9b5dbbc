package dev.memaudit.model.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.model.influence.ApproxInfluence;
import dev.memaudit.model.influence.Behaviour;
import dev.memaudit.model.influence.TokenizedBehaviour;
import dev.memaudit.model.influence.TrainableModel;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.model.runtime.Transformer;
import dev.memaudit.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Cost of approximate influence ({@link ApproxInfluence}) on a random GPT-2-shaped model written to
 * a temporary Hugging Face folder (config.json + model.safetensors, float32, std 0.02) and loaded
 * back as a {@link TrainableModel}: for each method, seconds per work and per behaviour, with
 * random token ids as the works' chunks, the retain chunks and the behaviours. Prints the peak
 * resident set size (VmHWM) after each method; the folder is deleted at the end.
 */
public final class MeterBench {
    private MeterBench() {}

    /**
     * What to run.
     *
     * @param layers transformer blocks (12 = GPT-2 small)
     * @param hidden width (768)
     * @param heads attention heads (12)
     * @param vocab vocabulary (50257)
     * @param works metered works
     * @param chunksPerWork chunks of each work
     * @param chunkTokens tokens per chunk
     * @param behaviours behaviours
     * @param behaviourTokens tokens per behaviour (the first half a prompt)
     * @param retainChunks retain chunks (unlearn)
     * @param steps unlearning steps per work
     * @param projectionDim sketch size (gradient)
     */
    public record Settings(
            int layers,
            int hidden,
            int heads,
            int vocab,
            int works,
            int chunksPerWork,
            int chunkTokens,
            int behaviours,
            int behaviourTokens,
            int retainChunks,
            int steps,
            int projectionDim) {

        /** GPT-2 small; 2 works of 4 × 128 tokens, 8 behaviours of 64 tokens, 3 steps. */
        public static Settings gpt2Small() {
            return new Settings(12, 768, 12, 50257, 2, 4, 128, 8, 64, 4, 3, 4096);
        }

        /** A very small model for smoke tests. */
        public static Settings tiny() {
            return new Settings(2, 64, 4, 500, 2, 2, 32, 3, 16, 2, 2, 256);
        }
    }

    /** Writes the random model, runs both methods and prints the figures. */
    public static void run(Settings s, PrintStream out) {
        Path dir;
        try {
            dir = Files.createTempDirectory("memaudit-meter-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            long w0 = System.nanoTime();
            long params = writeRandomGpt2(s, dir);
            out.printf(
                    Locale.ROOT,
                    "random GPT-2: %d layers, width %d, %d heads, vocab %d, %,d parameters;"
                            + " written in %.1f s%n",
                    s.layers(),
                    s.hidden(),
                    s.heads(),
                    s.vocab(),
                    params,
                    (System.nanoTime() - w0) / 1e9);
            SplittableRandom r = new SplittableRandom(2024);
            List<ApproxInfluence.WorkChunks> works = new ArrayList<>();
            for (int w = 0; w < s.works(); w++) {
                List<int[]> chunks = new ArrayList<>();
                for (int c = 0; c < s.chunksPerWork(); c++) {
                    chunks.add(ModelBench.randomTokens(r, s.chunkTokens(), s.vocab()));
                }
                works.add(new ApproxInfluence.WorkChunks("w" + w, chunks));
            }
            List<int[]> retain = new ArrayList<>();
            for (int c = 0; c < s.retainChunks(); c++) {
                retain.add(ModelBench.randomTokens(r, s.chunkTokens(), s.vocab()));
            }
            List<TokenizedBehaviour> behaviours = new ArrayList<>();
            for (int b = 0; b < s.behaviours(); b++) {
                behaviours.add(
                        new TokenizedBehaviour(
                                new Behaviour("b" + b, "p", "t", "given", null),
                                ModelBench.randomTokens(r, s.behaviourTokens(), s.vocab()),
                                s.behaviourTokens() / 2));
            }
            out.printf(
                    Locale.ROOT,
                    "%d works × %d chunks × %d tokens, %d behaviours × %d tokens (%d scored),"
                            + " %d retain chunks%n",
                    s.works(),
                    s.chunksPerWork(),
                    s.chunkTokens(),
                    s.behaviours(),
                    s.behaviourTokens(),
                    s.behaviourTokens() - s.behaviourTokens() / 2,
                    s.retainChunks());
            long l0 = System.nanoTime();
            try (TrainableModel model = TrainableModel.load(dir)) {
                out.printf(
                        Locale.ROOT,
                        "loaded as a trainable model in %.1f s%n",
                        (System.nanoTime() - l0) / 1e9);
                PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
                for (ApproxInfluence.Method m : ApproxInfluence.Method.values()) {
                    ApproxInfluence.Settings settings =
                            new ApproxInfluence.Settings(
                                    m, s.steps(), 0.1, 1.0, 1.0, s.projectionDim(), 42);
                    long t0 = System.nanoTime();
                    ApproxInfluence.Result res =
                            ApproxInfluence.run(
                                    model, settings, behaviours, works, retain, quiet, x -> {});
                    double total = (System.nanoTime() - t0) / 1e9;
                    double perWork =
                            res.works().stream()
                                    .mapToDouble(ApproxInfluence.WorkResult::seconds)
                                    .average()
                                    .orElse(Double.NaN);
                    out.printf(
                            Locale.ROOT,
                            "%-8s %s%n",
                            m.id(),
                            m == ApproxInfluence.Method.UNLEARN
                                    ? String.format(
                                            Locale.ROOT,
                                            "(%d steps over %d work + %d retain chunks, then"
                                                    + " rescoring)",
                                            s.steps(),
                                            s.chunksPerWork(),
                                            s.retainChunks())
                                    : String.format(
                                            Locale.ROOT,
                                            "(count-sketch to %d dimensions)",
                                            s.projectionDim()));
                    out.printf(
                            Locale.ROOT,
                            "  behaviours at the checkpoint: %.2f s (%.3f s per behaviour)%n",
                            res.behaviourSeconds(),
                            res.behaviourSeconds() / s.behaviours());
                    out.printf(
                            Locale.ROOT,
                            "  per work: %.2f s (%.3f s per work and behaviour); total %.1f s%n",
                            perWork,
                            perWork / s.behaviours(),
                            total);
                    ApproxInfluence.WorkResult first = res.works().get(0);
                    if (first.forgetNllAfter() != null) {
                        out.printf(
                                Locale.ROOT,
                                "  work NLL %.3f → %.3f, retain NLL %.3f → %.3f nats/token%n",
                                first.forgetNllBefore(),
                                first.forgetNllAfter(),
                                first.retainNllBefore(),
                                first.retainNllAfter());
                    }
                    out.printf(
                            Locale.ROOT,
                            "  peak RSS so far: %.2f GiB%n",
                            ModelBench.peakRss() / (double) (1L << 30));
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Writes config.json and model.safetensors of a random GPT-2; returns its parameter count. */
    static long writeRandomGpt2(Settings s, Path dir) {
        ModelConfig mc =
                ModelConfig.builder(Architecture.GPT2)
                        .vocabSize(s.vocab())
                        .hidden(s.hidden())
                        .layers(s.layers())
                        .heads(s.heads())
                        .intermediate(4 * s.hidden())
                        .maxPositions(Math.max(1024, s.chunkTokens()))
                        .bosId(s.vocab() - 1)
                        .eosId(s.vocab() - 1)
                        .build();
        SplittableRandom r = new SplittableRandom(1234);
        Map<String, SafetensorsWriter.F32Tensor> tensors = new LinkedHashMap<>();
        long n = 0;
        for (Map.Entry<String, long[]> e : Transformer.expectedShapes(mc, "").entrySet()) {
            int size = 1;
            for (long d : e.getValue()) {
                size = Math.multiplyExact(size, (int) d);
            }
            boolean normWeight = e.getKey().contains("ln_") && e.getKey().endsWith(".weight");
            float[] v = new float[size];
            for (int i = 0; i < size; i++) {
                v[i] = (float) ((normWeight ? 1 : 0) + 0.02 * r.nextGaussian());
            }
            tensors.put(e.getKey(), new SafetensorsWriter.F32Tensor(e.getValue(), v));
            n += size;
        }
        try {
            new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), mc.toHfJson());
            SafetensorsWriter.writeF32(dir.resolve("model.safetensors"), tensors, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
