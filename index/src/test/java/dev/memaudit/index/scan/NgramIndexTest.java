package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.index.build.IndexBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NgramIndexTest {
    @TempDir Path dir;

    @Test
    void aFlippedByteInsideALuceneFileIsAnIntegrityFailure() throws Exception {
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
