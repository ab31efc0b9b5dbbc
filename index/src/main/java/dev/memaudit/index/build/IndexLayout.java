package dev.memaudit.index.build;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.ngram.GramHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;

/**
 * The folders and files of an index:
 *
 * <pre>
 * memaudit-index.json        manifest (IndexManifest), written last
 * lucene/                    Lucene index (codec GramCodec), one segment: a document per work
 *                            (or per 2^20 grams of a long work) with its id, and point field "g"
 *                            holding one 12-byte point per gram: hash big-endian, then the word
 *                            index of the gram's first word in the work (GramPoints)
 * store/works-GEN.dat        works store (WorksStore)
 * store/grams-GEN.dat        Bloom filter + counts of repeated grams (GramSidecar)
 * verified.json              optional: which files passed a full checksum check, with their
 *                            sizes, times and inodes (VerificationRecord), written by readers
 * </pre>
 */
public final class IndexLayout {
    public static final String FORMAT = "memaudit-index";

    /** 1: grams as Lucene terms with positions; 2: grams as points (build 2x faster). */
    public static final int FORMAT_VERSION = 2;

    public static final String MANIFEST = "memaudit-index.json";
    public static final String LUCENE_DIR = "lucene";
    public static final String STORE_DIR = "store";

    /** The build history: one {@link BuildReport} per {@code memaudit index build}, appended. */
    public static final String BUILD_LOG = "builds.jsonl";

    private IndexLayout() {}

    public static String storeFile(long generation) {
        return "works-" + generation + ".dat";
    }

    public static String gramsFile(long generation) {
        return "grams-" + generation + ".dat";
    }

    /** True when the folder holds an index manifest. */
    public static boolean isIndex(Path dir) {
        return Files.isRegularFile(dir.resolve(MANIFEST));
    }

    /**
     * Reads and validates the manifest of an existing index; a missing, unreadable or foreign
     * manifest is an integrity failure (exit 5).
     */
    public static IndexManifest readManifest(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isDirectory(dir)) {
            throw MemauditException.badInput("index folder " + dir + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw MemauditException.integrity(
                    dir + " is not a memaudit index (no " + MANIFEST + ")");
        }
        IndexManifest m;
        try {
            m = Json.MAPPER.readValue(file.toFile(), IndexManifest.class);
        } catch (IOException e) {
            throw MemauditException.integrity(
                    "index manifest "
                            + file
                            + " is unreadable or not a memaudit index: "
                            + e.getMessage(),
                    e);
        }
        if (!FORMAT.equals(m.format())) {
            throw MemauditException.integrity(
                    file + ": format is '" + m.format() + "', expected '" + FORMAT + "'");
        }
        if (m.formatVersion() != FORMAT_VERSION) {
            throw MemauditException.integrity(
                    file
                            + ": index format version "
                            + m.formatVersion()
                            + " is not supported by this memaudit (supports "
                            + FORMAT_VERSION
                            + "): rebuild the index from its corpus into a new folder with"
                            + " `memaudit index build`");
        }
        if (m.normalizerVersion() != WordNormalizer.VERSION
                || !GramHash.NAME.equals(m.gramHash())) {
            throw MemauditException.integrity(
                    file
                            + ": built with normalizer version "
                            + m.normalizerVersion()
                            + " and gram hash "
                            + m.gramHash()
                            + "; this memaudit uses "
                            + WordNormalizer.VERSION
                            + " and "
                            + GramHash.NAME
                            + ": rebuild the index");
        }
        if (m.ngram() < 2 || m.ngram() > 64 || m.works() == null || m.indexUid() == null) {
            throw MemauditException.integrity(
                    file + ": manifest fields are missing or out of range");
        }
        uid(m);
        return m;
    }

    /**
     * Checks that the Lucene commit is the one the manifest describes. They differ only if a build
     * was interrupted between its Lucene commit and its manifest write.
     */
    public static void checkLuceneCommit(Directory lucene, IndexManifest m, Path indexDir) {
        String found;
        try {
            found =
                    SegmentInfos.readLatestCommit(lucene)
                            .getUserData()
                            .get(IndexBuilder.GENERATION_KEY);
        } catch (IOException e) {
            throw MemauditException.integrity(
                    "the Lucene index in " + indexDir + " is missing or corrupt: " + e.getMessage(),
                    e);
        }
        if (!Long.toString(m.generation()).equals(found)) {
            throw MemauditException.integrity(
                    "index "
                            + indexDir
                            + " is inconsistent: its Lucene commit is generation "
                            + found
                            + " but the manifest says "
                            + m.generation()
                            + " (an interrupted build?); rebuild it into a new folder");
        }
    }

    /** The manifest's index uid as 16 bytes. */
    public static byte[] uid(IndexManifest m) {
        try {
            byte[] uid = HexFormat.of().parseHex(m.indexUid());
            if (uid.length != 16) {
                throw new IllegalArgumentException("length " + uid.length);
            }
            return uid;
        } catch (IllegalArgumentException e) {
            throw MemauditException.integrity("index uid '" + m.indexUid() + "' is malformed", e);
        }
    }
}
