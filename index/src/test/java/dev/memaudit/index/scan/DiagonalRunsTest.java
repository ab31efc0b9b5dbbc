package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DiagonalRunsTest {
    @Test
    void agreesWithAMapOfListsThroughGrowthAndClears() {
        SplittableRandom r = new SplittableRandom(7);
        DiagonalRuns runs = new DiagonalRuns();
        Map<Long, List<int[]>> reference = new HashMap<>();
        long checks = 0;
        for (int output = 0; output < 50; output++) {
            runs.clear();
            reference.clear();
            int adds = r.nextInt(1 + r.nextInt(400));
            for (int i = 0; i < adds; i++) {
                // few distinct diagonals in some outputs, many (forcing growth) in others
                long diagonal = r.nextLong(output % 2 == 0 ? 5 : 1L << 40) - (1L << 20);
                int start = r.nextInt(1000);
                int end = start + 1 + r.nextInt(50);
                runs.add(diagonal, start, end);
                reference
                        .computeIfAbsent(diagonal, d -> new ArrayList<>())
                        .add(new int[] {start, end});
                for (int q = 0; q < 5; q++) {
                    long d = r.nextBoolean() ? diagonal : r.nextLong(8) - 4;
                    int pos = r.nextInt(1100);
                    boolean expected =
                            reference.getOrDefault(d, List.of()).stream()
                                    .anyMatch(s -> s[0] <= pos && pos < s[1]);
                    assertThat(runs.inside(d, pos))
                            .as("diagonal %d pos %d", d, pos)
                            .isEqualTo(expected);
                    checks++;
                }
            }
        }
        assertThat(checks).isGreaterThan(1000);
    }
}
