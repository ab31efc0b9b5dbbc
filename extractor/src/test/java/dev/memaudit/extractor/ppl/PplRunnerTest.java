package dev.memaudit.extractor.ppl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.model.ModelTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PplRunnerTest {
    @TempDir static Path shared;
    static ModelTokenizer tok;

    @BeforeAll
    static void tokenizer() throws IOException {
        tok = ToyModel.tokenizer(shared);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    static List<PplText> texts() {
        return List.of(
                new PplText(PplText.WORK, "w1", "Work One", ToyModel.text(11, 300)),
                new PplText(PplText.WORK, "w2", null, ToyModel.text(12, 200)),
                new PplText(PplText.WORK, "tiny", null, "Salt."),
                new PplText(PplText.CONTROL, "c1", null, ToyModel.text(13, 250)));
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    static List<JsonNode> records(Path dir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(PplRunner.CHUNKS))) {
            out.add(Json.MAPPER.readTree(line));
        }
        return out;
    }

    /** The run config the ppl stage would pin for these chunk settings. */
    static PplConfig config(PplSettings s) {
        return PplConfig.ofCalibration(
                "toy", 0, s.chunkTokens(), s.lowercase(), PplStatsSettings.defaults());
    }

    static PplRunner.Summary run(
            Path dir, ToyModel m, ToyModel ref, PplSettings s, boolean resume) {
        RunFolder f = RunFolder.open(dir, config(s), resume);
        return PplRunner.run(f, m, ref, texts(), s, quiet(), false);
    }

    @Test
    void recordsHaveExactFeaturesAndOffsetsIntoTheOriginalText(@TempDir Path dir)
            throws IOException {
        ToyModel m = new ToyModel(tok, true, false, 64);
        PplRunner.Summary s = run(dir, m, null, new PplSettings(32, false, 3), false);
        assertThat(s.tooShort()).containsExactly("tiny");
        assertThat(s.skipped()).isZero();
        assertThat(s.minKPlusPlusMeasurable()).isTrue();
        List<JsonNode> recs = records(dir);
        assertThat(recs).hasSize(s.chunks()).hasSize(s.written());
        String text = texts().get(0).text();
        for (JsonNode r : recs) {
            assertThat(r.path("schema_version").asInt()).isEqualTo(1);
            if (!r.path("work_id").asText().equals("w1")) {
                continue;
            }
            int a = r.path("char_start").asInt();
            int b = r.path("char_end").asInt();
            String chunk = CodePoints.substring(text, a, b);
            int[] ids = tok.encodeIds(chunk);
            // the chunk's text re-encodes to about its tokens (BPE may merge across the cut)
            assertThat(ids.length)
                    .isBetween(r.path("tokens").asInt() - 2, r.path("tokens").asInt() + 2);
            assertThat(r.path("zlib_bytes").asInt()).isEqualTo(ChunkFeatures.zlibBytes(chunk));
            assertThat(r.path("bytes").asInt())
                    .isEqualTo(chunk.getBytes(StandardCharsets.UTF_8).length);
            JsonNode f = r.path("features");
            assertThat(f.path("zlib_ratio").asDouble())
                    .isCloseTo(
                            f.path("nll").asDouble() / r.path("zlib_bytes").asInt(), within(1e-12));
            assertThat(f.has("min_k_pp_20")).isTrue();
            assertThat(f.has("lowercase_ratio")).isFalse();
        }
        // the first chunk of w1 scored by hand from the toy distribution
        JsonNode first =
                recs.stream()
                        .filter(r -> r.path("work_id").asText().equals("w1"))
                        .findFirst()
                        .get();
        int[] ids = tok.encodeIds(text);
        double sum = 0;
        for (int i = 1; i < 32; i++) {
            sum -= (float) Math.log(m.p(ids[i]));
        }
        assertThat(first.path("chunk").asInt()).isZero();
        assertThat(first.path("char_start").asInt()).isZero();
        assertThat(first.path("features").path("nll").asDouble()).isCloseTo(sum / 31, within(1e-6));
    }

    @Test
    void aBackendWithoutTheFullDistributionLeavesMinKPlusPlusOut(@TempDir Path dir)
            throws IOException {
        PplRunner.Summary s =
                run(
                        dir,
                        new ToyModel(tok, false, false, 64),
                        null,
                        new PplSettings(32, false, 4),
                        false);
        assertThat(s.minKPlusPlusMeasurable()).isFalse();
        for (JsonNode r : records(dir)) {
            assertThat(r.path("features").has("min_k_pp_5")).isFalse();
            assertThat(r.path("features").has("min_k_5")).isTrue();
        }
    }

    @Test
    void lowercaseAndReferencePasses(@TempDir Path dir) throws IOException {
        ToyModel ref = new ToyModel(tok, false, true, 64);
        run(dir, new ToyModel(tok, true, false, 64), ref, new PplSettings(32, true, 4), false);
        double lnV = Math.log(tok.vocabSize());
        for (JsonNode r : records(dir)) {
            JsonNode f = r.path("features");
            // the uniform reference gives NLL = ln V whatever the text
            assertThat(f.path("ref_diff").asDouble())
                    .isCloseTo(f.path("nll").asDouble() - lnV, within(1e-5));
            assertThat(f.path("lowercase_ratio").asDouble()).isPositive();
        }
    }

    @Test
    void aReferenceWithAShortContextScoresLongChunksInPieces(@TempDir Path dir) throws IOException {
        // the reference accepts 8 tokens: a 32-token chunk is scored in pieces, all of it counted
        ToyModel ref = new ToyModel(tok, false, true, 8);
        run(dir, new ToyModel(tok, true, false, 64), ref, new PplSettings(32, false, 4), false);
        double lnV = Math.log(tok.vocabSize());
        for (JsonNode r : records(dir)) {
            JsonNode f = r.path("features");
            assertThat(f.path("ref_diff").asDouble())
                    .isCloseTo(f.path("nll").asDouble() - lnV, within(1e-5));
        }
        assertThat(ref.scoreCalls).isPositive();
    }

    @Test
    void resumeSkipsRecordedChunksAndEndsWithTheSameRecords(@TempDir Path dir) throws IOException {
        Path whole = dir.resolve("whole");
        Path cut = dir.resolve("cut");
        PplSettings s = new PplSettings(32, false, 2);
        run(whole, new ToyModel(tok, true, false, 64), null, s, false);
        run(cut, new ToyModel(tok, true, false, 64), null, s, false);
        // simulate a kill: keep 3 records and half of the 4th
        List<String> lines = Files.readAllLines(cut.resolve(PplRunner.CHUNKS));
        String kept = String.join("\n", lines.subList(0, 3)) + "\n" + lines.get(3).substring(0, 20);
        Files.writeString(cut.resolve(PplRunner.CHUNKS), kept);
        ToyModel again = new ToyModel(tok, true, false, 64);
        PplRunner.Summary r = run(cut, again, null, s, true);
        assertThat(r.resumed()).isEqualTo(3);
        assertThat(r.written()).isEqualTo(lines.size() - 3);
        assertThat(new TreeSet<>(Files.readAllLines(cut.resolve(PplRunner.CHUNKS))))
                .isEqualTo(new TreeSet<>(Files.readAllLines(whole.resolve(PplRunner.CHUNKS))));
        // a finished run resumed again scores nothing
        ToyModel idle = new ToyModel(tok, true, false, 64);
        PplRunner.Summary none = run(cut, idle, null, s, true);
        assertThat(none.written()).isZero();
        assertThat(idle.scoreCalls).isZero();
    }

    @Test
    void resumingWithOtherSettingsIsRefused(@TempDir Path dir) {
        run(dir, new ToyModel(tok, true, false, 64), null, new PplSettings(32, false, 2), false);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> RunFolder.open(dir, config(new PplSettings(16, false, 2)), true))
                .hasMessageContaining("chunk_tokens");
    }
}
