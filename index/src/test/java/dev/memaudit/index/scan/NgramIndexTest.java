package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.build.VerificationRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NgramIndexTest {
    @TempDir Path dir;

    private Path buildIndex() throws Exception {
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            text.append("word").append(i * 7919 % 1000).append(i % 3 == 0 ? ". " : " ");
        }
        Files.writeString(corpus.resolve("a.txt"), text);
        Path index = dir.resolve("index");
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, index, new IndexBuilder.Options(8, true, 1));
        return index;
    }

    private static boolean openComputes(Path index, NgramIndex.Check check) {
        try (NgramIndex idx = NgramIndex.open(index, check, null)) {
            return idx.checksumsComputed();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void checksumsAreComputedOncePerSetOfFilesAndAlwaysOnAFullCheck() throws Exception {
        Path index = buildIndex();
        assertThat(openComputes(index, NgramIndex.Check.ONCE)).isTrue();
        assertThat(index.resolve(VerificationRecord.FILE)).exists();
        assertThat(openComputes(index, NgramIndex.Check.ONCE)).isFalse();
        assertThat(openComputes(index, NgramIndex.Check.FULL)).isTrue();
        assertThat(openComputes(index, NgramIndex.Check.ONCE)).isFalse();

        // a file whose time changed (same bytes) is checked in full again, then recorded again
        Path sidecar = index.resolve("store/grams-1.dat");
        Files.setLastModifiedTime(
                sidecar,
                FileTime.fromMillis(Files.getLastModifiedTime(sidecar).toMillis() + 2_000));
        assertThat(openComputes(index, NgramIndex.Check.ONCE)).isTrue();
        assertThat(openComputes(index, NgramIndex.Check.ONCE)).isFalse();
    }

    @Test
    void aStoreChangedAfterARecordedCheckIsCheckedInFullAgain() throws Exception {
        Path index = buildIndex();
        assertThat(openComputes(index, NgramIndex.Check.ONCE)).isTrue();
        Path store = index.resolve("store/works-1.dat");
        byte[] bytes = Files.readAllBytes(store);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(store, bytes); // same size and inode, a new modification time
        assertThatThrownBy(() -> NgramIndex.open(index))
                .isInstanceOfSatisfying(
                        MemauditException.class,
                        e -> assertThat(e.category()).isEqualTo(ExitCategory.INTEGRITY))
                .hasMessageContaining("works-1.dat");
    }

    @Test
    void aFullCheckFindsWhatTheRecordCannotSee() throws Exception {
        Path index = buildIndex();
        assertThat(openComputes(index, NgramIndex.Check.ONCE)).isTrue();
        // a flipped byte that keeps the file's size, inode and time: the record still holds
        Path store = index.resolve("store/works-1.dat");
        FileTime time = Files.getLastModifiedTime(store);
        byte[] bytes = Files.readAllBytes(store);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(store, bytes);
        Files.setLastModifiedTime(store, time);
        assertThatThrownBy(() -> NgramIndex.open(index, NgramIndex.Check.FULL, null))
                .isInstanceOfSatisfying(
                        MemauditException.class,
                        e -> assertThat(e.category()).isEqualTo(ExitCategory.INTEGRITY))
                .hasMessageContaining("works-1.dat");
    }

    @Test
    void aCheckIsNotRecordedForAFileThatChangedDuringIt() throws Exception {
        Path index = buildIndex();
        IndexManifest m = IndexLayout.readManifest(index);
        List<String> files = List.of("store/works-1.dat", "store/grams-1.dat");
        VerificationRecord before = VerificationRecord.of(index, m, files);
        Path sidecar = index.resolve("store/grams-1.dat");
        Files.setLastModifiedTime(
                sidecar,
                FileTime.fromMillis(Files.getLastModifiedTime(sidecar).toMillis() + 2_000));
        assertThat(VerificationRecord.write(index, m, before)).isFalse();
        assertThat(index.resolve(VerificationRecord.FILE)).doesNotExist();
        VerificationRecord now = VerificationRecord.of(index, m, files);
        assertThat(VerificationRecord.write(index, m, now)).isTrue();
        assertThat(VerificationRecord.holds(index, now)).isTrue();
        assertThat(VerificationRecord.holds(index, before)).isFalse();
    }

    @Test
    void aFlippedByteInsideALuceneFileIsAnIntegrityFailure() throws Exception {
        Path index = buildIndex();
        try (NgramIndex ok = NgramIndex.open(index)) {
            assertThat(ok.store().size()).isEqualTo(1);
        }
        Path largest;
        try (Stream<Path> files = Files.list(index.resolve("lucene"))) {
            largest = files.max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(largest);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(largest, bytes);
        assertThatThrownBy(() -> NgramIndex.open(index))
                .isInstanceOfSatisfying(
                        MemauditException.class,
                        e -> assertThat(e.category()).isEqualTo(ExitCategory.INTEGRITY))
                .hasMessageContaining(largest.getFileName().toString());
    }
}
