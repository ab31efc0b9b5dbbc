package dev.memaudit.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.testing.FixedLogitsModel;
import dev.memaudit.stats.ClopperPearson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * p_z, as the runtime scores it, against what the runtime's sampler does, on a real model whose
 * logits hold exact ties and 1-ulp near-ties ({@link FixedLogitsModel}).
 */
class DecodingSemanticsTest {
    private static final int PREFIX_TOKEN = 0;

    @Test
    void theModelsLogitsAreTheGivenOnesInBothPaths() {
        float[] logits = FixedLogitsModel.TIES;
        try (DjlLanguageModel m = FixedLogitsModel.of(logits, 16)) {
            int[] seq = {0, 3, 7, 12, 1};
            List<float[]> rows = new ArrayList<>(List.of(m.fullLogits(seq)));
            rows.addAll(List.of(m.incrementalLogits(seq, 2)));
            for (float[] row : rows) {
                for (int i = 0; i < logits.length; i++) {
                    // == : the model computes -0.0 as +0.0, an equal logit
                    assertThat(row[i] == logits[i]).as("logit %d: %s", i, row[i]).isTrue();
                }
            }
        }
    }

    /** ln p_z of every two-token suffix after the prefix, from one teacher-forced pass each. */
    private static Map<Long, Double> logPz(LanguageModel m, GenerationSettings scheme, int v) {
        List<int[]> seqs = new ArrayList<>();
        for (int a = 0; a < v; a++) {
            for (int b = 0; b < v; b++) {
                seqs.add(new int[] {PREFIX_TOKEN, a, b});
            }
        }
        List<ScoredSequence> scored = m.score(seqs, false, scheme);
        Map<Long, Double> out = new HashMap<>();
        for (ScoredSequence s : scored) {
            float[] d = s.schemeLogprobs();
            out.put(key(s.tokenIds()[1], s.tokenIds()[2]), (double) d[1] + d[2]);
        }
        return out;
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | b;
    }

    @Test
    void pzEqualsTheSamplersFrequencyOfReproducingTheSuffix() {
        // the ties model with seven schemes, and three equal logits where a float32 top-p sum
        // would cut one token early
        Object[][] cases = {
            {FixedLogitsModel.TIES, new GenerationSettings(2, 1, 0, 1, 11, false)},
            {FixedLogitsModel.TIES, new GenerationSettings(2, 0.7, 0, 1, 12, false)},
            {FixedLogitsModel.TIES, new GenerationSettings(2, 1, 4, 1, 13, false)},
            {FixedLogitsModel.TIES, new GenerationSettings(2, 1, 7, 1, 14, false)},
            {FixedLogitsModel.TIES, new GenerationSettings(2, 1, 0, 0.5, 15, false)},
            {FixedLogitsModel.TIES, new GenerationSettings(2, 0.8, 6, 0.9, 16, false)},
            {
                new float[] {0f, 0f, 0f, -40f, -40f},
                new GenerationSettings(2, 1, 0, 0.66666668, 17, false)
            }
        };
        int rows = 20_000;
        int suffixes = 0;
        for (Object[] c : cases) {
            suffixes += ((float[]) c[0]).length * ((float[]) c[0]).length;
        }
        // every suffix of every case is one check; all share a family-wise error of 1e-6
        double confidence = 1 - 1e-6 / suffixes;
        for (Object[] c : cases) {
            float[] logits = (float[]) c[0];
            GenerationSettings s = (GenerationSettings) c[1];
            int v = logits.length;
            try (DjlLanguageModel m = FixedLogitsModel.of(logits, 8)) {
                Map<Long, Double> pz = logPz(m, s, v);
                List<Generation> gens =
                        m.generate(new ArrayList<>(Collections.nCopies(rows, new int[] {0})), s);
                Map<Long, Integer> counts = new HashMap<>();
                for (Generation g : gens) {
                    counts.merge(key(g.tokens()[0], g.tokens()[1]), 1, Integer::sum);
                }
                int reachable = 0;
                for (Map.Entry<Long, Double> e : pz.entrySet()) {
                    int seen = counts.getOrDefault(e.getKey(), 0);
                    double p = Math.exp(e.getValue());
                    String what =
                            s + " suffix " + (e.getKey() >> 32) + "," + (int) (long) e.getKey();
                    if (p == 0) {
                        assertThat(seen).as(what + ": p_z = 0 but sampled").isZero();
                    } else {
                        reachable++;
                        ClopperPearson.Interval ci =
                                ClopperPearson.interval(seen, rows, confidence);
                        assertThat(p)
                                .as(what + ": %d of %d rows", seen, rows)
                                .isBetween(ci.low(), ci.high());
                    }
                }
                assertThat(reachable).as(s.toString()).isGreaterThan(1);
            }
        }
    }

    @Test
    void greedyPzIsOneExactlyWhenGreedyDecodingReproducesTheSuffix() {
        float[] logits = FixedLogitsModel.TIES;
        int v = logits.length;
        try (DjlLanguageModel m = FixedLogitsModel.of(logits, 8)) {
            GenerationSettings greedy = GenerationSettings.greedy(2);
            int[] decoded = m.generate(List.of(new int[] {PREFIX_TOKEN}), greedy).get(0).tokens();
            // token 1 and token 2 are tied at the top: greedy decoding emits the lower id
            assertThat(decoded).containsExactly(1, 1);
            Map<Long, Double> pz = logPz(m, greedy, v);
            List<int[]> seqs = new ArrayList<>();
            for (int a = 0; a < v; a++) {
                for (int b = 0; b < v; b++) {
                    seqs.add(new int[] {PREFIX_TOKEN, a, b});
                }
            }
            int ones = 0;
            for (ScoredSequence s : m.score(seqs, false)) {
                int a = s.tokenIds()[1];
                int b = s.tokenIds()[2];
                boolean reproduces = a == decoded[0] && b == decoded[1];
                double fromScheme = pz.get(key(a, b));
                double fromGreedy = (double) s.greedyLogprobs()[1] + s.greedyLogprobs()[2];
                assertThat(fromScheme)
                        .as("%d,%d", a, b)
                        .isEqualTo(reproduces ? 0 : Double.NEGATIVE_INFINITY);
                assertThat(fromGreedy).isEqualTo(fromScheme);
                // both tied tokens have rank 1; only one is greedy's
                if (a == 2) {
                    assertThat(s.ranks()[1]).isEqualTo(1);
                }
                ones += reproduces ? 1 : 0;
            }
            assertThat(ones).isEqualTo(1);
        }
    }
}
