package dev.memaudit.extractor.prevalence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.io.Json;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * A synthetic model-output log with a known share of reproducing outputs per stratum, for tests and
 * {@code memaudit bench prevalence}: each output is a run of background words (text that shares no
 * passage with the index) and, with its stratum's probability, one planted passage of a member work
 * spliced in. Everything comes from the seed.
 */
public final class SyntheticLog {
    /**
     * A stratum of the log.
     *
     * @param model the value of the output's {@code model} field
     * @param weight its share of the outputs
     * @param planted probability that an output of it holds a planted passage
     */
    public record Stratum(String model, double weight, double planted) {}

    /**
     * What was written.
     *
     * @param outputs outputs per stratum
     * @param planted outputs with a planted passage per stratum
     * @param bytes uncompressed bytes written
     */
    public record Truth(long[] outputs, long[] planted, long bytes) {}

    private SyntheticLog() {}

    /**
     * Writes a gzip JSONL log (plain JSONL when {@code file} does not end in .gz) of outputs of
     * {@code words} background words each, until {@code targetBytes} uncompressed bytes (or {@code
     * maxOutputs}) are written.
     *
     * @param background background words, read in order from a random start
     * @param passages member passages to plant (each a whole passage of words)
     */
    public static Truth write(
            Path file,
            List<String> background,
            List<String> passages,
            List<Stratum> strata,
            int words,
            long targetBytes,
            long maxOutputs,
            long seed)
            throws IOException {
        if (background.size() < 2 * words) {
            throw new IllegalArgumentException(
                    "need at least " + 2 * words + " background words, got " + background.size());
        }
        SplittableRandom random = new SplittableRandom(seed);
        double total = strata.stream().mapToDouble(Stratum::weight).sum();
        long[] outputs = new long[strata.size()];
        long[] planted = new long[strata.size()];
        long bytes = 0;
        OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        try (OutputStream out =
                file.getFileName().toString().endsWith(".gz")
                        ? new GZIPOutputStream(raw, 1 << 16)
                        : raw) {
            StringBuilder text = new StringBuilder();
            for (long i = 0; i < maxOutputs && bytes < targetBytes; i++) {
                double u = random.nextDouble() * total;
                int h = 0;
                while (h < strata.size() - 1 && u >= strata.get(h).weight()) {
                    u -= strata.get(h).weight();
                    h++;
                }
                outputs[h]++;
                text.setLength(0);
                int start = random.nextInt(background.size() - words);
                boolean plant = random.nextDouble() < strata.get(h).planted();
                int at = plant ? random.nextInt(words) : -1;
                for (int w = 0; w < words; w++) {
                    if (w == at) {
                        text.append(passages.get(random.nextInt(passages.size()))).append(' ');
                    }
                    text.append(background.get(start + w)).append(' ');
                }
                if (plant) {
                    planted[h]++;
                }
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("id", "o" + i);
                o.put("model", strata.get(h).model());
                o.put("text", text.toString().trim());
                byte[] line =
                        (Json.MAPPER.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
                out.write(line);
                bytes += line.length;
            }
        }
        return new Truth(outputs, planted, bytes);
    }

    /** The whitespace-separated words of a text. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}
