package dev.memaudit.extractor.extract;

import dev.memaudit.core.error.MemauditException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Which windows of a work get decoding attempts ({@code --attempt-windows}), decided per work from
 * the teacher-forced records:
 *
 * <ul>
 *   <li>{@code all}: every window;
 *   <li>{@code top:K}: the K windows with the highest p_z under the attempt scheme (ties: lower
 *       window index first);
 *   <li>{@code random:K}: K windows drawn uniformly without replacement with a generator seeded by
 *       the run seed and the work id (a calibration sample that does not favour likely windows).
 * </ul>
 *
 * @param mode the rule
 * @param count K (unused for {@code all})
 */
public record AttemptSelection(Mode mode, int count) {
    /** The rule. */
    public enum Mode {
        ALL,
        TOP,
        RANDOM
    }

    /** Parses {@code all}, {@code top:K} or {@code random:K}. */
    public static AttemptSelection parse(String spec) {
        String s = spec.trim();
        if (s.equals("all")) {
            return new AttemptSelection(Mode.ALL, 0);
        }
        int colon = s.indexOf(':');
        if (colon > 0) {
            String head = s.substring(0, colon);
            try {
                int k = Integer.parseInt(s.substring(colon + 1));
                if (k >= 1 && (head.equals("top") || head.equals("random"))) {
                    return new AttemptSelection(head.equals("top") ? Mode.TOP : Mode.RANDOM, k);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw MemauditException.usage(
                "attempt windows must be all, top:K or random:K with K ≥ 1, got " + spec);
    }

    @Override
    public String toString() {
        return switch (mode) {
            case ALL -> "all";
            case TOP -> "top:" + count;
            case RANDOM -> "random:" + count;
        };
    }

    /**
     * The chosen window indexes, ascending.
     *
     * @param windows window indexes of the work
     * @param logPz ln p_z under the attempt scheme, parallel to {@code windows} (−∞ for 0)
     */
    public List<Integer> choose(List<Integer> windows, double[] logPz, long seed, String workId) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            order.add(i);
        }
        TreeSet<Integer> chosen = new TreeSet<>();
        switch (mode) {
            case ALL -> chosen.addAll(windows);
            case TOP -> {
                order.sort(
                        Comparator.<Integer>comparingDouble(i -> -logPz[i])
                                .thenComparing(windows::get));
                for (int i = 0; i < Math.min(count, order.size()); i++) {
                    chosen.add(windows.get(order.get(i)));
                }
            }
            case RANDOM -> {
                SplittableRandom r =
                        new SplittableRandom(seed ^ (workId.hashCode() * 0x9E3779B97F4A7C15L));
                for (int i = order.size() - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    Integer t = order.get(i);
                    order.set(i, order.get(j));
                    order.set(j, t);
                }
                for (int i = 0; i < Math.min(count, order.size()); i++) {
                    chosen.add(windows.get(order.get(i)));
                }
            }
        }
        return new ArrayList<>(chosen);
    }
}
