package dev.memaudit.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {
    @TempDir Path tmp;

    @Test
    void resumeContinuesTheSameSettingsAndMarksTheRunUnfinished() throws Exception {
        Path dir = tmp.resolve("run");
        RunFolder first =
                RunFolder.open(dir, "extract", Map.of("seed", 1L, "stride", 50, "t", 0.5), false);
        assertThat(first.resumed()).isFalse();
        try (RunLedger l = first.ledger("windows.jsonl")) {
            l.append(Map.of("window", 0));
        }
        Files.writeString(dir.resolve("manifest.json"), "{}");
        RunFolder again =
                RunFolder.open(dir, "extract", Map.of("stride", 50L, "seed", 1L, "t", 0.5), true);
        assertThat(again.resumed()).isTrue();
        assertThat(dir.resolve("manifest.json")).doesNotExist();
        try (RunLedger l = again.ledger("windows.jsonl")) {
            assertThat(l.existing()).hasSize(1);
        }
    }

    @Test
    void resumeWithOtherSettingsIsRefusedNamingTheSetting() {
        Path dir = tmp.resolve("run");
        RunFolder.open(dir, "extract", Map.of("seed", 1, "stride", 50), false);
        assertThatThrownBy(
                        () -> RunFolder.open(dir, "extract", Map.of("seed", 2, "stride", 50), true))
                .hasMessageContaining("seed was 1, now 2")
                .hasMessageNotContaining("stride");
    }

    @Test
    void aNonEmptyFolderNeedsResume() throws Exception {
        Path dir = tmp.resolve("run");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> RunFolder.open(dir, "ppl", Map.of(), false))
                .hasMessageContaining("not empty");
        assertThatThrownBy(() -> RunFolder.open(dir, "ppl", Map.of(), true))
                .hasMessageContaining("not a memaudit run folder");
    }
}
