package dev.memaudit.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An append-only JSONL file of a run folder: one record per line, each written and handed to the
 * operating system as soon as it is produced, so a run killed at any moment (kill -9 included)
 * loses at most the record being written.
 *
 * <p>Opening with {@code resume} reads the records already there and removes a torn last line (a
 * record cut off by a kill has no final newline); a complete line that is not a JSON object is an
 * integrity failure naming the file and line, since nothing but this class writes these files.
 * Opening without {@code resume} refuses a file that already holds records, so a finished run is
 * never appended to by mistake.
 */
public final class RunLedger implements AutoCloseable {
    private final Path file;
    private final List<ObjectNode> existing;
    private final long repairedBytes;
    private final OutputStream out;
    private long appended;

    private RunLedger(Path file, List<ObjectNode> existing, long repairedBytes, OutputStream out) {
        this.file = file;
        this.existing = existing;
        this.repairedBytes = repairedBytes;
        this.out = out;
    }

    /**
     * Opens {@code file} for appending.
     *
     * @param resume keep and return the records already in the file; otherwise the file must be
     *     absent or empty
     */
    public static RunLedger open(Path file, boolean resume) {
        try {
            List<ObjectNode> records = new ArrayList<>();
            long repaired = 0;
            if (Files.exists(file) && Files.size(file) > 0) {
                if (!resume) {
                    throw MemauditException.usage(
                            file
                                    + ": already holds records of an earlier run; pass --resume to"
                                    + " continue it, or choose a new --out folder");
                }
                repaired = readAndRepair(file, records);
            }
            OutputStream out =
                    Files.newOutputStream(
                            file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new RunLedger(file, Collections.unmodifiableList(records), repaired, out);
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot open: " + e.getMessage(), e);
        }
    }

    private static long readAndRepair(Path file, List<ObjectNode> records) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        long torn = bytes.length - end;
        if (torn > 0) {
            // The last record was cut off by a kill: drop it so the resumed run writes it again.
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(true);
            }
        }
        String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                node = null;
            }
            if (!(node instanceof ObjectNode o)) {
                throw MemauditException.integrity(
                        file
                                + ":"
                                + lineNo
                                + ": not a JSON object; the ledger was changed outside"
                                + " memaudit");
            }
            records.add(o);
        }
        return torn;
    }

    /** The ledger file. */
    public Path file() {
        return file;
    }

    /** Records that were in the file when it was opened (after removing a torn last line). */
    public List<ObjectNode> existing() {
        return existing;
    }

    /** Bytes of a torn last record removed when the ledger was opened (0 if none). */
    public long repairedBytes() {
        return repairedBytes;
    }

    /** Records appended since opening. */
    public synchronized long appended() {
        return appended;
    }

    /**
     * Appends one record (a record class, map or JsonNode) as one line and hands it to the
     * operating system before returning.
     */
    public synchronized void append(Object record) {
        try {
            byte[] line = Json.MAPPER.writeValueAsBytes(record);
            byte[] withNewline = new byte[line.length + 1];
            System.arraycopy(line, 0, withNewline, 0, line.length);
            withNewline[line.length] = '\n';
            // One write call per record: a kill can only tear the record being written.
            out.write(withNewline);
            out.flush();
            appended++;
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot append: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot close: " + e.getMessage(), e);
        }
    }
}
