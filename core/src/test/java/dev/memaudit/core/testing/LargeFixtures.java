package dev.memaudit.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Large test inputs made in seconds, never committed: sparse files (a 2 GB line costs no disk) and
 * zip files whose entries expand to gigabytes of zeros (a zip bomb) from a few megabytes.
 *
 * <p>A bomb entry is deflated without feeding a deflater gigabytes: once its window holds only
 * zeros, every further MiB of zeros deflates (ended by a sync flush, so byte-aligned) to the same
 * bytes, which are written as often as needed. The entry is a valid deflate stream with the right
 * CRC-32 and sizes ({@code LargeFixturesTest} reads one through {@link
 * java.util.zip.ZipInputStream}, which checks both).
 */
public final class LargeFixtures {
    private static final int SEGMENT = 1 << 20;

    private LargeFixtures() {}

    /**
     * Writes {@code head}, then {@code holeBytes} zero bytes as a hole (no disk used on file
     * systems with sparse files), then {@code tail}.
     */
    public static Path sparse(Path file, byte[] head, long holeBytes, byte[] tail)
            throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.write(head);
            f.seek(head.length + holeBytes);
            f.write(tail);
            f.setLength(head.length + holeBytes + tail.length);
        }
        return file;
    }

    /**
     * One zip entry: a small one with its content, or a bomb of zeros after a prefix.
     *
     * @param declared the expanded size the zip's headers state, or -1 for the true one
     */
    public record Entry(String name, byte[] content, long zeros, boolean stored, long declared) {
        /** A deflated entry holding {@code content}. */
        public static Entry of(String name, String content) {
            return new Entry(name, content.getBytes(StandardCharsets.UTF_8), 0, false, -1);
        }

        /** A stored (uncompressed) entry, as an EPUB's {@code mimetype} must be. */
        public static Entry stored(String name, String content) {
            return new Entry(name, content.getBytes(StandardCharsets.UTF_8), 0, true, -1);
        }

        /** This entry with headers that state {@code bytes} as its expanded size (a lie). */
        public Entry declaring(long bytes) {
            return new Entry(name, content, zeros, stored, bytes);
        }

        /**
         * A deflated entry of {@code prefix} followed by zero bytes, {@code expandedBytes} in all,
         * a multiple of 1 MiB.
         */
        public static Entry zeros(String name, String prefix, long expandedBytes) {
            byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
            if (expandedBytes % SEGMENT != 0 || expandedBytes < 2L * SEGMENT) {
                throw new IllegalArgumentException(
                        "expanded size must be a multiple of 1 MiB, at least 2 MiB");
            }
            return new Entry(name, p, expandedBytes - p.length, false, -1);
        }

        long expandedBytes() {
            return content.length + zeros;
        }

        long declaredBytes() {
            return declared >= 0 ? declared : expandedBytes();
        }
    }

    /** Writes a zip of {@code entries} (no zip64: each entry under 4 GiB) and returns it. */
    public static Path zip(Path file, List<Entry> entries) throws IOException {
        record Written(Entry entry, long offset, long crc, long compressed) {}
        List<Written> written = new ArrayList<>();
        try (CountingOutput out = new CountingOutput(Files.newOutputStream(file))) {
            for (Entry e : entries) {
                if (e.expandedBytes() >= 0xFFFF_FFFFL) {
                    throw new IllegalArgumentException(e.name() + ": 4 GiB or more needs zip64");
                }
                byte[] data;
                List<byte[]> pieces = new ArrayList<>();
                long repeats = 0;
                byte[] steady = null;
                if (e.stored()) {
                    data = e.content();
                } else if (e.zeros() == 0) {
                    data = deflate(e.content());
                } else {
                    // first MiB (prefix + zeros), then identical steady MiBs, then the final block
                    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
                    byte[] first = Arrays.copyOf(e.content(), SEGMENT);
                    byte[] a = flush(d, first);
                    byte[] zeros = new byte[SEGMENT];
                    byte[] b = flush(d, zeros);
                    byte[] c = flush(d, zeros);
                    if (!Arrays.equals(b, c)) {
                        throw new IllegalStateException(
                                "deflate of zeros did not reach a steady state");
                    }
                    d.finish();
                    ByteArrayOutputStream end = new ByteArrayOutputStream();
                    byte[] buf = new byte[64];
                    while (!d.finished()) {
                        end.write(buf, 0, d.deflate(buf));
                    }
                    d.end();
                    pieces.add(a);
                    steady = b;
                    repeats = e.expandedBytes() / SEGMENT - 1;
                    pieces.add(end.toByteArray());
                    data = null;
                }
                long compressed =
                        data != null
                                ? data.length
                                : pieces.get(0).length
                                        + repeats * steady.length
                                        + pieces.get(1).length;
                long crc = crc(e);
                long offset = out.count;
                out.write(localHeader(e, crc, compressed));
                if (data != null) {
                    out.write(data);
                } else {
                    out.write(pieces.get(0));
                    for (long i = 0; i < repeats; i++) {
                        out.write(steady);
                    }
                    out.write(pieces.get(1));
                }
                written.add(new Written(e, offset, crc, compressed));
            }
            long cenStart = out.count;
            for (Written w : written) {
                out.write(centralHeader(w.entry(), w.crc(), w.compressed(), w.offset()));
            }
            long cenSize = out.count - cenStart;
            ByteBuffer end = le(22);
            end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
            end.putShort((short) written.size()).putShort((short) written.size());
            end.putInt((int) cenSize).putInt((int) cenStart).putShort((short) 0);
            out.write(end.array());
        }
        return file;
    }

    private static byte[] flush(Deflater d, byte[] input) {
        d.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length || !d.needsInput());
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] content) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(content);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    private static long crc(Entry e) {
        CRC32 crc = new CRC32();
        crc.update(e.content());
        byte[] zeros = new byte[SEGMENT];
        for (long left = e.zeros(); left > 0; left -= SEGMENT) {
            crc.update(zeros, 0, (int) Math.min(left, SEGMENT));
        }
        return crc.getValue();
    }

    private static byte[] localHeader(Entry e, long crc, long compressed) {
        byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = le(30 + name.length);
        b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0);
        b.putShort((short) (e.stored() ? 0 : 8)).putShort((short) 0).putShort((short) 0x21);
        b.putInt((int) crc).putInt((int) compressed).putInt((int) e.declaredBytes());
        b.putShort((short) name.length).putShort((short) 0).put(name);
        return b.array();
    }

    private static byte[] centralHeader(Entry e, long crc, long compressed, long offset) {
        byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = le(46 + name.length);
        b.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0);
        b.putShort((short) (e.stored() ? 0 : 8)).putShort((short) 0).putShort((short) 0x21);
        b.putInt((int) crc).putInt((int) compressed).putInt((int) e.declaredBytes());
        b.putShort((short) name.length).putShort((short) 0).putShort((short) 0);
        b.putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offset).put(name);
        return b.array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static final class CountingOutput extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingOutput(OutputStream out) {
            this.out = new java.io.BufferedOutputStream(out, 1 << 16);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
