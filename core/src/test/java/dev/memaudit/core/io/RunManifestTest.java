package dev.memaudit.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.records.run.FileDigest;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunManifestTest {
    @TempDir Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-12-04T20:00:00Z"), ZoneOffset.UTC);

    @Test
    void aHashComputedAheadIsTheHashOfTheFile() throws Exception {
        Path a = Files.writeString(dir.resolve("a.jsonl"), "{\"id\":1}\n");
        Path b = Files.writeString(dir.resolve("b.jsonl"), "{\"id\":2}\n");
        Path other = Files.writeString(dir.resolve("other.jsonl"), "other\n");
        RunManifest m = new RunManifest(clock, List.of()).hashAhead(Map.of("a", a, "b", b));
        m.input("a", a);
        // given another path than was hashed ahead, the given file is hashed
        m.input("b", other);
        Map<String, FileDigest> in = m.inputs();
        assertThat(in.get("a").sha256()).isEqualTo(Sha256.of(a));
        assertThat(in.get("b").sha256()).isEqualTo(Sha256.of(other));
    }

    @Test
    void aFileThatCannotBeReadAheadFailsWhereItIsRecorded() {
        Path missing = dir.resolve("missing.jsonl");
        RunManifest m = new RunManifest(clock, List.of()).hashAhead(Map.of("x", missing));
        assertThatThrownBy(() -> m.input("x", missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("missing.jsonl");
    }
}
