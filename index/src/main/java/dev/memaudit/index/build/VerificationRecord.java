package dev.memaudit.index.build;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * {@value #FILE} in an index folder: the record that every checksum of one index generation was
 * verified in full, so that later opens of the same files can skip recomputing them. It names each
 * file the check covered (the manifest, every file of the Lucene commit, the works store and the
 * gram sidecar) with its size, modification time (nanoseconds since the epoch) and file key (device
 * and inode where the file system has them). The record holds only while the index uid, the
 * generation, the set of Lucene files and every one of those stamps are unchanged: a rebuilt,
 * replaced, truncated, appended or rewritten file invalidates it and the next open checks in full
 * again. What it cannot see is a change that keeps a file's size, time and inode (a bit flipped by
 * the disk, or a deliberate edit that restores the time): {@code memaudit index info --check}
 * always recomputes every checksum.
 *
 * <p>Written atomically (temporary file, then rename) after a full check succeeded; an index folder
 * that cannot be written keeps being checked in full on every open.
 *
 * @param schema {@value #SCHEMA}
 * @param indexUid the manifest's uid
 * @param generation the manifest's generation
 * @param files the files checked, sorted by path (relative to the index folder, {@code
 *     /}-separated)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VerificationRecord(
        int schema, String indexUid, long generation, List<FileStamp> files) {
    public static final String FILE = "verified.json";
    public static final int SCHEMA = 1;

    /**
     * One checked file.
     *
     * @param path relative to the index folder, {@code /}-separated
     * @param bytes its size
     * @param modifiedNanos its modification time, nanoseconds since the epoch
     * @param fileKey the file system's key of the file ({@code (dev=…,ino=…)} on Unix), or null
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FileStamp(String path, long bytes, long modifiedNanos, String fileKey) {}

    /**
     * The stamps of {@code paths} (relative to {@code indexDir}) as they are now, with the manifest
     * always included.
     */
    public static VerificationRecord of(Path indexDir, IndexManifest m, Collection<String> paths)
            throws IOException {
        TreeSet<String> sorted = new TreeSet<>(paths);
        sorted.add(IndexLayout.MANIFEST);
        List<FileStamp> stamps = new ArrayList<>(sorted.size());
        for (String p : sorted) {
            BasicFileAttributes a =
                    Files.readAttributes(indexDir.resolve(p), BasicFileAttributes.class);
            Object key = a.fileKey();
            stamps.add(
                    new FileStamp(
                            p,
                            a.size(),
                            a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                            key == null ? null : key.toString()));
        }
        return new VerificationRecord(SCHEMA, m.indexUid(), m.generation(), List.copyOf(stamps));
    }

    /**
     * Whether {@code indexDir} holds a record equal to {@code now} (the stamps taken before opening
     * the files): a full check of exactly these files as they are. A missing, unreadable or foreign
     * record does not hold.
     */
    public static boolean holds(Path indexDir, VerificationRecord now) {
        try {
            return now.equals(
                    Json.MAPPER.readValue(
                            indexDir.resolve(FILE).toFile(), VerificationRecord.class));
        } catch (IOException e) {
            // missing, torn or foreign: only a missed shortcut, the full check runs and rewrites it
            return false;
        }
    }

    /**
     * Records that the files stamped in {@code checked} (taken before the check began) passed a
     * full check, if none of them changed meanwhile. Returns false when nothing was recorded: a
     * file changed during the check, or the folder cannot be written (a read-only index); either
     * only means that the next open checks in full again.
     */
    public static boolean write(Path indexDir, IndexManifest m, VerificationRecord checked) {
        Path tmp = null;
        try {
            List<String> paths = checked.files().stream().map(FileStamp::path).toList();
            if (!checked.equals(of(indexDir, m, paths))) {
                return false;
            }
            byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(checked);
            tmp = Files.createTempFile(indexDir, FILE + ".", ".tmp");
            Files.write(tmp, bytes);
            Files.move(
                    tmp,
                    indexDir.resolve(FILE),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            // not recording is safe (the next open verifies in full); the caller must not fail on
            // it
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temporary file in the index folder; harmless
                }
            }
            return false;
        }
    }

    /** Removes the record, so that the next open checks in full. */
    public static void forget(Path indexDir) throws IOException {
        Files.deleteIfExists(indexDir.resolve(FILE));
    }
}
