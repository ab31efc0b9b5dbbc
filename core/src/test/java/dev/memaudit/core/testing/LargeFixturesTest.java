package dev.memaudit.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated fixtures are what they claim: valid zips of the stated size, sparse files. */
class LargeFixturesTest {
    @TempDir Path dir;

    @Test
    void aBombEntryIsAValidDeflateStreamOfItsStatedSizeAndCrc() throws Exception {
        long expanded = 64L << 20;
        Path zip =
                LargeFixtures.zip(
                        dir.resolve("bomb.zip"),
                        List.of(
                                LargeFixtures.Entry.stored("mimetype", "application/epub+zip"),
                                LargeFixtures.Entry.zeros("z.xhtml", "<html>", expanded),
                                LargeFixtures.Entry.of("after.txt", "still here")));
        // about 1,000 times smaller than what it expands to
        assertThat(Files.size(zip)).isLessThan(expanded / 500);
        // ZipInputStream checks each entry's CRC-32 and sizes against its data
        long zeros = 0;
        long total = 0;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            assertThat(in.getNextEntry().getName()).isEqualTo("mimetype");
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("application/epub+zip");
            ZipEntry bomb = in.getNextEntry();
            assertThat(bomb.getName()).isEqualTo("z.xhtml");
            byte[] buf = new byte[1 << 16];
            byte[] head = in.readNBytes(6);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("<html>");
            total = 6;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                for (int i = 0; i < n; i++) {
                    zeros += buf[i] == 0 ? 1 : 0;
                }
            }
            assertThat(in.getNextEntry().getName()).isEqualTo("after.txt");
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("still here");
        }
        assertThat(total).isEqualTo(expanded);
        assertThat(zeros).isEqualTo(expanded - 6);
        try (ZipFile z = new ZipFile(zip.toFile())) {
            assertThat(z.getEntry("z.xhtml").getSize()).isEqualTo(expanded);
        }
    }

    @Test
    void aLyingEntryDeclaresAnotherSize() throws Exception {
        Path zip =
                LargeFixtures.zip(
                        dir.resolve("liar.zip"),
                        List.of(LargeFixtures.Entry.zeros("z", "", 4L << 20).declaring(1000)));
        try (ZipFile z = new ZipFile(zip.toFile());
                InputStream in = z.getInputStream(z.getEntry("z"))) {
            assertThat(z.getEntry("z").getSize()).isEqualTo(1000);
            assertThat(in.readAllBytes()).hasSize(4 << 20);
        }
    }

    @Test
    void aSparseFileHasItsLengthWithoutItsBytesOnDisk() throws Exception {
        Path f =
                LargeFixtures.sparse(
                        dir.resolve("s.txt"),
                        "head".getBytes(StandardCharsets.US_ASCII),
                        3L << 30,
                        "tail".getBytes(StandardCharsets.US_ASCII));
        assertThat(Files.size(f)).isEqualTo((3L << 30) + 8);
        try (var raf = new java.io.RandomAccessFile(f.toFile(), "r")) {
            raf.seek((3L << 30) + 4);
            byte[] tail = new byte[4];
            raf.readFully(tail);
            assertThat(new String(tail, StandardCharsets.US_ASCII)).isEqualTo("tail");
        }
    }
}
