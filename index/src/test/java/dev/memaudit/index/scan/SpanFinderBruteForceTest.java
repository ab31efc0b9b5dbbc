package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.store.WorksStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares the scan's runs with a brute-force enumeration of every maximal shared run of at least
 * minWords words, on every diagonal, over a corpus built to be hostile: a small vocabulary, a stock
 * phrase repeated hundreds of times (hot grams), refrains repeated inside works and passages quoted
 * across works.
 */
class SpanFinderBruteForceTest {
    private static final long SEED = 20261125L;

    @TempDir static Path dir;
    static NgramIndex index;
    static List<String> outputs = new ArrayList<>();

    @BeforeAll
    static void buildCorpus() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED);
        String[] vocab = new String[40];
        for (int i = 0; i < vocab.length; i++) {
            vocab[i] = "w" + Integer.toString(i, 36) + (i % 3 == 0 ? "x" : "");
        }
        String stock = "the same old stock phrase that everyone keeps on using";
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        List<String> works = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            StringBuilder sb = new StringBuilder();
            String refrain = words(r, vocab, 15 + r.nextInt(20));
            for (int i = 0; i < 1500; i++) {
                sb.append(vocab[r.nextInt(vocab.length)]).append(' ');
                int roll = r.nextInt(100);
                if (roll < 3) {
                    sb.append(stock).append(' ');
                } else if (roll == 3) {
                    sb.append(refrain).append(' ');
                } else if (roll == 4 && !works.isEmpty()) {
                    String src = works.get(r.nextInt(works.size()));
                    int from = src.indexOf(' ', r.nextInt(src.length() - 400)) + 1;
                    sb.append(src, from, src.indexOf(' ', from + 100 + r.nextInt(200))).append(' ');
                }
            }
            works.add(sb.toString());
            Files.writeString(corpus.resolve("work" + w + ".txt"), sb);
        }
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, dir.resolve("index"), new IndexBuilder.Options(8, true, 2));
        index = NgramIndex.open(dir.resolve("index"));
        for (int o = 0; o < 40; o++) {
            StringBuilder sb = new StringBuilder();
            for (int part = 0; part < 6; part++) {
                if (r.nextBoolean()) {
                    String src = works.get(r.nextInt(works.size()));
                    int from = src.indexOf(' ', r.nextInt(src.length() - 400)) + 1;
                    // upper-cased and re-punctuated copies must match too
                    String copy = src.substring(from, src.indexOf(' ', from + 20 + r.nextInt(250)));
                    sb.append(r.nextBoolean() ? copy : copy.toUpperCase().replace(" ", ", "));
                } else {
                    sb.append(r.nextInt(4) == 0 ? stock : words(r, vocab, 5 + r.nextInt(30)));
                }
                sb.append(". ");
            }
            outputs.add(sb.toString());
        }
    }

    @AfterAll
    static void close() throws Exception {
        index.close();
    }

    private static String words(SplittableRandom r, String[] vocab, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(vocab[r.nextInt(vocab.length)]);
        }
        return sb.toString();
    }

    @Test
    void rarityAndStrideSeedingFindExactlyTheBruteForceRuns() {
        WorksStore store = index.store();
        assertThat(index.grams().hot().size()).as("the stock phrase makes hot grams").isPositive();
        for (int minWords : new int[] {8, 12, 20}) {
            SpanFinder rarity =
                    new SpanFinder(
                            store,
                            8,
                            minWords,
                            SpanFinder.Seeding.RARITY,
                            index.newLookup(),
                            index.grams().bloom(),
                            index.grams().hot());
            SpanFinder stride =
                    new SpanFinder(
                            store,
                            8,
                            minWords,
                            SpanFinder.Seeding.STRIDE,
                            index.newLookup(),
                            null,
                            null);
            long total = 0;
            for (String text : outputs) {
                NormalizedWords words = WordNormalizer.normalize(text);
                Set<List<Integer>> expected = bruteForce(store, words, minWords);
                assertThat(asSet(rarity.find(words))).isEqualTo(expected);
                assertThat(asSet(stride.find(words))).isEqualTo(expected);
                total += expected.size();
            }
            assertThat(total).as("runs at min-words " + minWords).isGreaterThan(40);
        }
    }

    private static Set<List<Integer>> asSet(List<SpanFinder.Run> runs) {
        Set<List<Integer>> set = new HashSet<>();
        for (SpanFinder.Run r : runs) {
            assertThat(set.add(List.of(r.outStart(), r.outEnd(), r.globalStart())))
                    .as("run reported twice: " + r)
                    .isTrue();
        }
        return set;
    }

    /** Every left-maximal match on every diagonal, extended right inside its work. */
    private static Set<List<Integer>> bruteForce(
            WorksStore store, NormalizedWords out, int minWords) {
        long[] h = new long[store.totalWords()];
        for (int w = 0; w < store.size(); w++) {
            long[] wh = store.hashes(w);
            System.arraycopy(wh, 0, h, store.base(w), wh.length);
        }
        long[] o = out.hashes();
        Set<List<Integer>> runs = new HashSet<>();
        for (int w = 0; w < store.size(); w++) {
            int lo = store.base(w);
            int hi = store.base(w + 1);
            for (int i = 0; i < out.size(); i++) {
                for (int g = lo; g < hi; g++) {
                    if (o[i] != h[g] || (i > 0 && g > lo && o[i - 1] == h[g - 1])) {
                        continue;
                    }
                    int len = 0;
                    while (i + len < out.size() && g + len < hi && o[i + len] == h[g + len]) {
                        len++;
                    }
                    if (len >= minWords) {
                        runs.add(List.of(i, i + len, g));
                    }
                }
            }
        }
        return runs;
    }
}
