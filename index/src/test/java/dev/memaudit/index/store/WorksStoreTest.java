package dev.memaudit.index.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.text.WordNormalizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorksStoreTest {
    private static final byte[] UID = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir Path dir;

    private void write(String... texts) throws Exception {
        try (Directory d = FSDirectory.open(dir);
                WorksStoreWriter w = new WorksStoreWriter(d, "works-1.dat", UID, "1")) {
            for (int i = 0; i < texts.length; i++) {
                String t = texts[i];
                w.add(
                        new StoreRecord(
                                "w" + i,
                                t.getBytes(StandardCharsets.UTF_8),
                                t.codePointCount(0, t.length()),
                                WordNormalizer.normalize(t)));
            }
            w.finish();
        }
    }

    @Test
    void roundTripKeepsTextsWordsAndOffsets() throws Exception {
        String a = "Zoë’s 🚢 ferry — left at dawn.";
        String b = "A second\r\nwork, with a hyphen-\nated word.";
        write(a, b);
        try (Directory d = FSDirectory.open(dir);
                WorksStore s = WorksStore.open(d, "works-1.dat", UID, "1")) {
            assertThat(s.size()).isEqualTo(2);
            assertThat(s.text(0)).isEqualTo(a);
            assertThat(s.text(1)).isEqualTo(b);
            assertThat(s.ordinal("w1")).isEqualTo(1);
            assertThat(s.ordinal("nope")).isEqualTo(-1);
            var wa = WordNormalizer.normalize(a);
            assertThat(s.words(0)).isEqualTo(wa.size());
            assertThat(s.base(1)).isEqualTo(wa.size());
            assertThat(s.ordinalOf(s.base(1))).isEqualTo(1);
            assertThat(s.ordinalOf(s.base(1) - 1)).isZero();
            HashReader hashes = s.hashReader();
            assertThat(s.hashes(0)).containsExactly(Arrays.copyOf(wa.hashes(), wa.size()));
            for (int i = 0; i < wa.size(); i++) {
                assertThat(hashes.at(i)).isEqualTo(wa.hashes()[i]);
                assertThat(s.start(i)).isEqualTo(wa.starts()[i]);
                assertThat(s.end(i)).isEqualTo(wa.ends()[i]);
            }
            var wb = WordNormalizer.normalize(b);
            assertThat(s.hashes(1, 2, 3)).containsExactly(Arrays.copyOfRange(wb.hashes(), 2, 5));
            // the reader follows reads from one work to another, in either direction
            for (int i = wb.size() - 1; i >= 0; i--) {
                assertThat(hashes.at(s.base(1) + i)).isEqualTo(wb.hashes()[i]);
                assertThat(hashes.at(i % wa.size())).isEqualTo(wa.hashes()[i % wa.size()]);
            }
            assertThatThrownBy(() -> hashes.at(s.totalWords()))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> hashes.at(-1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> s.hashes(1, wb.size() - 1, 2))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            for (int i = 0; i < wb.size(); i++) {
                assertThat(s.start(s.base(1) + i)).isEqualTo(wb.starts()[i]);
                assertThat(s.end(s.base(1) + i)).isEqualTo(wb.ends()[i]);
            }
            assertThat(s.starts(1)).containsExactly(Arrays.copyOf(wb.starts(), wb.size()));
            assertThat(s.ends(1)).containsExactly(Arrays.copyOf(wb.ends(), wb.size()));
            assertThatThrownBy(() -> s.start(s.totalWords()))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(s.codePoints(0)).isEqualTo(a.codePointCount(0, a.length()));
        }
    }

    @Test
    void hashReaderAnswersEveryWordOfWorksLongerThanItsWindowInAnyOrder() throws Exception {
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < 3 * HashReader.WINDOW + 7; i++) {
            a.append("w").append(i).append(' ');
        }
        String b = "short work between";
        String c = a.toString().replace('w', 'v');
        write(a.toString(), b, "", c);
        try (Directory d = FSDirectory.open(dir);
                WorksStore s = WorksStore.open(d, "works-1.dat", UID, "1")) {
            long[] all = new long[s.totalWords()];
            int at = 0;
            for (String t : new String[] {a.toString(), b, "", c}) {
                var w = WordNormalizer.normalize(t);
                System.arraycopy(w.hashes(), 0, all, at, w.size());
                at += w.size();
            }
            assertThat(at).isEqualTo(s.totalWords());
            HashReader r = s.hashReader();
            for (int g = all.length - 1; g >= 0; g--) {
                assertThat(r.at(g)).as("word %d backward", g).isEqualTo(all[g]);
            }
            for (int g = 0; g < all.length; g++) {
                assertThat(r.at(g)).as("word %d forward", g).isEqualTo(all[g]);
            }
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
            for (int k = 0; k < 5_000; k++) {
                int g = rnd.nextInt(all.length);
                assertThat(r.at(g)).as("word %d at random", g).isEqualTo(all[g]);
            }
        }
    }

    @Test
    void startsEndsHashesAndTextsReadFromSeveralThreadsAtOnceAreEachThreadsOwn() throws Exception {
        // the store answers these reads through one mapped-file clone per thread: threads that
        // read at the same time, each in its own order, must never see another's position
        String[] texts = new String[6];
        for (int t = 0; t < texts.length; t++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 400 + 97 * t; i++) {
                b.append(i % 7 == 0 ? "Zoë’s" : "w" + t + "x" + i).append(i % 11 == 0 ? "\n" : " ");
            }
            texts[t] = b.toString();
        }
        write(texts);
        try (Directory d = FSDirectory.open(dir);
                WorksStore s = WorksStore.open(d, "works-1.dat", UID, "1")) {
            var words = new dev.memaudit.core.text.NormalizedWords[texts.length];
            for (int t = 0; t < texts.length; t++) {
                words[t] = WordNormalizer.normalize(texts[t]);
            }
            java.util.concurrent.ExecutorService pool =
                    java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.List<java.util.concurrent.Future<Integer>> checked =
                        new java.util.ArrayList<>();
                for (int th = 0; th < 4; th++) {
                    long seed = th;
                    checked.add(
                            pool.submit(
                                    () -> {
                                        java.util.SplittableRandom rnd =
                                                new java.util.SplittableRandom(seed);
                                        int n = 0;
                                        for (int k = 0; k < 20_000; k++) {
                                            int w = rnd.nextInt(texts.length);
                                            int i = rnd.nextInt(words[w].size());
                                            int g = s.base(w) + i;
                                            if (s.start(g) != words[w].starts()[i]
                                                    || s.end(g) != words[w].ends()[i]
                                                    || s.hashes(w, i, 1)[0]
                                                            != words[w].hashes()[i]) {
                                                throw new AssertionError(
                                                        "word " + i + " of work " + w);
                                            }
                                            if (k % 500 == 0 && !s.text(w).equals(texts[w])) {
                                                throw new AssertionError("text of work " + w);
                                            }
                                            n++;
                                        }
                                        return n;
                                    }));
                }
                for (var f : checked) {
                    assertThat(f.get()).isEqualTo(20_000);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void anyFlippedByteIsAnIntegrityFailure() throws Exception {
        write("one two three four five six seven eight nine ten");
        Path f = dir.resolve("works-1.dat");
        byte[] bytes = Files.readAllBytes(f);
        for (int at : new int[] {3, bytes.length / 2, bytes.length - 20, bytes.length - 1}) {
            byte[] bad = bytes.clone();
            bad[at] ^= 0x10;
            Files.write(f, bad);
            try (Directory d = FSDirectory.open(dir)) {
                assertThatThrownBy(() -> WorksStore.open(d, "works-1.dat", UID, "1"))
                        .as("flipped byte at " + at)
                        .isInstanceOfSatisfying(
                                MemauditException.class,
                                e -> assertThat(e.category()).isEqualTo(ExitCategory.INTEGRITY))
                        .hasMessageContaining("works-1.dat");
            }
        }
    }

    @Test
    void aStoreOfAnotherIndexOrGenerationIsRefused() throws Exception {
        write("one two three");
        try (Directory d = FSDirectory.open(dir)) {
            assertThatThrownBy(
                            () ->
                                    WorksStore.open(
                                            d,
                                            "works-1.dat",
                                            "fedcba9876543210".getBytes(StandardCharsets.US_ASCII),
                                            "1"))
                    .isInstanceOf(MemauditException.class);
            assertThatThrownBy(() -> WorksStore.open(d, "works-1.dat", UID, "2"))
                    .isInstanceOf(MemauditException.class);
        }
    }
}
