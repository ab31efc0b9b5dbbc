package dev.memaudit.core.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one JSON object per line (UTF-8, {@code \n}). Opened for append by {@link #append}, so a
 * resumed run adds to what is there and never rewrites a record.
 */
public final class JsonlWriter implements Closeable, Flushable {
    private final OutputStream out;
    private final JsonGenerator generator;
    // Buffered: callers that need a record on disk at once (run ledgers) call flush().
    private final ObjectWriter writer;

    private JsonlWriter(OutputStream out, ObjectMapper mapper) throws IOException {
        this.out = out;
        this.writer = mapper.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
        this.generator = mapper.getFactory().createGenerator(out);
        generator.setRootValueSeparator(null);
    }

    /** Creates (or truncates) {@code file}. */
    public static JsonlWriter create(Path file) throws IOException {
        return create(file, Json.MAPPER);
    }

    /** Creates (or truncates) {@code file}, writing through {@code mapper}. */
    public static JsonlWriter create(Path file, ObjectMapper mapper) throws IOException {
        return new JsonlWriter(
                new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), mapper);
    }

    /** Opens {@code file} for appending, creating it if needed. */
    public static JsonlWriter append(Path file) throws IOException {
        return new JsonlWriter(
                new BufferedOutputStream(
                        Files.newOutputStream(
                                file, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                        1 << 16),
                Json.MAPPER);
    }

    /** Writes {@code value} (a record, map or JsonNode) as one line. */
    public void write(Object value) throws IOException {
        writer.writeValue(generator, value);
        generator.writeRaw('\n');
    }

    @Override
    public void flush() throws IOException {
        generator.flush();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        generator.close();
        out.close();
    }
}
