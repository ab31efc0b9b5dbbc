package dev.memaudit.core.run;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.RecordReader;
import dev.memaudit.core.records.Records;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * An append-only JSONL file of a run folder holding records of one type: one record per line, each
 * written and handed to the operating system as soon as it is produced, so a run killed at any
 * moment (kill -9 included) loses at most the record being written.
 *
 * <p>Opening with {@code resume} checks every record already there (streamed, never held in memory:
 * a ledger can hold a whole book's windows) and removes a torn last line (a record cut off by a
 * kill has no final newline); a complete line that is not a valid record of the type is an
 * integrity failure naming the file and line, since nothing but this class writes these files.
 * Opening without {@code resume} refuses a file that already holds records, so a finished run is
 * never appended to by mistake.
 */
public final class RunLedger<T> implements AutoCloseable {
    private final Path file;
    private final Class<T> type;
    private final long existing;
    private final long repairedBytes;
    private final OutputStream out;
    private final FileChannel sync; // null unless every record is forced to the device
    private long appended;

    private RunLedger(
            Path file,
            Class<T> type,
            long existing,
            long repairedBytes,
            OutputStream out,
            FileChannel sync) {
        this.file = file;
        this.type = type;
        this.existing = existing;
        this.repairedBytes = repairedBytes;
        this.out = out;
        this.sync = sync;
    }

    /**
     * Opens {@code file} for appending records of {@code type} (a {@code @RecordFile} record).
     *
     * @param resume keep the records already in the file; otherwise the file must be absent or
     *     empty
     */
    public static <T> RunLedger<T> open(Path file, Class<T> type, boolean resume) {
        return open(file, type, resume, false);
    }

    /**
     * Opens {@code file} like {@link #open(Path, Class, boolean)}; with {@code fsync} every append
     * also forces the record to the storage device ({@code fsync}) before returning, so a record
     * survives a crash of the machine, not only of the process (a log of served requests).
     */
    public static <T> RunLedger<T> open(Path file, Class<T> type, boolean resume, boolean fsync) {
        Records.version(type);
        try {
            long count = 0;
            long repaired = 0;
            if (Files.exists(file) && Files.size(file) > 0) {
                if (!resume) {
                    throw MemauditException.usage(
                            file
                                    + ": already holds records of an earlier run; pass --resume to"
                                    + " continue it, or choose a new --out folder");
                }
                repaired = repairTornTail(file);
                count = count(file, type);
            }
            if (fsync) {
                FileChannel ch =
                        FileChannel.open(
                                file,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE,
                                StandardOpenOption.APPEND);
                return new RunLedger<>(
                        file, type, count, repaired, Channels.newOutputStream(ch), ch);
            }
            OutputStream out =
                    Files.newOutputStream(
                            file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new RunLedger<>(file, type, count, repaired, out, null);
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot open: " + e.getMessage(), e);
        }
    }

    /** Cuts the file after its last newline; returns the bytes removed. */
    private static long repairTornTail(Path file) throws IOException {
        try (FileChannel ch =
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long end = size;
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            scan:
            while (end > 0) {
                int n = (int) Math.min(buf.capacity(), end);
                buf.clear().limit(n);
                ch.read(buf, end - n);
                for (int i = n - 1; i >= 0; i--) {
                    if (buf.get(i) == '\n') {
                        end = end - n + i + 1;
                        break scan;
                    }
                }
                end -= n;
            }
            long torn = size - end;
            if (torn > 0) {
                // The last record was cut off by a kill: drop it so the resumed run writes it
                // again.
                ch.truncate(end);
                ch.force(true);
            }
            return torn;
        }
    }

    private static <T> long count(Path file, Class<T> type) {
        long n = 0;
        try (RecordReader<T> in = RecordReader.open(file, type)) {
            while (in.next() != null) {
                n++;
            }
        } catch (MemauditException e) {
            if (e.category() == dev.memaudit.core.error.ExitCategory.INTEGRITY) {
                throw MemauditException.integrity(
                        e.getMessage() + "; the ledger was changed outside memaudit", e);
            }
            throw e;
        }
        return n;
    }

    /** The ledger file. */
    public Path file() {
        return file;
    }

    /** Records that were in the file when it was opened (after removing a torn last line). */
    public long existingCount() {
        return existing;
    }

    /**
     * Streams the records that were in the file when it was opened, in file order (records appended
     * since are not included).
     */
    public void forEachExisting(Consumer<? super T> action) {
        if (existing == 0) {
            return;
        }
        long left = existing;
        try (RecordReader<T> in = RecordReader.open(file, type)) {
            for (T r; left > 0 && (r = in.next()) != null; left--) {
                action.accept(r);
            }
        }
    }

    /** Bytes of a torn last record removed when the ledger was opened (0 if none). */
    public long repairedBytes() {
        return repairedBytes;
    }

    /** Records appended since opening. */
    public synchronized long appended() {
        return appended;
    }

    /** Appends one record as one line and hands it to the operating system before returning. */
    public synchronized void append(T record) {
        try {
            byte[] line = Records.line(record);
            byte[] withNewline = new byte[line.length + 1];
            System.arraycopy(line, 0, withNewline, 0, line.length);
            withNewline[line.length] = '\n';
            // One write call per record: a kill can only tear the record being written.
            out.write(withNewline);
            out.flush();
            if (sync != null) {
                sync.force(false);
            }
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
