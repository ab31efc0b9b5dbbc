package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.WorksFile;
import dev.memaudit.core.records.scan.ScanWork;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.index.build.IndexBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passages marked common (text another work or a control holds) or distinctive. */
class CommonGramsTest {
    @TempDir Path dir;

    /** {@code n} words no other text of the test has, spelled from {@code tag}. */
    static String words(String tag, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(tag).append(Integer.toString(i * 7919 % 3001, 36)).append(' ');
        }
        return b.toString();
    }

    @Test
    void aPassageTwoWorksHoldIsCommonAndOneOnlyItsWorkHoldsIsDistinctive() throws Exception {
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        String shared = "and so the river ran on past the mill and the bridge and the old town";
        String quoted = "the quality of mercy is not strained it droppeth as the gentle rain";
        String unique = words("u", 16).trim();
        // a holds all three; b holds the shared passage; the control c holds the quotation
        Files.writeString(
                corpus.resolve("a.txt"),
                words("a", 200)
                        + shared
                        + " "
                        + words("x", 50)
                        + unique
                        + " "
                        + words("y", 50)
                        + quoted
                        + " "
                        + words("z", 50));
        Files.writeString(corpus.resolve("b.txt"), words("b", 200) + shared + " " + words("v", 80));
        Files.writeString(corpus.resolve("c.txt"), words("c", 200) + quoted + " " + words("k", 80));
        Files.writeString(
                corpus.resolve("corpus.yaml"),
                "works:\n  - {id: a, path: a.txt}\n  - {id: b, path: b.txt}\n"
                        + "controls:\n  - {id: c, path: c.txt}\n");
        Path index = dir.resolve("index");
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, index, new IndexBuilder.Options(8, true, 1));
        Path outputs = dir.resolve("outputs.jsonl");
        Files.writeString(
                outputs,
                "{\"id\": \"s\", \"text\": \"q r "
                        + shared
                        + " t\"}\n"
                        + "{\"id\": \"u\", \"text\": \"q r "
                        + unique
                        + " t\"}\n"
                        + "{\"id\": \"m\", \"text\": \"q r "
                        + quoted
                        + " t\"}\n");
        BackgroundGrams bg =
                BackgroundGrams.load(BackgroundGrams.N, List.of(), List.of(corpus), m -> {});
        Path out = dir.resolve("scan");
        new ScanService(Clock.systemUTC(), m -> {}, bg)
                .scan(index, outputs, out, new ScanService.Options(12, 1, null), List.of());
        List<Span> spans =
                Records.readAll(out.resolve("spans.jsonl"), Span.class).stream()
                        .filter(s -> !s.near())
                        .toList();
        // the shared passage in a and in b: each is common, held by one other work
        List<Span> s = spans.stream().filter(x -> x.outputId().equals("s")).toList();
        assertThat(s).extracting(Span::workId).containsExactlyInAnyOrder("a", "b");
        for (Span x : s) {
            assertThat(x.common()).as(x.workId()).isTrue();
            assertThat(x.commonIn()).isEqualTo(new Span.CommonIn(1, false, 1.0));
        }
        // the unique passage: distinctive, no other source holds any of its 5-grams
        Span u = spans.stream().filter(x -> x.outputId().equals("u")).findFirst().orElseThrow();
        assertThat(u.workId()).isEqualTo("a");
        assertThat(u.common()).isFalse();
        assertThat(u.commonIn()).isEqualTo(new Span.CommonIn(0, false, 0.0));
        // the quotation, in a and in the control c (indexed, and given as --controls: one source)
        List<Span> m = spans.stream().filter(x -> x.outputId().equals("m")).toList();
        assertThat(m).extracting(Span::workId).containsExactly("a");
        assertThat(m.get(0).commonIn()).isEqualTo(new Span.CommonIn(0, true, 1.0));
        assertThat(m.get(0).common()).isTrue();

        WorksFile works = Records.read(out.resolve("works.json"), WorksFile.class);
        ScanWork a = works.works().get("a").scan();
        ScanWork b = works.works().get("b").scan();
        // a: shared and quoted common, unique distinctive; b: the shared one, common
        assertThat(a.commonPassages()).isEqualTo(2);
        assertThat(a.distinctivePassages()).isEqualTo(1);
        assertThat(b.commonPassages()).isEqualTo(1);
        assertThat(b.distinctivePassages()).isEqualTo(0);
    }

    @Test
    void withoutControlsTheControlsAreNotLookedIn() throws Exception {
        Path corpus = dir.resolve("plain");
        Files.createDirectories(corpus);
        String unique = words("u", 16).trim();
        Files.writeString(corpus.resolve("a.txt"), words("a", 100) + unique + " " + words("z", 9));
        Path index = dir.resolve("index2");
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, index, new IndexBuilder.Options(8, true, 1));
        Path outputs = dir.resolve("o.jsonl");
        Files.writeString(outputs, "{\"id\": \"u\", \"text\": \"" + unique + "\"}\n");
        Path out = dir.resolve("scan2");
        new ScanService(Clock.systemUTC(), m -> {})
                .scan(index, outputs, out, new ScanService.Options(12, 1, null), List.of());
        Span u = Records.readAll(out.resolve("spans.jsonl"), Span.class).get(0);
        assertThat(u.common()).isFalse();
        assertThat(u.commonIn()).isEqualTo(new Span.CommonIn(0, null, 0.0));
    }

    @Test
    void aTableTheHeapCannotHoldIsRefusedWithTheHeapItNeeds() throws Exception {
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        Files.writeString(corpus.resolve("a.txt"), words("a", 300));
        Path index = dir.resolve("index");
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, index, new IndexBuilder.Options(8, true, 1));
        try (NgramIndex open = NgramIndex.open(index)) {
            // the filters alone for 296 5-grams are 2 × 1,024 keys × 6 bits: 1,536 bytes
            assertThatThrownBy(() -> CommonGrams.of(open.store(), Set.of(), null, 1_000))
                    .isInstanceOf(MemauditException.class)
                    .hasMessageContaining("common-text table over 300 index words needs about")
                    .hasMessageContaining("split the index by work");
            assertThat(CommonGrams.of(open.store(), Set.of(), null, 1L << 30)).isNotNull();
        }
    }
}
