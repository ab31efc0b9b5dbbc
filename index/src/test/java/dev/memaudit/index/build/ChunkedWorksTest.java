package dev.memaudit.index.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.scan.SpanFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large works are indexed as several Lucene documents; with a tiny document size, every span must
 * still be found at the same place as with one document per work, and replacing a changed work must
 * replace all of its documents.
 */
class ChunkedWorksTest {
    @TempDir Path dir;

    @Test
    void splittingWorksIntoDocumentsChangesNoSpan() throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        List<String> works = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            StringBuilder sb = new StringBuilder();
            String refrain = "and so the river ran on past the mill and the old stone bridge";
            for (int i = 0; i < 2000; i++) {
                sb.append("w")
                        .append(r.nextInt(300))
                        .append(i % 97 == 0 ? ". " + refrain + ". " : " ");
            }
            works.add(sb.toString());
            Files.writeString(corpus.resolve("work" + w + ".txt"), sb);
        }
        List<String> outputs = new ArrayList<>();
        for (int o = 0; o < 20; o++) {
            String src = works.get(r.nextInt(works.size()));
            int from = src.indexOf(' ', r.nextInt(src.length() - 600)) + 1;
            outputs.add(
                    "fresh words here "
                            + src.substring(from, src.indexOf(' ', from + 300))
                            + " and more");
        }
        IndexBuilder.Options options = new IndexBuilder.Options(8, true, 2);
        new IndexBuilder(Clock.systemUTC(), m -> {}).build(corpus, dir.resolve("whole"), options);
        new IndexBuilder(Clock.systemUTC(), m -> {}, 7)
                .build(corpus, dir.resolve("chunked"), options);
        assertThat(runs(dir.resolve("chunked"), outputs))
                .isEqualTo(runs(dir.resolve("whole"), outputs));

        // a changed work replaces every one of its documents
        Files.writeString(corpus.resolve("work0.txt"), "a completely different text now");
        new IndexBuilder(Clock.systemUTC(), m -> {}, 7)
                .build(corpus, dir.resolve("chunked"), options);
        new IndexBuilder(Clock.systemUTC(), m -> {}).build(corpus, dir.resolve("whole"), options);
        assertThat(runs(dir.resolve("chunked"), outputs))
                .isEqualTo(runs(dir.resolve("whole"), outputs));
    }

    @Test
    void worksIndexedOneAtATimeGiveTheSameIndex() throws Exception {
        // an in-flight budget of one byte: every work waits until the one before is written,
        // as a work larger than the budget does
        SplittableRandom r = new SplittableRandom(5);
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        List<String> outputs = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                sb.append("w").append(r.nextInt(500)).append(' ');
            }
            Files.writeString(corpus.resolve("work" + w + ".txt"), sb);
            int from = sb.indexOf(" ", 1000) + 1;
            outputs.add("new words " + sb.substring(from, sb.indexOf(" ", from + 400)) + " end");
        }
        IndexBuilder.Options options = new IndexBuilder.Options(8, true, 2);
        new IndexBuilder(Clock.systemUTC(), m -> {}).build(corpus, dir.resolve("usual"), options);
        new IndexBuilder(Clock.systemUTC(), m -> {}, IndexBuilder.CHUNK_GRAMS, 1)
                .build(corpus, dir.resolve("alone"), options);
        assertThat(runs(dir.resolve("alone"), outputs))
                .isEqualTo(runs(dir.resolve("usual"), outputs));
        try (NgramIndex usual = NgramIndex.open(dir.resolve("usual"));
                NgramIndex alone = NgramIndex.open(dir.resolve("alone"))) {
            assertThat(alone.manifest().works()).isEqualTo(usual.manifest().works());
        }
    }

    private static List<List<Integer>> runs(Path index, List<String> outputs) throws Exception {
        List<List<Integer>> all = new ArrayList<>();
        try (NgramIndex idx = NgramIndex.open(index)) {
            SpanFinder finder =
                    new SpanFinder(
                            idx.store(),
                            8,
                            12,
                            SpanFinder.Seeding.RARITY,
                            idx.newLookup(),
                            idx.grams().bloom(),
                            idx.grams().hot());
            for (String o : outputs) {
                for (SpanFinder.Run run : finder.find(WordNormalizer.normalize(o))) {
                    all.add(
                            List.of(
                                    run.outStart(),
                                    run.outEnd(),
                                    run.ordinal(),
                                    run.globalStart()));
                }
            }
        }
        assertThat(all).isNotEmpty();
        return all;
    }
}
