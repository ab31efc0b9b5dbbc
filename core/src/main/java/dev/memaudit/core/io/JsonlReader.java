package dev.memaudit.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a JSONL file one object per line, keeping line numbers (1-based) so that every problem can
 * be named by file and line. A bad line (invalid UTF-8, malformed JSON, not an object) is returned
 * as a {@link Line} with a reason instead of aborting the file; blank lines are skipped.
 */
public final class JsonlReader implements Closeable {
    /** One non-blank line: either {@code object} or {@code problem} is non-null. */
    public record Line(long number, ObjectNode object, String problem) {}

    private final Path file;
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private final CharsetDecoder decoder =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream lineBytes = new ByteArrayOutputStream(1 << 12);
    private long lineNumber;
    private boolean eof;

    public JsonlReader(Path file) throws IOException {
        this.file = file;
        this.in = Files.newInputStream(file);
    }

    /** The file being read. */
    public Path file() {
        return file;
    }

    /** The next non-blank line, or {@code null} at the end of the file. */
    public Line next() throws IOException {
        while (!eof) {
            lineBytes.reset();
            // Scan the buffer for the newline instead of reading byte by byte: long ledgers (a
            // whole book's windows) are read through here.
            boolean newline = false;
            while (!newline) {
                if (pos == limit) {
                    limit = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        break;
                    }
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                lineBytes.write(buf, start, pos - start);
                if (pos < limit) {
                    pos++;
                    newline = true;
                }
            }
            if (!newline) {
                eof = true;
                if (lineBytes.size() == 0) {
                    return null;
                }
            }
            lineNumber++;
            byte[] bytes = lineBytes.toByteArray();
            int len = bytes.length;
            if (len > 0 && bytes[len - 1] == '\r') {
                len--;
            }
            int off = 0;
            if (lineNumber == 1
                    && len >= 3
                    && (bytes[0] & 0xFF) == 0xEF
                    && (bytes[1] & 0xFF) == 0xBB
                    && (bytes[2] & 0xFF) == 0xBF) {
                off = 3;
            }
            String text;
            try {
                text = decoder.decode(ByteBuffer.wrap(bytes, off, len - off)).toString();
            } catch (CharacterCodingException e) {
                return new Line(lineNumber, null, "not valid UTF-8");
            }
            if (text.isBlank()) {
                continue;
            }
            return parse(text);
        }
        return null;
    }

    private Line parse(String text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                return new Line(lineNumber, null, "not a JSON object");
            }
            return new Line(lineNumber, (ObjectNode) node, null);
        } catch (JsonProcessingException e) {
            return new Line(lineNumber, null, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
