package dev.memaudit.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads a JSONL file one object per line, keeping line numbers (1-based) so that every problem can
 * be named by file and line. A bad line (invalid UTF-8, malformed JSON, not an object, longer than
 * the line limit) is returned as a {@link Line} with a reason instead of aborting the file; blank
 * lines are skipped. Lines end at {@code \n}; a {@code \r} before it is dropped.
 *
 * <p>A line is held in memory only up to the line limit: a longer one is read through to its end
 * without being kept, so a 2 GB line costs the limit, not 2 GB, and the next line is read as usual.
 * JSON strings may be as long as a line (Jackson's own 20 M character default does not apply);
 * nesting is Jackson's default, at most 1000 levels.
 *
 * <p>A gzip file (recognized by its first two bytes, not its name) is decompressed while it is
 * read; data that cannot be read (a truncated or corrupt gzip stream) is a bad-input error naming
 * the file and the line being read.
 */
public final class JsonlReader implements Closeable {
    /** The line limit when none is given: 64 MiB, far above any record or model output. */
    public static final long DEFAULT_MAX_LINE_BYTES = 64L << 20;

    /**
     * One non-blank line: either {@code object} or {@code problem} is non-null.
     *
     * @param bytes the line's length in bytes, without its line end
     * @param tooLong whether the line is longer than the reader's limit (then {@code problem} says
     *     so and the line was not kept)
     */
    public record Line(
            long number, ObjectNode object, String problem, long bytes, boolean tooLong) {}

    private static final ObjectMapper DEFAULT_MAPPER =
            lineMapper(Json.MAPPER, DEFAULT_MAX_LINE_BYTES);

    private final Path file;
    private final InputStream in;
    private final boolean gzip;
    private final long maxLineBytes;
    private final ObjectMapper mapper;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private final CharsetDecoder decoder =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] lineBytes = new byte[1 << 12];
    private int lineLength;
    private long lineNumber;
    private boolean eof;

    /** A reader with lines of at most {@link #DEFAULT_MAX_LINE_BYTES}, parsed by {@link Json}. */
    public JsonlReader(Path file) throws IOException {
        this(file, DEFAULT_MAX_LINE_BYTES);
    }

    /** A reader with lines of at most {@code maxLineBytes} bytes, parsed by {@link Json}. */
    public JsonlReader(Path file, long maxLineBytes) throws IOException {
        this(
                file,
                maxLineBytes,
                maxLineBytes == DEFAULT_MAX_LINE_BYTES
                        ? DEFAULT_MAPPER
                        : lineMapper(Json.MAPPER, maxLineBytes));
    }

    /**
     * A reader with lines of at most {@code maxLineBytes} bytes (1 .. 2^31 - 64), parsed by {@code
     * mapper}, whose read constraints apply as they are (see {@link #lineMapper}).
     */
    public JsonlReader(Path file, long maxLineBytes, ObjectMapper mapper) throws IOException {
        if (maxLineBytes < 1 || maxLineBytes > Integer.MAX_VALUE - 64L) {
            throw new IllegalArgumentException(
                    "maxLineBytes must be between 1 and "
                            + (Integer.MAX_VALUE - 64L)
                            + ", got "
                            + maxLineBytes);
        }
        this.file = file;
        this.maxLineBytes = maxLineBytes;
        this.mapper = mapper;
        this.in = open(file);
        this.gzip = in instanceof GZIPInputStream;
    }

    /** The file's bytes, gunzipped when it starts with the gzip magic bytes (whatever its name). */
    private static InputStream open(Path file) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new GZIPInputStream(raw, 1 << 16);
            } catch (IOException e) {
                raw.close();
                throw MemauditException.badInput(
                        file + ":1: not a readable gzip file: " + e.getMessage(), e);
            }
        }
        return raw;
    }

    /** Whether the file is gzip-compressed (read through transparently). */
    public boolean gzip() {
        return gzip;
    }

    /**
     * A copy of {@code base} whose JSON strings may be as long as a line of {@code maxLineBytes} (a
     * string never has more characters than its line has bytes).
     */
    public static ObjectMapper lineMapper(ObjectMapper base, long maxLineBytes) {
        ObjectMapper copy = base.copy();
        StreamReadConstraints current = copy.getFactory().streamReadConstraints();
        copy.getFactory()
                .setStreamReadConstraints(
                        current.rebuild()
                                .maxStringLength(
                                        (int) Math.min(maxLineBytes, Integer.MAX_VALUE - 64L))
                                .build());
        return copy;
    }

    /** The file being read. */
    public Path file() {
        return file;
    }

    /** The next non-blank line, or {@code null} at the end of the file. */
    public Line next() throws IOException {
        while (!eof) {
            lineLength = 0;
            long length = 0; // of the whole line, also past the limit
            byte last = 0; // the line's last byte, kept also past the limit
            // Scan the buffer for the newline instead of reading byte by byte: long ledgers (a
            // whole book's windows) are read through here.
            boolean newline = false;
            while (!newline) {
                if (pos == limit) {
                    limit = read();
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
                length += pos - start;
                if (pos > start) {
                    last = buf[pos - 1];
                }
                if (length <= maxLineBytes + 1) {
                    // one byte more than the limit: a '\r' before the newline is not counted
                    append(start, pos - start);
                }
                if (pos < limit) {
                    pos++;
                    newline = true;
                }
            }
            if (!newline) {
                eof = true;
                if (length == 0) {
                    return null;
                }
            }
            lineNumber++;
            int len = lineLength;
            if (length > 0 && last == '\r') {
                length--;
                if (len > 0) {
                    len--;
                }
            }
            if (length > maxLineBytes) {
                return new Line(
                        lineNumber,
                        null,
                        String.format(
                                Locale.ROOT,
                                "line is %,d bytes long, over the limit of %,d bytes",
                                length,
                                maxLineBytes),
                        length,
                        true);
            }
            int off = 0;
            if (lineNumber == 1
                    && len >= 3
                    && (lineBytes[0] & 0xFF) == 0xEF
                    && (lineBytes[1] & 0xFF) == 0xBB
                    && (lineBytes[2] & 0xFF) == 0xBF) {
                off = 3;
            }
            if (ascii(lineBytes, off, len)) {
                // ASCII is valid UTF-8 as it is: Jackson parses the bytes, without the decoding
                // and the String copy (half the reading time of 20 MB of outputs, measured)
                if (blank(lineBytes, off, len)) {
                    continue;
                }
                return parse(lineBytes, off, len - off, length);
            }
            String text;
            try {
                text = decoder.decode(ByteBuffer.wrap(lineBytes, off, len - off)).toString();
            } catch (CharacterCodingException e) {
                return new Line(lineNumber, null, "not valid UTF-8", length, false);
            }
            if (text.isBlank()) {
                continue;
            }
            return parse(text, length);
        }
        return null;
    }

    private int read() {
        try {
            return in.read(buf, 0, buf.length);
        } catch (IOException e) {
            // name the line being read: with gzip, the data is cut off or corrupt from there
            throw MemauditException.badInput(
                    file
                            + ":"
                            + (lineNumber + 1)
                            + ": cannot read "
                            + (gzip ? "gzip data (truncated or corrupt file): " : "")
                            + e.getMessage(),
                    e);
        }
    }

    /** Appends bytes of the buffer to the line, growing it at most to the limit plus one. */
    private void append(int from, int n) {
        if (n == 0) {
            return;
        }
        long needed = (long) lineLength + n;
        if (needed > lineBytes.length) {
            long grown = Math.max(needed, Math.min(2L * lineBytes.length, maxLineBytes + 1));
            lineBytes = Arrays.copyOf(lineBytes, (int) grown);
        }
        System.arraycopy(buf, from, lineBytes, lineLength, n);
        lineLength += n;
    }

    private static boolean ascii(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether ASCII bytes are all whitespace, as {@link String#isBlank} would say. */
    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(b[i])) {
                return false;
            }
        }
        return true;
    }

    private Line parse(byte[] bytes, int from, int n, long length) {
        try {
            return object(mapper.readTree(bytes, from, n), length);
        } catch (JsonProcessingException e) {
            return new Line(
                    lineNumber, null, "malformed JSON: " + e.getOriginalMessage(), length, false);
        } catch (IOException e) {
            // reading a byte array throws nothing else; kept apart from JSON errors all the same
            throw new UncheckedIOException(e);
        }
    }

    private Line object(JsonNode node, long bytes) {
        if (node == null || !node.isObject()) {
            return new Line(lineNumber, null, "not a JSON object", bytes, false);
        }
        return new Line(lineNumber, (ObjectNode) node, null, bytes, false);
    }

    private Line parse(String text, long bytes) {
        try {
            return object(mapper.readTree(text), bytes);
        } catch (JsonProcessingException e) {
            return new Line(
                    lineNumber, null, "malformed JSON: " + e.getOriginalMessage(), bytes, false);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
