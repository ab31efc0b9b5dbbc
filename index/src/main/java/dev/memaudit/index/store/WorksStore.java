package dev.memaudit.index.store;

import dev.memaudit.core.error.MemauditException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;

/**
 * The works store: every indexed work's original text and normalized word sequence, against which
 * scan verifies and extends seed matches.
 *
 * <p>File format (Lucene {@link CodecUtil} conventions; integers little-endian as Lucene writes
 * them): index header (codec {@value #CODEC}, version {@value #VERSION}, the index's 16-byte uid,
 * suffix = the index generation); then per work: id (Lucene string), code point count (vInt), UTF-8
 * text length (vInt) and bytes, word count n (vInt), n word hashes (long), n code-point starts
 * (int), n code-point ends (int); then the trailer: work count (int), total words (long); then the
 * CRC32 checksum footer. Offsets are code points into the text, half-open.
 *
 * <p>On open the whole file is read once through the checksum (unless it was verified before).
 * Nothing per word stays on the heap: word hashes, code-point starts and ends and the texts are
 * read on demand from the memory-mapped file, hashes through a {@link HashReader} (one per thread)
 * in the scan's inner loops, starts and ends when a span is reported. The heap holds a few fields
 * per work. Hashes on the heap took 8 bytes per word (2 GB at 261 M words, where {@code memaudit
 * scan} then no longer fit a 4 GB heap under ParallelGC), starts and ends another 16 before that
 * ({@code bench scan}, docs/scale.md).
 */
public final class WorksStore implements Closeable {
    public static final String CODEC = "MemauditWorksStore";
    public static final int VERSION = 1;

    private final IndexInput textInput;
    // A clone per thread for the positional reads below: cloning a mapped input for every read
    // (a word's start or end, when a span is reported) took 0.1 of 1.4 CPU seconds of a 3.5 M
    // word scan (JFR, 2026-12-06). A clone is not thread-safe; one per thread is.
    private final ThreadLocal<IndexInput> localInput;
    private final String[] ids;
    private final int[] base; // global word index of each work's first word; base[count] = total
    private final int[] codePoints;
    private final long[] textPointer;
    private final int[] textBytes;
    private final long[] wordPointer; // file offset of each work's hashes; starts, ends follow
    private final Map<String, Integer> ordinalById;

    private WorksStore(
            IndexInput textInput,
            String[] ids,
            int[] base,
            int[] codePoints,
            long[] textPointer,
            int[] textBytes,
            long[] wordPointer) {
        this.textInput = textInput;
        this.localInput = ThreadLocal.withInitial(textInput::clone);
        this.ids = ids;
        this.base = base;
        this.codePoints = codePoints;
        this.textPointer = textPointer;
        this.textBytes = textBytes;
        this.wordPointer = wordPointer;
        this.ordinalById = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            ordinalById.put(ids[i], i);
        }
    }

    /**
     * Opens and fully verifies a store file: header, uid, generation, structure and checksum. Any
     * mismatch is an integrity failure naming the file.
     */
    public static WorksStore open(
            Directory dir, String fileName, byte[] indexUid, String generation) {
        return open(dir, fileName, indexUid, generation, true);
    }

    /**
     * Opens a store file, checking its header, uid, generation and structure, and its checksum only
     * when {@code checksum} (false: the caller knows these bytes were verified before, see {@code
     * VerificationRecord}; the footer's structure is still checked).
     */
    public static WorksStore open(
            Directory dir, String fileName, byte[] indexUid, String generation, boolean checksum) {
        String where =
                dir instanceof FSDirectory fs
                        ? fs.getDirectory().resolve(fileName).toString()
                        : fileName;
        IndexInput texts = null;
        try {
            texts = dir.openInput(fileName, IOContext.DEFAULT);
            long trailerAt = texts.length() - CodecUtil.footerLength() - Integer.BYTES - Long.BYTES;
            if (trailerAt < 0) {
                throw new CorruptIndexException("file too short", texts);
            }
            texts.seek(trailerAt);
            int count = texts.readInt();
            long total = texts.readLong();
            if (count < 0 || total < 0 || total > Integer.MAX_VALUE - 16) {
                throw new CorruptIndexException("bad trailer " + count + "/" + total, texts);
            }
            String[] ids = new String[count];
            int[] base = new int[count + 1];
            int[] cps = new int[count];
            long[] ptr = new long[count];
            int[] nbytes = new int[count];
            long[] wordPtr = new long[count];
            try (IndexInput in =
                    checksum
                            ? dir.openChecksumInput(fileName, IOContext.READONCE)
                            : dir.openInput(fileName, IOContext.READONCE)) {
                CodecUtil.checkIndexHeader(in, CODEC, VERSION, VERSION, indexUid, generation);
                int at = 0;
                for (int w = 0; w < count; w++) {
                    ids[w] = in.readString();
                    cps[w] = in.readVInt();
                    nbytes[w] = in.readVInt();
                    ptr[w] = in.getFilePointer();
                    in.skipBytes(nbytes[w]);
                    int n = in.readVInt();
                    if (n < 0 || (long) at + n > total) {
                        throw new CorruptIndexException("word count " + n + " of work " + w, in);
                    }
                    base[w] = at;
                    wordPtr[w] = in.getFilePointer();
                    // hashes, starts and ends: read through the checksum, kept in the file
                    in.skipBytes((long) (Long.BYTES + 2 * Integer.BYTES) * n);
                    at += n;
                }
                base[count] = at;
                if (at != total || in.readInt() != count || in.readLong() != total) {
                    throw new CorruptIndexException("trailer does not match the records", in);
                }
                if (in instanceof ChecksumIndexInput c) {
                    CodecUtil.checkFooter(c);
                } else {
                    CodecUtil.retrieveChecksum(in);
                }
            }
            return new WorksStore(texts, ids, base, cps, ptr, nbytes, wordPtr);
        } catch (IOException | RuntimeException e) {
            closeQuietly(texts, e);
            if (e instanceof MemauditException me) {
                throw me;
            }
            throw MemauditException.integrity(
                    "works store "
                            + where
                            + " is corrupt or does not belong to this index: "
                            + e.getMessage(),
                    e);
        }
    }

    private static void closeQuietly(IndexInput in, Exception primary) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException suppressed) {
                primary.addSuppressed(suppressed);
            }
        }
    }

    /** Number of works. */
    public int size() {
        return ids.length;
    }

    /** The work's id. */
    public String id(int ordinal) {
        return ids[ordinal];
    }

    /** Ordinal of a work id, or -1. */
    public int ordinal(String id) {
        Integer o = ordinalById.get(id);
        return o == null ? -1 : o;
    }

    /** Global index of the work's first word; words of work w are {@code [base(w), base(w+1))}. */
    public int base(int ordinal) {
        return base[ordinal];
    }

    /** The ordinal of the work holding global word index {@code global}. */
    public int ordinalOf(int global) {
        return ordinalOf(base, global);
    }

    /** The last work whose first word {@code base[w]} is at most {@code global}. */
    static int ordinalOf(int[] base, int global) {
        int lo = 0;
        int hi = base.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (base[mid] <= global) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Number of words in the work. */
    public int words(int ordinal) {
        return base[ordinal + 1] - base[ordinal];
    }

    /** Total words of all works. */
    public int totalWords() {
        return base[ids.length];
    }

    /** Code points in the work's original text. */
    public int codePoints(int ordinal) {
        return codePoints[ordinal];
    }

    /** Bytes of UTF-8 text in the work. */
    public int textBytes(int ordinal) {
        return textBytes[ordinal];
    }

    /**
     * A reader of word hashes by global word index, for one thread (the scan's inner loops read
     * through it; it is not thread-safe, make one per thread).
     */
    public HashReader hashReader() {
        return new HashReader(textInput.clone(), base, wordPointer);
    }

    /** Word hashes of the work, in word order (a new array). */
    public long[] hashes(int ordinal) {
        return hashes(ordinal, 0, words(ordinal));
    }

    /**
     * Hashes of {@code count} words of the work from its word {@code from} (counted from its first
     * word), in word order (a new array).
     */
    public long[] hashes(int ordinal, int from, int count) {
        if (from < 0 || count < 0 || from + count > words(ordinal)) {
            throw new IndexOutOfBoundsException(
                    "words " + from + "+" + count + " of work " + ids[ordinal]);
        }
        long[] out = new long[count];
        if (count == 0) {
            return out;
        }
        try {
            IndexInput in = localInput.get();
            in.seek(wordPointer[ordinal] + (long) Long.BYTES * from);
            in.readLongs(out, 0, count);
        } catch (IOException e) {
            throw MemauditException.integrity("cannot read the words of work " + ids[ordinal], e);
        }
        return out;
    }

    /** Code-point start of word {@code global} (global word index) in its work's text. */
    public int start(int global) {
        int w = ordinalOf(global);
        return readInt(w, arrayPointer(w, false) + (long) Integer.BYTES * indexInWork(w, global));
    }

    /** Code-point end (exclusive) of word {@code global} (global word index) in its work's text. */
    public int end(int global) {
        int w = ordinalOf(global);
        return readInt(w, arrayPointer(w, true) + (long) Integer.BYTES * indexInWork(w, global));
    }

    /** Code-point starts of the work's words, in word order (a new array). */
    public int[] starts(int ordinal) {
        return readInts(ordinal, arrayPointer(ordinal, false));
    }

    /** Code-point ends (exclusive) of the work's words, in word order (a new array). */
    public int[] ends(int ordinal) {
        return readInts(ordinal, arrayPointer(ordinal, true));
    }

    /** File offset of work {@code w}'s starts (or ends): after its n hashes (and n starts). */
    private long arrayPointer(int w, boolean ends) {
        long n = words(w);
        return wordPointer[w] + Long.BYTES * n + (ends ? Integer.BYTES * n : 0);
    }

    private int indexInWork(int w, int global) {
        int i = global - base[w];
        if (global < 0 || i >= words(w)) {
            throw new IndexOutOfBoundsException("word " + global + " of " + totalWords());
        }
        return i;
    }

    private int readInt(int w, long pointer) {
        try {
            IndexInput in = localInput.get();
            in.seek(pointer);
            return in.readInt();
        } catch (IOException e) {
            throw MemauditException.integrity("cannot read the words of work " + ids[w], e);
        }
    }

    private int[] readInts(int w, long pointer) {
        int n = words(w);
        int[] out = new int[n];
        if (n == 0) {
            return out;
        }
        try {
            IndexInput in = localInput.get();
            in.seek(pointer);
            in.readInts(out, 0, n);
        } catch (IOException e) {
            throw MemauditException.integrity("cannot read the words of work " + ids[w], e);
        }
        return out;
    }

    /** The work's original text, read from the mapped file (thread-safe). */
    public String text(int ordinal) {
        return new String(textUtf8(ordinal), StandardCharsets.UTF_8);
    }

    /** {@code length} bytes of the work's UTF-8 text from byte {@code offset} (thread-safe). */
    public byte[] textBytes(int ordinal, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > textBytes[ordinal]) {
            throw new IndexOutOfBoundsException(
                    "bytes " + offset + "+" + length + " of work " + ids[ordinal]);
        }
        byte[] bytes = new byte[length];
        try {
            IndexInput in = localInput.get();
            in.seek(textPointer[ordinal] + offset);
            in.readBytes(bytes, 0, length);
        } catch (IOException e) {
            throw MemauditException.integrity("cannot read the text of work " + ids[ordinal], e);
        }
        return bytes;
    }

    /** The work's original text as UTF-8 bytes, read from the mapped file (thread-safe). */
    public byte[] textUtf8(int ordinal) {
        return textBytes(ordinal, 0, textBytes[ordinal]);
    }

    @Override
    public void close() throws IOException {
        textInput.close();
    }
}
