package dev.memaudit.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.RecordFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLedgerTest {
    @TempDir Path tmp;

    /** A ledger record of the tests. */
    @RecordFile(name = "w.jsonl", version = 1)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record W(int schemaVersion, int window) {
        W(int window) {
            this(1, window);
        }
    }

    private static final String W0 = "{\"schema_version\":1,\"window\":0}\n";
    private static final String W1 = "{\"schema_version\":1,\"window\":1}\n";
    private static final String W2 = "{\"schema_version\":1,\"window\":2}\n";

    @Test
    void recordsAreOnDiskAsSoonAsAppended() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        try (RunLedger<W> l = RunLedger.open(f, W.class, false)) {
            l.append(new W(0));
            // Read while still open: nothing may be waiting in a buffer.
            assertThat(Files.readString(f)).isEqualTo(W0);
            l.append(new W(1));
            assertThat(Files.readAllLines(f)).hasSize(2);
            assertThat(l.appended()).isEqualTo(2);
        }
    }

    @Test
    void anFsyncLedgerAppendsAfterATornTailLikeAPlainOne() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, W0 + "{\"wind", StandardCharsets.UTF_8);
        try (RunLedger<W> l = RunLedger.open(f, W.class, true, true)) {
            assertThat(l.existingCount()).isEqualTo(1);
            l.append(new W(1));
            // forced to the device on return: readable while the ledger is still open
            assertThat(Files.readString(f)).isEqualTo(W0 + W1);
            l.append(new W(2));
        }
        assertThat(Files.readString(f)).isEqualTo(W0 + W1 + W2);
    }

    @Test
    void resumeDropsATornLastRecordAndKeepsTheRest() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, W0 + W1 + "{\"wind", StandardCharsets.UTF_8);
        try (RunLedger<W> l = RunLedger.open(f, W.class, true)) {
            List<Integer> windows = new ArrayList<>();
            l.forEachExisting(w -> windows.add(w.window()));
            assertThat(windows).containsExactly(0, 1);
            assertThat(l.existingCount()).isEqualTo(2);
            assertThat(l.repairedBytes()).isEqualTo(6);
            l.append(new W(2));
        }
        assertThat(Files.readString(f)).isEqualTo(W0 + W1 + W2);
    }

    @Test
    void refusesToAppendToAnEarlierRunWithoutResume() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, W0);
        assertThatThrownBy(() -> RunLedger.open(f, W.class, false))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("--resume")
                .extracting(e -> ((MemauditException) e).category())
                .isEqualTo(ExitCategory.USAGE);
    }

    @Test
    void aCompleteLineThatIsNotJsonIsAnIntegrityFailureNamingTheLine() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, W0 + "hello\n" + W2);
        assertThatThrownBy(() -> RunLedger.open(f, W.class, true))
                .hasMessageContaining("w.jsonl:2")
                .extracting(e -> ((MemauditException) e).category())
                .isEqualTo(ExitCategory.INTEGRITY);
    }

    @Test
    void emptyExistingFileNeedsNoResume() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, "");
        try (RunLedger<W> l = RunLedger.open(f, W.class, false)) {
            assertThat(l.existingCount()).isZero();
        }
    }

    @Test
    void aLineMissingAFieldIsAnIntegrityFailureNamingLineAndField() throws Exception {
        Path f = tmp.resolve("w.jsonl");
        Files.writeString(f, W0 + "{\"schema_version\":1}\n");
        assertThatThrownBy(() -> RunLedger.open(f, W.class, true))
                .hasMessageContaining("w.jsonl:2: window: missing")
                .extracting(e -> ((MemauditException) e).category())
                .isEqualTo(ExitCategory.INTEGRITY);
    }
}
