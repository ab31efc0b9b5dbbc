package dev.memaudit.index.scan;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.run.Timings;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.build.VerificationRecord;
import dev.memaudit.index.ngram.GramSidecar;
import dev.memaudit.index.store.WorksStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * An opened, verified index: manifest, Lucene reader, works store and gram sidecar. Thread-safe;
 * each scanning thread takes its own {@link LucenePoints}.
 */
public final class NgramIndex implements Closeable {
    private final Path dir;
    private final IndexManifest manifest;
    private final Directory luceneDir;
    private final Directory storeDir;
    private final DirectoryReader reader;
    private final WorksStore store;
    private final GramSidecar grams;
    private final int[][] docToOrdinal;
    private final WorkTexts texts;
    private final boolean checksumsComputed;

    private NgramIndex(
            Path dir,
            IndexManifest manifest,
            Directory luceneDir,
            Directory storeDir,
            DirectoryReader reader,
            WorksStore store,
            GramSidecar grams,
            int[][] docToOrdinal,
            boolean checksumsComputed) {
        this.dir = dir;
        this.checksumsComputed = checksumsComputed;
        this.manifest = manifest;
        this.luceneDir = luceneDir;
        this.storeDir = storeDir;
        this.reader = reader;
        this.store = store;
        this.grams = grams;
        this.docToOrdinal = docToOrdinal;
        this.texts = new WorkTexts(store);
    }

    /** How much of an index {@link #open} checks. */
    public enum Check {
        /** Every checksum of every Lucene, store and sidecar file, recomputed. */
        FULL,
        /**
         * As {@link #FULL} unless a {@link VerificationRecord} says that these very files (same
         * sizes, times, inodes) passed a full check before; then checksums are not recomputed
         * (headers, uid, generation, footers, structure and the work map still are).
         */
        ONCE
    }

    /**
     * Opens the index in {@code dir}, checking the manifest, the Lucene commit generation, the
     * checksums of every Lucene, store and sidecar file (once per set of files: {@link
     * Check#ONCE}), and that Lucene and the store hold the same works. Any mismatch is an integrity
     * failure (exit 5).
     */
    public static NgramIndex open(Path dir) {
        return open(dir, Check.ONCE, null);
    }

    /** As {@link #open(Path)}, marking its phases in {@code timings} (null: not timed). */
    public static NgramIndex open(Path dir, Timings timings) {
        return open(dir, Check.ONCE, timings);
    }

    /**
     * Opens the index in {@code dir} with checksums checked as {@code check} says, marking its
     * phases in {@code timings} (null: not timed). A full check that passes is recorded ({@link
     * VerificationRecord}) when the folder can be written.
     */
    public static NgramIndex open(Path dir, Check check, Timings timings) {
        IndexManifest m = IndexLayout.readManifest(dir);
        mark(timings, "index open: manifest");
        byte[] uid = IndexLayout.uid(m);
        String gen = Long.toString(m.generation());
        Directory luceneDir = null;
        Directory storeDir = null;
        DirectoryReader reader = null;
        WorksStore store = null;
        try {
            luceneDir = FSDirectory.open(dir.resolve(IndexLayout.LUCENE_DIR));
            storeDir = FSDirectory.open(dir.resolve(IndexLayout.STORE_DIR));
            IndexLayout.checkLuceneCommit(luceneDir, m, dir);
            mark(timings, "index open: lucene commit");
            reader = DirectoryReader.open(luceneDir);
            List<String> files = new ArrayList<>();
            for (String f : reader.getIndexCommit().getFileNames()) {
                files.add(IndexLayout.LUCENE_DIR + "/" + f);
            }
            files.add(IndexLayout.STORE_DIR + "/" + m.storeFile());
            files.add(IndexLayout.STORE_DIR + "/" + m.gramsFile());
            // stamped before any byte is checked, so that a file changed meanwhile is not recorded
            VerificationRecord stamps = VerificationRecord.of(dir, m, files);
            boolean full = check == Check.FULL || !VerificationRecord.holds(dir, stamps);
            mark(timings, "index open: lucene reader");
            store = WorksStore.open(storeDir, m.storeFile(), uid, gen, full);
            mark(timings, "index open: works store" + (full ? "" : " (checksum recorded)"));
            GramSidecar grams = GramSidecar.read(storeDir, m.gramsFile(), uid, gen, full);
            mark(timings, "index open: gram sidecar");
            if (store.size() != m.works().size()) {
                throw MemauditException.integrity(
                        "index "
                                + dir
                                + ": the store holds "
                                + store.size()
                                + " works, the manifest lists "
                                + m.works().size());
            }
            List<LeafReaderContext> leaves = reader.leaves();
            if (full) {
                for (LeafReaderContext leaf : leaves) {
                    // Lucene checks footers on open but whole-file checksums only here: a flipped
                    // byte in the points tree must not give wrong occurrences silently.
                    leaf.reader().checkIntegrity();
                }
                mark(timings, "index open: lucene checksums");
            }
            int[][] map = new int[leaves.size()][];
            int docs = 0;
            for (int l = 0; l < leaves.size(); l++) {
                var leaf = leaves.get(l).reader();
                map[l] = new int[leaf.maxDoc()];
                StoredFields fields = leaf.storedFields();
                for (int d = 0; d < leaf.maxDoc(); d++) {
                    String id = fields.document(d).get(IndexBuilder.ID_FIELD);
                    int ord = id == null ? -1 : store.ordinal(id);
                    if (ord < 0) {
                        throw MemauditException.integrity(
                                "index "
                                        + dir
                                        + ": Lucene holds work '"
                                        + id
                                        + "' the store lacks");
                    }
                    map[l][d] = ord;
                    docs++;
                }
            }
            if (docs != reader.numDocs()) {
                throw MemauditException.integrity("index " + dir + " has deleted documents left");
            }
            mark(timings, "index open: work map");
            if (full) {
                VerificationRecord.write(dir, m, stamps);
                mark(timings, "index open: record the check");
            }
            return new NgramIndex(dir, m, luceneDir, storeDir, reader, store, grams, map, full);
        } catch (IOException | RuntimeException e) {
            for (Closeable c : new Closeable[] {store, reader, storeDir, luceneDir}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            if (e instanceof MemauditException me) {
                throw me;
            }
            throw MemauditException.integrity(
                    "index " + dir + " cannot be opened: " + e.getMessage(), e);
        }
    }

    private static void mark(Timings timings, String phase) {
        if (timings != null) {
            timings.mark(phase);
        }
    }

    /**
     * Whether this open recomputed every checksum (false: a {@link VerificationRecord} of these
     * files stood for it).
     */
    public boolean checksumsComputed() {
        return checksumsComputed;
    }

    public Path dir() {
        return dir;
    }

    public IndexManifest manifest() {
        return manifest;
    }

    public int ngram() {
        return manifest.ngram();
    }

    public WorksStore store() {
        return store;
    }

    public GramSidecar grams() {
        return grams;
    }

    /** Code-point ranges of the works' texts, shared by all threads. */
    WorkTexts texts() {
        return texts;
    }

    DirectoryReader reader() {
        return reader;
    }

    int ordinal(int leaf, int doc) {
        return docToOrdinal[leaf][doc];
    }

    /** A gram lookup for one thread. */
    public LucenePoints newLookup() {
        try {
            return new LucenePoints(this);
        } catch (IOException e) {
            throw MemauditException.integrity("cannot read the Lucene index in " + dir, e);
        }
    }

    @Override
    public void close() throws IOException {
        try (luceneDir;
                storeDir;
                reader;
                store) {
            // closes all four, in reverse order
        }
    }
}
