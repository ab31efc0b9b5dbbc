package dev.memaudit.index.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decodes a text file into its original text, strictly: a byte sequence that is not valid in the
 * charset is an error naming its line and byte offset, never a replacement character.
 *
 * <p>Without a declared encoding: a UTF-8, UTF-16 or UTF-32 byte-order mark selects that charset
 * and is dropped; otherwise the file must be UTF-8. A NUL byte in a file that is not UTF-16/32
 * means a binary file. Line ends (CRLF, LF) are kept as they are. The file is decoded in fixed-size
 * chunks straight into one string buffer, so a 200 MB single-line file costs about its decoded size
 * in memory and no per-character objects.
 */
final class TextDecoder {
    private static final int CHUNK_BYTES = 1 << 20;

    private TextDecoder() {}

    /**
     * Decodes {@code file}. Its size is checked against its reader's limit before (see {@link
     * WorkSource#fileSizeLimit}).
     *
     * @param encoding a charset name from the manifest, or null to detect
     * @throws WorkReadException FAILED for invalid byte sequences and binary files
     */
    static String decode(Path file, String encoding) throws WorkReadException, IOException {
        long size = Files.size(file);
        if (size > ReadLimits.MAX_BYTES) {
            throw WorkReadException.failed(
                    "text file too large: " + size + " bytes (at most 2 GiB of text per work)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(size, 16)));
            fill(in, bytes);
            bytes.flip();
            Charset charset;
            int bomLength;
            boolean declared = encoding != null;
            if (declared) {
                charset = Charset.forName(encoding);
                bomLength = bomLength(bytes, charset);
            } else {
                Bom bom = detectBom(bytes);
                charset = bom.charset;
                bomLength = bom.length;
            }
            bytes.position(bomLength);
            boolean checkNul = !isWideUnicode(charset);
            CharsetDecoder decoder =
                    charset.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT);
            StringBuilder text = new StringBuilder((int) Math.max(size - bomLength, 0));
            CharBuffer chars = CharBuffer.allocate(CHUNK_BYTES);
            long consumed = 0; // bytes of the file before bytes[0]
            int nulScannedTo = bomLength; // index in bytes up to which NULs were looked for
            boolean eof = false;
            while (true) {
                if (checkNul) {
                    for (int i = nulScannedTo; i < bytes.limit(); i++) {
                        if (bytes.get(i) == 0) {
                            throw WorkReadException.failed(
                                    "binary file, not text (NUL byte at offset "
                                            + (consumed + i)
                                            + ")");
                        }
                    }
                    nulScannedTo = bytes.limit();
                }
                CoderResult result = decoder.decode(bytes, chars, eof);
                if (result.isError()) {
                    drain(chars, text);
                    throw invalid(charset, declared, text, consumed + bytes.position(), bytes);
                }
                if (result.isOverflow()) {
                    drain(chars, text);
                    continue;
                }
                // underflow: all bytes that can be decoded were decoded
                if (eof) {
                    break;
                }
                consumed += bytes.position();
                bytes.compact();
                nulScannedTo = bytes.position();
                eof = fill(in, bytes);
                bytes.flip();
            }
            while (decoder.flush(chars).isOverflow()) {
                drain(chars, text);
            }
            drain(chars, text);
            if (declared && text.length() > 0 && text.charAt(0) == '\uFEFF') {
                return text.substring(1);
            }
            return text.toString();
        }
    }

    /** Reads until {@code buffer} is full or the stream ends; returns true at the end. */
    private static boolean fill(InputStream in, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            int n =
                    in.read(
                            buffer.array(),
                            buffer.arrayOffset() + buffer.position(),
                            buffer.remaining());
            if (n < 0) {
                return true;
            }
            buffer.position(buffer.position() + n);
        }
        return false;
    }

    private static void drain(CharBuffer chars, StringBuilder text) {
        chars.flip();
        text.append(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
        chars.clear();
    }

    private static WorkReadException invalid(
            Charset charset, boolean declared, StringBuilder text, long offset, ByteBuffer bytes) {
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        int value = bytes.get(bytes.position()) & 0xFF;
        String where =
                String.format(
                        Locale.ROOT, "at line %d, byte offset %d (0x%02X)", line, offset, value);
        String advice =
                declared
                        ? "check the encoding: given for it in corpus.yaml"
                        : "convert it to UTF-8 or set encoding: in corpus.yaml";
        return new WorkReadException(
                WorkProblem.Kind.FAILED,
                line,
                "not valid " + charset.name() + " " + where + "; " + advice,
                null);
    }

    private static boolean isWideUnicode(Charset charset) {
        String name = charset.name().toUpperCase(Locale.ROOT);
        return name.startsWith("UTF-16") || name.startsWith("UTF-32");
    }

    private record Bom(Charset charset, int length) {}

    private static Bom detectBom(ByteBuffer b) {
        if (startsWith(b, 0x00, 0x00, 0xFE, 0xFF)) {
            return new Bom(Charset.forName("UTF-32BE"), 4);
        }
        if (startsWith(b, 0xFF, 0xFE, 0x00, 0x00)) {
            return new Bom(Charset.forName("UTF-32LE"), 4);
        }
        if (startsWith(b, 0xEF, 0xBB, 0xBF)) {
            return new Bom(StandardCharsets.UTF_8, 3);
        }
        if (startsWith(b, 0xFE, 0xFF)) {
            return new Bom(StandardCharsets.UTF_16BE, 2);
        }
        if (startsWith(b, 0xFF, 0xFE)) {
            return new Bom(StandardCharsets.UTF_16LE, 2);
        }
        return new Bom(StandardCharsets.UTF_8, 0);
    }

    /** The length of a byte-order mark matching a declared UTF charset, 0 otherwise. */
    private static int bomLength(ByteBuffer b, Charset declared) {
        Bom bom = detectBom(b);
        return bom.length > 0 && bom.charset.equals(declared) ? bom.length : 0;
    }

    private static boolean startsWith(ByteBuffer b, int... prefix) {
        if (b.limit() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b.get(i) & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
