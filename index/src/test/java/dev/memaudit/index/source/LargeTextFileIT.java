package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 200 MB text file on a single line loads in one pass, within the test JVM's 2 GB heap. */
class LargeTextFileIT {
    private static final long SIZE = 200L * 1024 * 1024;

    @TempDir Path temp;

    @Test
    void loadsA200MegabyteSingleLineFile() throws Exception {
        Path file = temp.resolve("one-line.txt");
        byte[] unit = "word café ".getBytes(StandardCharsets.UTF_8); // 11 bytes, 10 chars
        long units = SIZE / unit.length;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (long i = 0; i < units; i++) {
                out.write(unit);
            }
        }
        WorkEntry entry =
                new WorkEntry(
                        "big",
                        null,
                        List.of(),
                        null,
                        null,
                        null,
                        file,
                        "one-line.txt",
                        null,
                        null,
                        Role.WORK);
        List<LoadedWork> works = new ArrayList<>();
        List<WorkProblem> problems = new ArrayList<>();
        long start = System.nanoTime();
        new CorpusLoader().load(List.of(entry), works::add, problems::add);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.err.printf("loaded %d bytes in %d ms%n", Files.size(file), millis);
        assertThat(problems).isEmpty();
        String text = works.get(0).text();
        assertThat((long) text.length()).isEqualTo(units * 10);
        assertThat(text).startsWith("word café word").endsWith("café ");
        assertThat(text.indexOf('\n')).isEqualTo(-1);
    }
}
