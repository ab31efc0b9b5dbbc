package dev.memaudit.extractor.extract;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.DecodingDistribution;
import dev.memaudit.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A lower bound on the probability that decoding a window's prefix under a scheme yields, in as
 * many tokens as the true suffix, a suffix within token edit distance ε of it: decoding-constrained
 * beam search (the idea of Cooper et al. 2026). The beam holds at most {@code beam} partial
 * suffixes, each with its probability under the scheme ({@link DecodingDistribution}, the sampler's
 * own: tokens outside top-k / top-p have probability 0) and the edit-distance row of its tokens
 * against the true suffix's prefixes. A partial suffix is dropped when no completion can end within
 * ε (its row's minimum of d[j] + |j − t|); each step every surviving partial suffix is extended by
 * its {@code beam} most probable tokens and the {@code beam} most probable children are kept, the
 * true suffix's own path always among them while it has probability. The bound is the sum of the
 * probabilities of the distinct complete suffixes found within ε: a sum over disjoint events, so a
 * lower bound whatever the beam misses, and at least verbatim p_z.
 */
public final class NearBound {
    private NearBound() {}

    /**
     * The bound of one window.
     *
     * @param logBound ln of the bound ({@code -Infinity} when no suffix within ε was found)
     * @param suffixes complete suffixes within ε found (the true one among them when p_z > 0)
     * @param expansions partial suffixes extended: model rows forwarded
     * @param budgetExhausted the budget ran out before the suffix's length: the bound counts no
     *     complete suffix then (0), which is still a lower bound
     */
    public record Result(double logBound, int suffixes, long expansions, boolean budgetExhausted) {
        public double bound() {
            return Math.exp(logBound);
        }
    }

    private record State(int[] tokens, double logP, int[] row, boolean truePath) {}

    /**
     * @param prefix the window's prefix tokens
     * @param suffix the true suffix tokens
     * @param scheme the decoding scheme
     * @param epsilon the largest token edit distance of a near suffix
     * @param beam partial suffixes kept per step
     * @param budget the most partial suffixes extended in all (model rows forwarded)
     */
    public static Result compute(
            LanguageModel model,
            int[] prefix,
            int[] suffix,
            DecodingDistribution scheme,
            int epsilon,
            int beam,
            long budget) {
        if (!model.givesLogits()) {
            throw MemauditException.usage(
                    model.describe()
                            + " gives no whole next-token distribution: the near bound needs a"
                            + " local model");
        }
        int len = suffix.length;
        int vocab = model.vocabSize();
        int[] row0 = new int[len + 1];
        for (int j = 0; j <= len; j++) {
            row0[j] = j;
        }
        List<State> states = List.of(new State(new int[0], 0.0, row0, true));
        long expansions = 0;
        for (int t = 0; t < len; t++) {
            if (expansions + states.size() > budget) {
                return new Result(Double.NEGATIVE_INFINITY, 0, expansions, true);
            }
            List<int[]> inputs = new ArrayList<>(states.size());
            for (State s : states) {
                int[] in = Arrays.copyOf(prefix, prefix.length + t);
                System.arraycopy(s.tokens, 0, in, prefix.length, t);
                inputs.add(in);
            }
            List<float[]> logits = model.nextTokenLogits(inputs);
            expansions += states.size();
            List<State> children = new ArrayList<>();
            for (int i = 0; i < states.size(); i++) {
                State s = states.get(i);
                float[] l = logits.get(i);
                DecodingDistribution.Position pos = scheme.at(l, 0, vocab);
                int[] cands = scheme.isGreedy() ? new int[] {pos.greedyToken()} : top(l, beam);
                boolean trueSeen = false;
                for (int c : cands) {
                    trueSeen |= c == suffix[t];
                    child(s, c, pos, suffix, t, epsilon, children);
                }
                if (s.truePath && !trueSeen) {
                    child(s, suffix[t], pos, suffix, t, epsilon, children);
                }
            }
            children.sort(
                    Comparator.comparingDouble((State c) -> -c.logP)
                            .thenComparing(c -> !c.truePath)
                            .thenComparing(State::tokens, Arrays::compare));
            List<State> kept =
                    new ArrayList<>(children.subList(0, Math.min(beam, children.size())));
            if (kept.stream().noneMatch(State::truePath)) {
                children.stream()
                        .filter(State::truePath)
                        .findFirst()
                        .ifPresent(
                                tp -> {
                                    if (kept.size() == beam) {
                                        kept.remove(kept.size() - 1);
                                    }
                                    kept.add(tp);
                                });
            }
            states = kept;
            if (states.isEmpty()) {
                break;
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        int found = 0;
        for (State s : states) {
            if (s.tokens.length == len && s.row[len] <= epsilon) {
                found++;
                max = Math.max(max, s.logP);
            }
        }
        if (found == 0) {
            return new Result(Double.NEGATIVE_INFINITY, 0, expansions, false);
        }
        double sum = 0;
        for (State s : states) {
            if (s.tokens.length == len && s.row[len] <= epsilon) {
                sum += Math.exp(s.logP - max);
            }
        }
        return new Result(max + Math.log(sum), found, expansions, false);
    }

    /** Extends {@code s} by token {@code c} if the scheme keeps it and ε can still be met. */
    private static void child(
            State s,
            int c,
            DecodingDistribution.Position pos,
            int[] suffix,
            int t,
            int epsilon,
            List<State> out) {
        double lp = pos.logProb(c);
        if (lp == Double.NEGATIVE_INFINITY) {
            return;
        }
        int len = suffix.length;
        int[] row = new int[len + 1];
        row[0] = t + 1;
        int reach = row[0] + Math.abs(0 - (t + 1));
        for (int j = 1; j <= len; j++) {
            int sub = s.row[j - 1] + (suffix[j - 1] == c ? 0 : 1);
            row[j] = Math.min(sub, Math.min(s.row[j] + 1, row[j - 1] + 1));
            reach = Math.min(reach, row[j] + Math.abs(j - (t + 1)));
        }
        if (reach > epsilon) {
            return;
        }
        int[] tokens = Arrays.copyOf(s.tokens, t + 1);
        tokens[t] = c;
        out.add(new State(tokens, s.logP + lp, row, s.truePath && c == suffix[t]));
    }

    /** The {@code k} tokens with the highest logits, ties to the lower id. */
    static int[] top(float[] logits, int k) {
        int n = Math.min(k, logits.length);
        int[] best = new int[n];
        int size = 0;
        for (int id = 0; id < logits.length; id++) {
            float x = logits[id];
            if (size == n && !(x > logits[best[size - 1]])) {
                continue;
            }
            int at = size == n ? n - 1 : size++;
            while (at > 0 && x > logits[best[at - 1]]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = id;
        }
        return best;
    }
}
