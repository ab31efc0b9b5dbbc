package dev.memaudit.model;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.run.ModelIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** The one way a {@link ModelIdentity} is formed (see {@link LanguageModel#identity()}). */
public final class ModelIdentities {
    /** The fixed text whose token ids fingerprint a tokenizer. */
    public static final String PROBE_TEXT =
            "Tokenizer probe: The quick brown fox jumps over 13 lazy dogs; naïve café, 東京, 🙂!\n"
                    + "\tIndented    spaces, CamelCase, snake_case and UPPER-CASE words.";

    private ModelIdentities() {}

    /** SHA-256 of the ids {@code tokenizer} gives {@link #PROBE_TEXT}, decimal, comma-separated. */
    public static String tokenizerFingerprint(ModelTokenizer tokenizer) {
        int[] ids = tokenizer.encodeIds(PROBE_TEXT);
        String joined =
                IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
        return Sha256.of(joined.getBytes(StandardCharsets.UTF_8));
    }

    /** A local model folder: hashes of its weights (with config.json) and of its tokenizer. */
    public static ModelIdentity localFolder(Path dir, ModelTokenizer tokenizer, int contextTokens) {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f)
                        && (n.endsWith(".safetensors") || n.equals("config.json"))) {
                    b.append(n).append('=').append(Sha256.of(f)).append('\n');
                }
            }
        } catch (IOException e) {
            throw MemauditException.badInput(dir + ": cannot list: " + e.getMessage(), e);
        }
        Path tok = dir.resolve("tokenizer.json");
        return new ModelIdentity(
                "local",
                Sha256.of(b.toString().getBytes(StandardCharsets.UTF_8)),
                Files.isRegularFile(tok) ? Sha256.of(tok) : null,
                null,
                null,
                contextTokens,
                tokenizer == null ? "none" : tokenizerFingerprint(tokenizer));
    }
}
