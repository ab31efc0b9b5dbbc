package dev.memaudit.model.canary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The token stream a canary is trained on, cut into windows, and which work's tokens each window
 * holds.
 *
 * <p>With background text ({@link #mixed}): the documents are the background pieces and {@code
 * dose} copies of each member work, each followed by the end-of-text token; they are shuffled with
 * the seed and concatenated, so member copies sit at random positions spread over the whole run,
 * packed like any document; the stream is cut into windows of {@code len + 1} tokens (stride {@code
 * len}) taken in stream order, so a copy is seen over consecutive steps as a document of a real
 * corpus would be.
 *
 * <p>Members alone ({@link #membersOnly}): for each repetition {@code r}, the members of dose above
 * {@code r} in a seeded random order; the windows are shuffled (the canaries trained before
 * background text existed).
 */
final class TrainingStream {
    /** Token windows in training order for the first pass. */
    final List<int[]> windows;

    /** Per window, the indexes (into {@link #works}) of the works whose tokens it holds. */
    final List<int[]> windowWorks;

    /** Member work ids, indexed as in {@link #windowWorks}. */
    final List<String> works;

    private TrainingStream(List<int[]> windows, List<int[]> windowWorks, List<String> works) {
        this.windows = windows;
        this.windowWorks = windowWorks;
        this.works = works;
    }

    /**
     * Background pieces and member copies, shuffled and packed.
     *
     * @param pieces background token pieces (without end-of-text), in any order
     * @param doses members by id (dose ≥ 1), iterated in id order
     * @param tokens member tokens by id
     */
    static TrainingStream mixed(
            List<int[]> pieces,
            Map<String, Integer> doses,
            Map<String, int[]> tokens,
            int eot,
            int len,
            Random rng) {
        return mixed(pieces, doses, tokens, Map.of(), eot, len, rng);
    }

    /**
     * Like {@link #mixed(List, Map, Map, int, int, Random)}, with the copies of some members
     * replaced: the documents are shuffled exactly as with every copy present, and copy {@code c}
     * of a work in {@code fillers} is laid down as {@code fillers.get(id)[c]} (background tokens of
     * the same length) instead, owned by no work. Every window that holds none of those copies is
     * therefore the same window, at the same position, as without replacement.
     */
    static TrainingStream mixed(
            List<int[]> pieces,
            Map<String, Integer> doses,
            Map<String, int[]> tokens,
            Map<String, int[][]> fillers,
            int eot,
            int len,
            Random rng) {
        List<String> ids = new ArrayList<>(new TreeSet<>(doses.keySet()));
        // a document: -1 - piece index for background, else the work's index
        List<Integer> docs = new ArrayList<>();
        for (int p = 0; p < pieces.size(); p++) {
            docs.add(-1 - p);
        }
        for (int w = 0; w < ids.size(); w++) {
            for (int c = 0; c < doses.get(ids.get(w)); c++) {
                docs.add(w);
            }
        }
        Collections.shuffle(docs, rng);
        long total = 0;
        for (int d : docs) {
            total += (d < 0 ? pieces.get(-1 - d).length : tokens.get(ids.get(d)).length) + 1;
        }
        int n = Math.toIntExact(total);
        int[] stream = new int[n];
        int[] owner = new int[n];
        int at = 0;
        int[] copy = new int[ids.size()];
        for (int d : docs) {
            int[] t = d < 0 ? pieces.get(-1 - d) : tokens.get(ids.get(d));
            int by = d;
            if (d >= 0 && fillers.containsKey(ids.get(d))) {
                t = fillers.get(ids.get(d))[copy[d]++];
                if (t.length != tokens.get(ids.get(d)).length) {
                    throw new IllegalArgumentException("a filler must be as long as the work");
                }
                by = -1;
            }
            System.arraycopy(t, 0, stream, at, t.length);
            Arrays.fill(owner, at, at + t.length + 1, by < 0 ? -1 : by);
            at += t.length;
            stream[at++] = eot;
        }
        return cut(stream, owner, len, ids, null);
    }

    /** Members alone, repeated by dose, windows shuffled. */
    static TrainingStream membersOnly(
            Map<String, Integer> doses, Map<String, int[]> tokens, int eot, int len, Random rng) {
        List<String> ids = new ArrayList<>(new TreeSet<>(doses.keySet()));
        long total = 0;
        int maxDose = 0;
        for (String id : ids) {
            total += (long) (tokens.get(id).length + 1) * doses.get(id);
            maxDose = Math.max(maxDose, doses.get(id));
        }
        int[] stream = new int[Math.toIntExact(total)];
        int[] owner = new int[stream.length];
        int at = 0;
        List<Integer> order = new ArrayList<>();
        for (int w = 0; w < ids.size(); w++) {
            order.add(w);
        }
        for (int r = 0; r < maxDose; r++) {
            // shuffled in place each repetition (with equal doses, the order earlier trainers used)
            Collections.shuffle(order, rng);
            for (int w : order) {
                if (doses.get(ids.get(w)) <= r) {
                    continue;
                }
                int[] t = tokens.get(ids.get(w));
                System.arraycopy(t, 0, stream, at, t.length);
                Arrays.fill(owner, at, at + t.length + 1, w);
                at += t.length;
                stream[at++] = eot;
            }
        }
        return cut(stream, owner, len, ids, rng);
    }

    private static TrainingStream cut(
            int[] stream, int[] owner, int len, List<String> ids, Random shuffle) {
        List<int[]> windows = new ArrayList<>();
        List<int[]> windowWorks = new ArrayList<>();
        TreeSet<Integer> held = new TreeSet<>();
        for (int start = 0; start + len + 1 <= stream.length; start += len) {
            windows.add(Arrays.copyOfRange(stream, start, start + len + 1));
            held.clear();
            for (int i = start; i <= start + len; i++) {
                if (owner[i] >= 0) {
                    held.add(owner[i]);
                }
            }
            windowWorks.add(held.stream().mapToInt(Integer::intValue).toArray());
        }
        if (shuffle != null) {
            // one permutation for both lists (a shuffle's permutation depends only on the size)
            List<Integer> perm = new ArrayList<>();
            for (int i = 0; i < windows.size(); i++) {
                perm.add(i);
            }
            Collections.shuffle(perm, shuffle);
            List<int[]> w = new ArrayList<>(perm.size());
            List<int[]> ww = new ArrayList<>(perm.size());
            for (int i : perm) {
                w.add(windows.get(i));
                ww.add(windowWorks.get(i));
            }
            windows = w;
            windowWorks = ww;
        }
        return new TrainingStream(windows, windowWorks, List.copyOf(ids));
    }

    /**
     * Records the works one step's windows held.
     *
     * @param step the 1-based step
     * @param windowIndexes indexes into {@link #windows} of the step's batch
     */
    void seen(int step, int[] windowIndexes, Map<String, TreeSet<Integer>> seenAt) {
        for (int w : windowIndexes) {
            for (int work : windowWorks.get(w)) {
                seenAt.computeIfAbsent(works.get(work), k -> new TreeSet<>()).add(step);
            }
        }
    }

    /** An empty map of works to the steps they were seen at, with every member present. */
    Map<String, TreeSet<Integer>> newSeenMap() {
        Map<String, TreeSet<Integer>> m = new TreeMap<>();
        for (String id : works) {
            m.put(id, new TreeSet<>());
        }
        return m;
    }
}
