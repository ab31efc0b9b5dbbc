package dev.memaudit.model.canary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TrainingStreamTest {
    private static final int EOT = 99;

    /** A work of {@code n} tokens all equal to {@code id}, so a window shows whose it is. */
    private static int[] work(int id, int n) {
        int[] t = new int[n];
        Arrays.fill(t, id);
        return t;
    }

    @Test
    void memberCopiesAreMixedIntoTheBackgroundByDoseAndTheirStepsAreRecorded() {
        List<int[]> pieces = new ArrayList<>();
        for (int p = 0; p < 200; p++) {
            pieces.add(work(0, 50));
        }
        Map<String, int[]> tokens = Map.of("a", work(1, 30), "b", work(2, 30), "c", work(3, 30));
        Map<String, Integer> doses = Map.of("a", 1, "b", 4, "c", 16);
        TrainingStream s = TrainingStream.mixed(pieces, doses, tokens, EOT, 16, new Random(5));

        // every token of the stream is in exactly one window (stride = len), so each work's
        // tokens appear dose × length times, whatever the positions
        int[] count = new int[4];
        for (int[] w : s.windows) {
            assertThat(w).hasSize(17);
            for (int i = 0; i < 16; i++) {
                if (w[i] != EOT) {
                    count[w[i]]++;
                }
            }
        }
        assertThat(count[1]).isBetween(30 - 16, 30);
        assertThat(count[2]).isBetween(4 * 30 - 16, 4 * 30);
        assertThat(count[3]).isBetween(16 * 30 - 16, 16 * 30);

        // windowWorks says exactly which works a window holds
        for (int i = 0; i < s.windows.size(); i++) {
            TreeSet<String> inWindow = new TreeSet<>();
            for (int t : s.windows.get(i)) {
                if (t >= 1 && t <= 3) {
                    inWindow.add(String.valueOf((char) ('a' + t - 1)));
                }
            }
            TreeSet<String> said = new TreeSet<>();
            for (int w : s.windowWorks.get(i)) {
                said.add(s.works.get(w));
            }
            assertThat(said).as("window %d", i).containsAll(inWindow);
        }

        // copies are spread over the run: the dose-16 work is seen in both halves of it
        int batch = 4;
        Map<String, TreeSet<Integer>> seen = s.newSeenMap();
        for (int step = 0; step * batch < s.windows.size(); step++) {
            int[] idx = new int[Math.min(batch, s.windows.size() - step * batch)];
            for (int r = 0; r < idx.length; r++) {
                idx[r] = step * batch + r;
            }
            s.seen(step + 1, idx, seen);
        }
        int steps = (s.windows.size() + batch - 1) / batch;
        assertThat(seen.get("c").first()).isLessThan(steps / 2);
        assertThat(seen.get("c").last()).isGreaterThan(steps / 2);
        assertThat(seen.get("a").size()).isLessThan(seen.get("c").size());
    }

    @Test
    void theSameSeedGivesTheSameStreamAndAnotherSeedAnother() {
        List<int[]> pieces = new ArrayList<>();
        for (int p = 0; p < 50; p++) {
            pieces.add(work(0, 40));
        }
        Map<String, int[]> tokens = new TreeMap<>(Map.of("a", work(1, 30)));
        Map<String, Integer> doses = Map.of("a", 8);
        TrainingStream x = TrainingStream.mixed(pieces, doses, tokens, EOT, 16, new Random(1));
        TrainingStream y = TrainingStream.mixed(pieces, doses, tokens, EOT, 16, new Random(1));
        TrainingStream z = TrainingStream.mixed(pieces, doses, tokens, EOT, 16, new Random(2));
        assertThat(x.windows).usingRecursiveComparison().isEqualTo(y.windows);
        assertThat(x.windows).usingRecursiveComparison().isNotEqualTo(z.windows);
    }

    @Test
    void membersAloneAreRepeatedByTheirOwnDoses() {
        Map<String, int[]> tokens = Map.of("a", work(1, 40), "b", work(2, 40));
        TrainingStream s =
                TrainingStream.membersOnly(Map.of("a", 2, "b", 6), tokens, EOT, 8, new Random(3));
        int[] count = new int[3];
        for (int[] w : s.windows) {
            for (int i = 0; i < 8; i++) {
                if (w[i] != EOT) {
                    count[w[i]]++;
                }
            }
        }
        assertThat(count[1] + count[2]).isGreaterThan(8 * 40 - 8 * 2);
        assertThat(count[2]).isBetween(3 * count[1] - 16, 3 * count[1] + 16);
    }
}
