package dev.memaudit.index.scan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Counts of long passages in a work, without double counting passages that overlap. */
final class Passages {
    private Passages() {}

    /**
     * Passages of over {@code words} words, chosen without overlap in the work: longest first (then
     * earliest), each kept unless it overlaps one already kept, as bmc@k's companion count does.
     *
     * @param passages {words, work char start, work char end, near (1) or exact (0)}
     * @param withNear count near passages too (else exact spans only)
     */
    static int countOver(List<int[]> passages, int words, boolean withNear) {
        List<int[]> over = new ArrayList<>();
        for (int[] p : passages) {
            if (p[0] > words && (withNear || p[3] == 0)) {
                over.add(p);
            }
        }
        over.sort(
                Comparator.<int[]>comparingInt(p -> -p[0])
                        .thenComparingInt(p -> p[1])
                        .thenComparingInt(p -> p[2]));
        TreeMap<Integer, Integer> kept = new TreeMap<>(); // start -> end
        int count = 0;
        for (int[] p : over) {
            Map.Entry<Integer, Integer> before = kept.floorEntry(p[1]);
            if (before != null && before.getValue() > p[1]) {
                continue;
            }
            Map.Entry<Integer, Integer> after = kept.ceilingEntry(p[1]);
            if (after != null && after.getKey() < p[2]) {
                continue;
            }
            kept.put(p[1], p[2]);
            count++;
        }
        return count;
    }
}
