package dev.memaudit.core.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one configured Jackson mapper of the project: strict on read, stable on write. */
public final class Json {
    /**
     * Rejects unknown properties, duplicate keys and trailing tokens; writes map entries sorted by
     * key so that files are byte-reproducible.
     */
    public static final ObjectMapper MAPPER = builder(new JsonFactory()).build();

    private Json() {}

    /** A mapper builder over {@code factory} configured as {@link #MAPPER}. */
    public static JsonMapper.Builder builder(JsonFactory factory) {
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    /** Writes {@code value} as indented JSON with a final newline, atomically (temp + rename). */
    public static void writePretty(Path file, Object value) {
        writePretty(MAPPER, file, value);
    }

    /** {@link #writePretty(Path, Object)} through another configured mapper. */
    public static void writePretty(ObjectMapper mapper, Path file, Object value) {
        try {
            byte[] bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (var out = Files.newOutputStream(tmp)) {
                out.write(bytes);
                out.write('\n');
            }
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
