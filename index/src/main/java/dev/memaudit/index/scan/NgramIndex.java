package dev.memaudit.index.scan;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.run.Timings;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.ngram.GramSidecar;
import dev.memaudit.index.store.WorksStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
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

    private NgramIndex(
            Path dir,
            IndexManifest manifest,
            Directory luceneDir,
            Directory storeDir,
            DirectoryReader reader,
            WorksStore store,
            GramSidecar grams,
            int[][] docToOrdinal) {
        this.dir = dir;
        this.manifest = manifest;
        this.luceneDir = luceneDir;
        this.storeDir = storeDir;
        this.reader = reader;
        this.store = store;
        this.grams = grams;
        this.docToOrdinal = docToOrdinal;
        this.texts = new WorkTexts(store);
    }

    /**
     * Opens the index in {@code dir}, checking the manifest, the Lucene commit generation, the
     * checksums of every Lucene, store and sidecar file, and that Lucene and the store hold the
     * same works. Any mismatch is an integrity failure (exit 5).
     */
    public static NgramIndex open(Path dir) {
        return open(dir, null);
    }

    /** As {@link #open(Path)}, marking its phases in {@code timings} (null: not timed). */
    public static NgramIndex open(Path dir, Timings timings) {
        IndexManifest m = IndexLayout.readManifest(dir);
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
            reader = DirectoryReader.open(luceneDir);
            mark(timings, "index open: manifest, lucene");
            store = WorksStore.open(storeDir, m.storeFile(), uid, gen);
            mark(timings, "index open: works store");
            GramSidecar grams = GramSidecar.read(storeDir, m.gramsFile(), uid, gen);
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
            for (LeafReaderContext leaf : leaves) {
                // Lucene checks footers on open but whole-file checksums only here: a flipped byte
                // in the points tree must not give wrong occurrences silently.
                leaf.reader().checkIntegrity();
            }
            mark(timings, "index open: lucene checksums");
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
            return new NgramIndex(dir, m, luceneDir, storeDir, reader, store, grams, map);
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
