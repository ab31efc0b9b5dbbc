package dev.memaudit.index.store;

import dev.memaudit.core.text.NormalizedWords;
import java.io.Closeable;
import java.io.IOException;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;

/**
 * Writes a works store file (format in {@link WorksStore}). Records are appended in the order
 * given; the work count and total words are written at the end, before the checksum footer.
 */
public final class WorksStoreWriter implements Closeable {
    private final IndexOutput out;
    private int count;
    private long totalWords;
    private boolean closed;

    public WorksStoreWriter(Directory dir, String fileName, byte[] indexUid, String generation)
            throws IOException {
        out = dir.createOutput(fileName, IOContext.DEFAULT);
        CodecUtil.writeIndexHeader(out, WorksStore.CODEC, WorksStore.VERSION, indexUid, generation);
    }

    /** Appends one work. */
    public void add(StoreRecord record) throws IOException {
        NormalizedWords w = record.words();
        out.writeString(record.id());
        out.writeVInt(record.codePoints());
        out.writeVInt(record.textUtf8().length);
        out.writeBytes(record.textUtf8(), record.textUtf8().length);
        out.writeVInt(w.size());
        long[] h = w.hashes();
        int[] s = w.starts();
        int[] e = w.ends();
        for (int i = 0; i < w.size(); i++) {
            out.writeLong(h[i]);
        }
        for (int i = 0; i < w.size(); i++) {
            out.writeInt(s[i]);
        }
        for (int i = 0; i < w.size(); i++) {
            out.writeInt(e[i]);
        }
        count++;
        totalWords += w.size();
    }

    /** Number of works written so far. */
    public int count() {
        return count;
    }

    /**
     * Writes the fixed-size trailer (work count, total words) and the checksum footer. A file
     * closed without it has no valid footer and is refused by {@link WorksStore}.
     */
    public void finish() throws IOException {
        out.writeInt(count);
        out.writeLong(totalWords);
        CodecUtil.writeFooter(out);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
