package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.scan.ScanConfig;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.build.IndexBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chance scores: a hand-computed example, and the scan writing them with their background. */
class BackgroundGramsTest {
    @TempDir Path dir;

    @Test
    void aHandComputedScore() {
        // 2 texts: "a b c d e f" (3 4-grams) and "a b c d x" (2): N = 5 positions; "a b c d" twice
        BackgroundGrams g = BackgroundGrams.of(4, List.of("a b c d e f", "A b c d x"));
        assertThat(g.positions()).isEqualTo(5);
        assertThat(g.distinct()).isEqualTo(4);
        assertThat(g.texts()).isEqualTo(2);
        NormalizedWords out = WordNormalizer.normalize("q a b c d z z z z r");
        // the passage [1, 9): grams "a b c d" (c = 2) and "z z z z" (c = 0); 10 - 8 + 1 places
        double want = Math.log10(3) + Math.log10(3 / 6.0) + Math.log10(1 / 6.0);
        assertThat(g.chanceLog10(out.hashes(), 1, 9, out.size())).isCloseTo(want, within(1e-12));
        // a passage shorter than n has no gram: capped at 0; so is a very common one
        assertThat(g.chanceLog10(out.hashes(), 1, 4, out.size())).isZero();
        BackgroundGrams common = BackgroundGrams.of(4, List.of("a b c d a b c d a b c d"));
        assertThat(common.chanceLog10(out.hashes(), 1, 5, out.size())).isZero();
    }

    @Test
    void theScanScoresEverySpanAndRecordsItsBackground() throws Exception {
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus.resolve("works"));
        Files.createDirectories(corpus.resolve("controls"));
        StringBuilder work = new StringBuilder();
        StringBuilder control = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            work.append("w").append(Integer.toString(i * 7919 % 3001, 36)).append(' ');
            control.append("c").append(Integer.toString(i * 104729 % 3001, 36)).append(' ');
        }
        // the work and the control share one 16-word passage: it is common, so likelier
        String shared = "and so the river ran on past the mill and the bridge and the old town";
        Files.writeString(corpus.resolve("works/w.txt"), work + shared + " " + work);
        Files.writeString(corpus.resolve("controls/c.txt"), control + shared + " " + control);
        Files.writeString(
                corpus.resolve("corpus.yaml"),
                "works:\n  - {id: w, path: works/w.txt}\n"
                        + "controls:\n  - {id: c, path: controls/c.txt}\n");
        Path index = dir.resolve("index");
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, index, new IndexBuilder.Options(8, true, 1));
        String[] words = work.toString().split(" ");
        String unique = String.join(" ", java.util.Arrays.copyOfRange(words, 100, 116));
        Path outputs = dir.resolve("outputs.jsonl");
        Files.writeString(
                outputs,
                "{\"id\": \"u\", \"text\": \"x y "
                        + unique
                        + " z\"}\n"
                        + "{\"id\": \"s\", \"text\": \"x y "
                        + shared
                        + " z\"}\n");
        BackgroundGrams bg =
                BackgroundGrams.load(BackgroundGrams.N, List.of(), List.of(corpus), m -> {});
        Path out = dir.resolve("scan");
        new ScanService(Clock.systemUTC(), m -> {}, bg)
                .scan(index, outputs, out, new ScanService.Options(12, 1, null), List.of());
        List<Span> spans = Records.readAll(out.resolve("spans.jsonl"), Span.class);
        // the unique passage at both of its places in the work (the work repeats), the shared once
        assertThat(spans).extracting(Span::outputId).containsExactlyInAnyOrder("u", "u", "s");
        Span u = spans.stream().filter(s -> s.outputId().equals("u")).findFirst().orElseThrow();
        Span s = spans.stream().filter(x -> x.outputId().equals("s")).findFirst().orElseThrow();
        // 16 words = 4 grams each unseen: 4 × log10(1 / (N + 1)) + log10(19 - 16 + 1)
        long n = bg.positions();
        assertThat(u.chanceLog10())
                .isCloseTo(Math.log10(4) - 4 * Math.log10(n + 1.0), within(1e-9));
        // the shared passage's 4 grams each occur once in the control
        assertThat(s.chanceLog10())
                .isCloseTo(Math.log10(4) + 4 * Math.log10(2 / (n + 1.0)), within(1e-9));
        assertThat(s.chanceLog10()).isGreaterThan(u.chanceLog10());
        ScanConfig cfg =
                (ScanConfig)
                        Records.read(
                                        out.resolve("manifest.json"),
                                        dev.memaudit.core.records.run.Manifest.class)
                                .config();
        assertThat(cfg.chance().ngramPositions()).isEqualTo(n);
        assertThat(cfg.chance().texts()).isEqualTo(1);
        assertThat(cfg.chance().sources()).containsExactly("controls of " + corpus);
    }
}
