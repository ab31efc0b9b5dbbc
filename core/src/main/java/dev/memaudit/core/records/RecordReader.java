package dev.memaudit.core.records;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.JsonlReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Streams the records of a JSONL run-folder file one by one (a ledger can hold a whole book's
 * windows: nothing is loaded that is not asked for), each checked and bound as {@link Records}
 * describes; a bad line is an integrity failure naming file and line.
 */
public final class RecordReader<T> implements AutoCloseable {
    private final JsonlReader in;
    private final Class<T> type;
    private long line;

    private RecordReader(JsonlReader in, Class<T> type) {
        this.in = in;
        this.type = type;
    }

    /** Opens {@code file}; a missing file is an integrity failure (a stage always writes it). */
    public static <T> RecordReader<T> open(Path file, Class<T> type) {
        Records.version(type); // fails at once for a type that is not a file record
        try {
            return new RecordReader<>(new JsonlReader(file), type);
        } catch (java.nio.file.NoSuchFileException e) {
            throw MemauditException.integrity(file + ": missing", e);
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The next record, or {@code null} at the end of the file. */
    public T next() {
        JsonlReader.Line l;
        try {
            l = in.next();
        } catch (IOException e) {
            throw MemauditException.badInput(in.file() + ": cannot read: " + e.getMessage(), e);
        }
        if (l == null) {
            return null;
        }
        line = l.number();
        String where = in.file() + ":" + l.number();
        if (l.problem() != null) {
            throw MemauditException.integrity(where + ": " + l.problem());
        }
        return Records.bind(l.object(), type, where);
    }

    /** 1-based line of the record last returned (0 before the first). */
    public long line() {
        return line;
    }

    /** {@code file:line} of the record last returned, for messages about its content. */
    public String where() {
        return in.file() + ":" + line;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw MemauditException.badInput(in.file() + ": cannot close: " + e.getMessage(), e);
        }
    }
}
