package dev.memaudit.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLedgerTest {
    @TempDir Path tmp;

    @Test
    void recordsAreOnDiskAsSoonAsAppended() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        try (RunLedger l = RunLedger.open(f, false)) {
            l.append(Map.of("window", 0));
            // Read while still open: nothing may be waiting in a buffer.
            assertThat(Files.readString(f)).isEqualTo("{\"window\":0}\n");
            l.append(Map.of("window", 1));
            assertThat(Files.readAllLines(f)).hasSize(2);
            assertThat(l.appended()).isEqualTo(2);
        }
    }

    @Test
    void resumeDropsATornLastRecordAndKeepsTheRest() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, "{\"window\":0}\n{\"window\":1}\n{\"wind", StandardCharsets.UTF_8);
        try (RunLedger l = RunLedger.open(f, true)) {
            assertThat(l.existing()).extracting(o -> o.get("window").asInt()).containsExactly(0, 1);
            assertThat(l.repairedBytes()).isEqualTo(6);
            l.append(Map.of("window", 2));
        }
        assertThat(Files.readString(f))
                .isEqualTo("{\"window\":0}\n{\"window\":1}\n{\"window\":2}\n");
    }

    @Test
    void refusesToAppendToAnEarlierRunWithoutResume() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, "{\"window\":0}\n");
        assertThatThrownBy(() -> RunLedger.open(f, false))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("--resume")
                .extracting(e -> ((MemauditException) e).category())
                .isEqualTo(ExitCategory.USAGE);
    }

    @Test
    void aCompleteLineThatIsNotJsonIsAnIntegrityFailureNamingTheLine() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, "{\"window\":0}\nhello\n{\"window\":2}\n");
        assertThatThrownBy(() -> RunLedger.open(f, true))
                .hasMessageContaining("w.jsonl:2")
                .extracting(e -> ((MemauditException) e).category())
                .isEqualTo(ExitCategory.INTEGRITY);
    }

    @Test
    void emptyExistingFileNeedsNoResume() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, "");
        try (RunLedger l = RunLedger.open(f, false)) {
            assertThat(l.existing()).isEmpty();
        }
    }
}
