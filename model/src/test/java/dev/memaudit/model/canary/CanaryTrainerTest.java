package dev.memaudit.model.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.Membership;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.testing.SyntheticText;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CanaryTrainerTest {
    @TempDir Path tmp;

    static List<CorpusText> corpus(int works, int words) {
        List<CorpusText> out = new ArrayList<>();
        for (int i = 0; i < works; i++) {
            out.add(new CorpusText("work-" + i, SyntheticText.of(1000 + i, words)));
        }
        return out;
    }

    private static PrintStream sink(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void savedFolderLoadsToTheTrainersOwnLogits(Architecture arch) throws Exception {
        CanaryConfig cfg = CanaryConfig.tiny().withArch(arch).withSteps(6);
        Path out = tmp.resolve("canary-" + arch);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CanaryResult r = CanaryTrainer.train(cfg, corpus(4, 400), out, sink(log));
        assertThat(r.steps()).isEqualTo(6);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("step 6/6");
        try (DjlLanguageModel m = ModelLoader.load(out)) {
            float[][] loaded = m.fullLogits(r.probeTokens());
            double maxDiff = 0;
            for (int t = 0; t < loaded.length; t++) {
                for (int v = 0; v < loaded[t].length; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(loaded[t][v] - r.probeLogits()[t][v]));
                }
            }
            assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
            assertThat(m.transformer().config().arch()).isEqualTo(arch);
        }
    }

    @Test
    void membershipFileRecordsTheSplitAndTrainingIsDeterministic() throws Exception {
        CanaryConfig cfg = CanaryConfig.tiny().withSteps(4).withMembers(Set.of("work-1", "work-2"));
        List<CorpusText> texts = corpus(4, 300);
        CanaryResult a =
                CanaryTrainer.train(
                        cfg, texts, tmp.resolve("a"), sink(new ByteArrayOutputStream()));
        CanaryResult b =
                CanaryTrainer.train(
                        cfg, texts, tmp.resolve("b"), sink(new ByteArrayOutputStream()));
        assertThat(a.members()).containsExactly("work-1", "work-2");
        assertThat(a.nonMembers()).containsExactly("work-0", "work-3");
        JsonNode m = new ObjectMapper().readTree(tmp.resolve("a/membership.json").toFile());
        assertThat(m.path("members").get(0).path("id").asText()).isEqualTo("work-1");
        assertThat(m.path("members").get(0).path("dose").asInt()).isEqualTo(cfg.repeat());
        assertThat(m.path("non_members").get(1).path("dose").asInt()).isZero();
        assertThat(m.path("non_members").get(1).path("seen_at_steps")).isEmpty();
        assertThat(m.path("members").get(0).path("seen_at_steps").get(0).asInt()).isBetween(1, 4);
        assertThat(m.path("background").isNull()).isTrue();
        // the saved model scored every work, teacher-forced
        assertThat(m.path("evaluation").path("works")).hasSize(4);
        assertThat(m.path("evaluation").path("held_out_background_nll").isNull()).isTrue();
        assertThat(m.path("steps").asInt()).isEqualTo(4);
        assertThat(m.path("seed").asLong()).isEqualTo(cfg.seed());
        assertThat(m.path("final_loss").asDouble()).isEqualTo(a.finalLoss());
        assertThat(Files.readAllBytes(tmp.resolve("a/model.safetensors")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("b/model.safetensors")));
        assertThat(Files.readString(tmp.resolve("a/tokenizer.json")))
                .isEqualTo(Files.readString(tmp.resolve("b/tokenizer.json")));
        // the config is a plain Hugging Face config
        JsonNode config = new ObjectMapper().readTree(tmp.resolve("a/config.json").toFile());
        assertThat(config.path("architectures").get(0).asText()).isEqualTo("LlamaForCausalLM");
        assertThat(config.path("model_type").asText()).isEqualTo("llama");
    }

    @Test
    void aDoseLadderIsAssignedRoundRobinInASeededOrder() {
        List<CorpusText> texts = corpus(10, 10);
        CanaryConfig cfg = CanaryConfig.tiny().withDoses(List.of(0, 1, 4, 16, 64));
        Map<String, Integer> a = CanaryTrainer.assignDoses(cfg, texts);
        assertThat(a).hasSize(10);
        Map<Integer, Long> perDose = new TreeMap<>();
        a.values().forEach(d -> perDose.merge(d, 1L, Long::sum));
        assertThat(perDose)
                .containsExactly(
                        Map.entry(0, 2L),
                        Map.entry(1, 2L),
                        Map.entry(4, 2L),
                        Map.entry(16, 2L),
                        Map.entry(64, 2L));
        assertThat(CanaryTrainer.assignDoses(cfg, texts)).isEqualTo(a);
        assertThat(CanaryTrainer.assignDoses(cfg.withSeed(8), texts)).isNotEqualTo(a);
        // named doses: the others are held out
        Map<String, Integer> named =
                CanaryTrainer.assignDoses(
                        cfg.withMemberDoses(Map.of("work-3", 16, "work-5", 0)), texts);
        assertThat(named.get("work-3")).isEqualTo(16);
        assertThat(named.values().stream().filter(d -> d > 0)).hasSize(1);
    }

    @Test
    void backgroundIsTrainedOnAndAFileHoldingAWorkIsLeftOut() throws Exception {
        List<CorpusText> texts = corpus(4, 300);
        List<BackgroundCorpus.File> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(
                    new BackgroundCorpus.File(
                            "bg-" + i,
                            "/bg/" + i + ".txt",
                            "0" + i,
                            SyntheticText.of(50 + i, 3000)));
        }
        // a book that holds work-2 (whitespace re-wrapped) must not become background
        String holder =
                SyntheticText.of(60, 500)
                        + "\n\n"
                        + texts.get(2).text().replace(" ", "\n")
                        + "\n"
                        + SyntheticText.of(61, 500);
        files.add(new BackgroundCorpus.File("bg-holder", "/bg/h.txt", "ff", holder));
        // and one that holds a control
        CorpusText control = new CorpusText("control-0", SyntheticText.of(70, 300));
        files.add(
                new BackgroundCorpus.File(
                        "bg-control", "/bg/c.txt", "ee", "Preface.\n\n" + control.text()));
        BackgroundCorpus bg = new BackgroundCorpus("/bg", files, List.of(control));
        CanaryConfig cfg =
                CanaryConfig.tiny()
                        .withSteps(3)
                        .withMemberDoses(Map.of("work-0", 4, "work-1", 1))
                        .toBuilder()
                        .backgroundTokens(4000)
                        .build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CanaryResult r = CanaryTrainer.train(cfg, texts, bg, tmp.resolve("m"), sink(log));
        assertThat(r.doses()).containsEntry("work-0", 4).containsEntry("work-2", 0);
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("background bg-holder left out: contains the text of work-2")
                .contains("background bg-control left out: contains the text of control-0");
        Membership m = Records.read(tmp.resolve("m/membership.json"), Membership.class);
        Membership.Background b = m.background();
        assertThat(b.tokens()).isEqualTo(4000);
        assertThat(b.heldOutTokens()).isPositive();
        assertThat(b.files())
                .extracting(Membership.BackgroundFile::id)
                .containsExactly("bg-0", "bg-1", "bg-2", "bg-holder", "bg-control");
        assertThat(b.files().get(3).excluded()).isEqualTo("contains the text of work-2");
        assertThat(b.files().get(3).tokens()).isNull();
        assertThat(b.files().get(3).usedTokens()).isZero();
        assertThat(b.files().get(0).sha256()).isEqualTo("00");
        long used = b.files().stream().mapToLong(Membership.BackgroundFile::usedTokens).sum();
        assertThat(used).isEqualTo(b.tokens() + b.heldOutTokens());
        assertThat(m.members()).extracting(Membership.Work::dose).containsExactly(4, 1);
        assertThat(m.evaluation().heldOutBackgroundNll()).isPositive();
        assertThat(m.evaluation().works()).hasSize(4);

        // a second canary over the same texts reuses the tokenizer and tokens, and is the same
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        CanaryTrainer.train(cfg, texts, bg, tmp.resolve("m2"), sink(again));
        assertThat(again.toString(StandardCharsets.UTF_8))
                .contains("(the same inputs as the previous canary: reused)")
                .contains("background bg-holder left out: contains the text of work-2");
        for (String f : List.of("tokenizer.json", "model.safetensors")) {
            assertThat(Files.readAllBytes(tmp.resolve("m2").resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("m").resolve(f)));
        }
    }

    @Test
    void trainedTokenizerRoundTripsTextAndReportsCodePointOffsets() throws Exception {
        String text = "Tide rose — naïve gulls 🐟 argued; the keeper's lantern.";
        BpeTrainer.Bpe bpe = BpeTrainer.train(List.of(SyntheticText.of(5, 2000), text), 400);
        Path file = tmp.resolve("tokenizer.json");
        bpe.write(file);
        try (ModelTokenizer tok = ModelTokenizer.load(file)) {
            var enc = tok.encode(text);
            assertThat(tok.decode(enc.ids())).isEqualTo(text);
            assertThat(tok.vocabSize()).isEqualTo(bpe.vocab().size());
            assertThat(tok.specialTokenId(BpeTrainer.END_OF_TEXT)).isEqualTo(bpe.endOfTextId());
            // offsets are code points: the token after the emoji starts right after it
            int fish = text.codePointCount(0, text.indexOf("🐟"));
            boolean found = false;
            for (int i = 0; i < enc.length(); i++) {
                if (enc.starts()[i] == fish + 1) {
                    found = true;
                }
            }
            assertThat(found).isTrue();
            assertThat(enc.ends()[enc.length() - 1])
                    .isEqualTo(text.codePointCount(0, text.length()));
            // learned merges make common words single tokens
            assertThat(tok.encodeIds(" lantern")).hasSizeLessThan(" lantern".length());
        }
    }

    @Test
    void badMembershipRequestsAreRefused() {
        List<CorpusText> texts = corpus(3, 50);
        assertThatThrownBy(
                        () ->
                                CanaryTrainer.train(
                                        CanaryConfig.tiny().withMembers(Set.of("nope")),
                                        texts,
                                        tmp.resolve("x"),
                                        sink(new ByteArrayOutputStream())))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("[nope]");
        assertThatThrownBy(() -> CanaryConfig.tiny().withRepeat(0))
                .hasMessageContaining("repeat must be ≥ 1");
    }
}
