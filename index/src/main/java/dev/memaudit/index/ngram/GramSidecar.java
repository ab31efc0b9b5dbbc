package dev.memaudit.index.ngram;

import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;

/**
 * The gram sidecar file written at build time next to the Lucene index: a {@link BloomFilter} over
 * every gram and the {@link HotGrams} table. Format: index header (codec {@value #CODEC}, version
 * {@value #VERSION}, index uid, suffix = generation), Bloom filter, hot table, checksum footer.
 */
public record GramSidecar(BloomFilter bloom, HotGrams hot) {
    public static final String CODEC = "MemauditGramSidecar";
    public static final int VERSION = 2;

    public void write(Directory dir, String fileName, byte[] indexUid, String generation)
            throws IOException {
        try (IndexOutput out = dir.createOutput(fileName, IOContext.DEFAULT)) {
            CodecUtil.writeIndexHeader(out, CODEC, VERSION, indexUid, generation);
            bloom.write(out);
            hot.write(out);
            CodecUtil.writeFooter(out);
        }
    }

    /** Reads and verifies the file; any mismatch is an integrity failure. */
    public static GramSidecar read(
            Directory dir, String fileName, byte[] indexUid, String generation) {
        return read(dir, fileName, indexUid, generation, true);
    }

    /**
     * Reads the file, checking its checksum only when {@code checksum} (false: these bytes were
     * verified before; header and footer structure are still checked).
     */
    public static GramSidecar read(
            Directory dir, String fileName, byte[] indexUid, String generation, boolean checksum) {
        try (IndexInput in =
                checksum
                        ? dir.openChecksumInput(fileName, IOContext.READONCE)
                        : dir.openInput(fileName, IOContext.READONCE)) {
            CodecUtil.checkIndexHeader(in, CODEC, VERSION, VERSION, indexUid, generation);
            BloomFilter bloom = BloomFilter.read(in);
            HotGrams hot = HotGrams.read(in);
            if (in instanceof ChecksumIndexInput c) {
                CodecUtil.checkFooter(c);
            } else {
                CodecUtil.retrieveChecksum(in);
            }
            return new GramSidecar(bloom, hot);
        } catch (IOException | RuntimeException e) {
            throw MemauditException.integrity(
                    "gram file "
                            + (dir instanceof FSDirectory fs
                                    ? fs.getDirectory().resolve(fileName)
                                    : fileName)
                            + " is corrupt or does not belong to this index: "
                            + e.getMessage(),
                    e);
        }
    }
}
