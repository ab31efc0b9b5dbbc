package dev.memaudit.reports.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.reports.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLoaderTest {
    @TempDir Path tmp;

    private RunView load(Path run) {
        return new RunLoader(Fixtures.texts(), 5).load(run);
    }

    @Test
    void readsEveryStageOfAnAuditFolder() {
        RunView v = load(Fixtures.root().resolve("audit"));
        assertThat(v.stages())
                .extracting(StageFolder::command)
                .containsExactly("scan", "extract", "ppl");
        assertThat(v.works())
                .extracting(WorkView::workId)
                .containsExactly("alpha", "beta", "gamma");
        assertThat(v.notes()).isEmpty();

        WorkView alpha = v.works().get(0);
        assertThat(alpha.title()).isEqualTo("The Lantern Orchard");
        assertThat(alpha.scan().longestSpanWords()).isEqualTo(28);
        assertThat(alpha.scan().outputsHit()).isEqualTo(1);
        assertThat(alpha.extract().scheme()).isEqualTo("t1");
        assertThat(alpha.extract().coverage()).containsEntry("0.1", 0.5).hasSize(3);
        assertThat(alpha.extract().windows()).hasSize(6);
        assertThat(alpha.extract().windows().get(5).logPz()).isEqualTo(-800.0);
        // counted from attempts.jsonl: 6 greedy tries and one sampled; one attempt was refused
        // by the backend (skipped.jsonl): counted apart, not a try
        assertThat(alpha.extract().ledger().total()).isEqualTo(7);
        assertThat(alpha.extract().ledger().exact()).isEqualTo(2);
        assertThat(alpha.extract().ledger().skipped()).isEqualTo(1);
        assertThat(alpha.extract().ledger().skippedWindows()).isZero();
        assertThat(alpha.extract().ledger().skippedReasons())
                .containsEntry(
                        "prefix of 2100 tokens + 8 new tokens exceeds the model's 2048 positions",
                        1L);
        assertThat(alpha.ppl().p()).isEqualTo(2e-6);
        assertThat(alpha.ppl().pHolm()).isEqualTo(6e-6);
        assertThat(alpha.ppl().chunkFeatures().get("nll")).hasSize(5);
        assertThat(v.controlFeatures().get("nll")).hasSize(8);
        assertThat(v.works().get(2).extract()).as("gamma was not in the extract run").isNull();
        assertThat(v.works().get(2).ppl().status()).isEqualTo("not enough control text");
    }

    @Test
    void scanPassagesCarryBothTextsWithTheSpanMarked() {
        WorkView alpha = load(Fixtures.root().resolve("audit")).works().get(0);
        Passage p = alpha.scan().passages().get(0);
        String span =
                "Mira believed none of it until the night her own ladder came up short, and she"
                        + " hung there in the amber light, counting the rungs again and again";
        assertThat(p.model())
                .filteredOn(Passage.Segment::shared)
                .extracting(Passage.Segment::text)
                .containsExactly(span);
        assertThat(p.original())
                .filteredOn(Passage.Segment::shared)
                .extracting(Passage.Segment::text)
                .containsExactly(span);
        assertThat(p.outputCharStart()).isEqualTo(18);
    }

    @Test
    void bestAttemptsComeFirstAndShowTheTrueSuffix() {
        WorkView alpha = load(Fixtures.root().resolve("audit")).works().get(0);
        List<Passage> attempts = alpha.extract().attempts();
        assertThat(attempts).hasSize(5);
        assertThat(attempts.get(0).exact()).isTrue();
        assertThat(attempts.get(0).label()).isEqualTo("window 0, attempt 0 (greedy)");
        assertThat(attempts.get(0).workCharStart()).isEqualTo(30);
        assertThat(attempts.get(0).model()).allMatch(Passage.Segment::shared);
    }

    @Test
    void aSingleStageFolderIsReadAloneAndMissingStagesAreNamed() {
        RunView v = load(Fixtures.root().resolve("audit/scan"));
        assertThat(v.stages()).extracting(StageFolder::command).containsExactly("scan");
        assertThat(v.notes())
                .contains(
                        "The extract stage did not run in this run folder.",
                        "The ppl stage did not run in this run folder.");
        assertThat(v.works().get(0).extract()).isNull();
    }

    @Test
    void anUnknownSchemaVersionIsAnIntegrityFailureNamingFileAndLine() throws IOException {
        Path run = Fixtures.copy("audit", tmp);
        Path windows = run.resolve("extract/windows.jsonl");
        Files.writeString(
                windows,
                "{\"schema_version\":99,\"work_id\":\"alpha\",\"window\":9}\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        assertThatThrownBy(() -> load(run))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(windows + ":10: schema_version 99")
                .extracting(e -> ((MemauditException) e).category())
                .isEqualTo(ExitCategory.INTEGRITY);
    }

    @Test
    void aMalformedLedgerLineNamesFileAndLine() throws IOException {
        Path run = Fixtures.copy("audit", tmp);
        Path chunks = run.resolve("ppl/chunks.jsonl");
        Files.writeString(chunks, "{\"set\": \"work\", \n", StandardOpenOption.APPEND);
        assertThatThrownBy(() -> load(run)).hasMessageContaining(chunks + ":24: malformed JSON");
    }

    @Test
    void aRecordBreakingTheContractNamesFileAndLine() throws IOException {
        Path run = Fixtures.copy("audit", tmp);
        Path chunks = run.resolve("ppl/chunks.jsonl");
        // complete but for the one value the contract forbids
        Files.writeString(
                chunks,
                "{\"schema_version\": 1, \"set\": \"other\", \"work_id\": \"x\", \"chunk\": 0,"
                        + " \"char_start\": 0, \"char_end\": 20, \"tokens\": 16, \"chars\": 20,"
                        + " \"bytes\": 20, \"zlib_bytes\": 18, \"features\": {}}\n",
                StandardOpenOption.APPEND);
        assertThatThrownBy(() -> load(run)).hasMessageContaining(chunks + ":24: \"set\" must be");
    }

    @Test
    void aFolderWithoutStagesIsBadInput() {
        assertThatThrownBy(() -> load(tmp))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("no stage folder in " + tmp)
                .extracting(e -> ((MemauditException) e).category())
                .isEqualTo(ExitCategory.BAD_INPUT);
    }

    @Test
    void twoStagesOfOneKindAreRefused() throws IOException {
        Path run = Fixtures.copy("audit", tmp);
        Fixtures.copy("audit/scan", run.resolve("again"));
        Files.move(run.resolve("again/scan"), run.resolve("scan2"));
        assertThatThrownBy(() -> load(run)).hasMessageContaining("two scan stages");
    }

    @Test
    void withoutTextsPassagesHaveOffsetsOnly() {
        RunView v = new RunLoader(SourceTexts.none(), 5).load(Fixtures.root().resolve("audit"));
        Passage p = v.works().get(0).scan().passages().get(0);
        assertThat(p.model()).isNull();
        assertThat(p.original()).isNull();
        assertThat(p.workCharStart()).isNotNull();
    }
}
