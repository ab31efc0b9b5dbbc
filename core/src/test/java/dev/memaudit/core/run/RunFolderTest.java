package dev.memaudit.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.extract.ExtractConfig;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.core.records.run.ModelIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {
    @TempDir Path tmp;

    static ExtractConfig extract(long seed, int stride, int batch) {
        return extract(seed, stride, batch, "m at http://a:1", identity("sha256:ids", 2048));
    }

    static ModelIdentity identity(String fingerprint, int context) {
        return new ModelIdentity(
                "openai-completions", null, null, "canary", "canary", context, fingerprint);
    }

    static ExtractConfig extract(
            long seed, int stride, int batch, String model, ModelIdentity identity) {
        return new ExtractConfig(
                model, identity, "uid", "works", 50, 50, stride, List.of(), 0, "t1", "all", seed, 0,
                12, 0.8, null, batch, "idx", 1, null, null);
    }

    @Test
    void theSameModelAtAnotherAddressResumesAndADifferentOneIsRefusedNamingWhatDiffers() {
        Path dir = tmp.resolve("identity");
        RunFolder first = RunFolder.open(dir, extract(1, 50, 16), false);
        assertThat(first.servedBy("http://a:1")).containsExactly("http://a:1");
        // another port and replica: the same model, so the run continues
        RunFolder again =
                RunFolder.open(
                        dir,
                        extract(1, 50, 16, "m at http://b:2", identity("sha256:ids", 2048)),
                        true);
        assertThat(again.resumed()).isTrue();
        assertThat(again.servedBy("http://b:2")).containsExactly("http://a:1", "http://b:2");
        assertThat(again.servedBy("http://a:1")).containsExactly("http://a:1", "http://b:2");
        // another tokenizer (its probe ids differ) and another context: refused, named
        assertThatThrownBy(
                        () ->
                                RunFolder.open(
                                        dir,
                                        extract(
                                                1,
                                                50,
                                                16,
                                                "m at http://a:1",
                                                identity("sha256:other", 4096)),
                                        true))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("cannot resume with different settings")
                .hasMessageContaining("model_identity.context_tokens was 2048, now 4096")
                .hasMessageContaining(
                        "model_identity.tokenizer_fingerprint was \"sha256:ids\", now"
                                + " \"sha256:other\"")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("http://"));
    }

    static WindowRecord window(int i) {
        return new WindowRecord(
                WindowRecord.SCHEMA_VERSION,
                "w",
                i,
                0,
                1,
                1,
                2,
                1,
                1,
                0,
                1,
                2,
                Map.of("t1", 0.5),
                Map.of("t1", -0.69),
                false,
                0,
                Map.of(),
                3.5,
                0,
                null,
                null,
                null);
    }

    @Test
    void resumeContinuesTheSameSettingsAndMarksTheRunUnfinished() throws Exception {
        Path dir = tmp.resolve("run");
        RunFolder first = RunFolder.open(dir, extract(1L, 50, 16), false);
        assertThat(first.resumed()).isFalse();
        try (RunLedger<WindowRecord> l = first.ledger(WindowRecord.class)) {
            l.append(window(0));
        }
        Files.writeString(dir.resolve("manifest.json"), "{}");
        // a setting that changes no record (the batch) may differ
        RunFolder again = RunFolder.open(dir, extract(1L, 50, 8), true);
        assertThat(again.resumed()).isTrue();
        assertThat(dir.resolve("manifest.json")).doesNotExist();
        try (RunLedger<WindowRecord> l = again.ledger(WindowRecord.class)) {
            assertThat(l.existingCount()).isEqualTo(1);
        }
    }

    @Test
    void resumeWithOtherSettingsIsRefusedNamingTheSetting() {
        Path dir = tmp.resolve("run");
        RunFolder.open(dir, extract(1, 50, 16), false);
        assertThatThrownBy(() -> RunFolder.open(dir, extract(2, 50, 16), true))
                .hasMessageContaining("seed was 1, now 2")
                .hasMessageNotContaining("stride");
    }

    @Test
    void aNonEmptyFolderNeedsResume() throws Exception {
        Path dir = tmp.resolve("run");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> RunFolder.open(dir, extract(1, 50, 16), false))
                .hasMessageContaining("not empty");
        assertThatThrownBy(() -> RunFolder.open(dir, extract(1, 50, 16), true))
                .hasMessageContaining("not a memaudit run folder");
    }
}
