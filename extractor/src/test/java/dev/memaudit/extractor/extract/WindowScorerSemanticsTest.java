package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.model.Generation;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.testing.FixedLogitsModel;
import dev.memaudit.stats.ClopperPearson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Extract's p_z per window against what its attempts do: on a model whose logits hold exact ties
 * and a 1-ulp near-tie ({@link FixedLogitsModel#TIES}), every window's p_z under each scheme equals
 * the frequency with which seeded sampling under that scheme reproduces the suffix, and greedy p_z
 * is 1 exactly when greedy decoding reproduces it.
 */
class WindowScorerSemanticsTest {
    /**
     * Windows of 1 prefix and 2 suffix tokens (stride 3) whose suffixes exercise the ties: (1, 1)
     * greedy's own; (2, 1) tied with greedy's token at the top but the higher id; (3, 4) and (5,
     * 10) inside and across the k = 4 cut of the four-way tie; (7, 6) across the near-tie; (1, 8) a
     * rare token.
     */
    private static final int[] TOKENS = {0, 1, 1, 0, 2, 1, 0, 3, 4, 0, 5, 10, 0, 7, 6, 0, 1, 8};

    private static final List<Scheme> SCHEMES =
            List.of(
                    Scheme.parse("t1"),
                    Scheme.parse("t0.7"),
                    Scheme.parse("t1_k4"),
                    Scheme.parse("t1_k7"),
                    Scheme.parse("t1_p0.5"),
                    Scheme.parse("t0.8_k6_p0.9"));

    private static DjlLanguageModel model;

    @BeforeAll
    static void open() {
        model = FixedLogitsModel.of(FixedLogitsModel.TIES, 32);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static TokenizedWork work() {
        int n = TOKENS.length;
        int[] starts = new int[n];
        int[] ends = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = i;
            ends[i] = i + 1;
        }
        return new TokenizedWork("ties", "x".repeat(n), TOKENS.clone(), starts, ends);
    }

    /** How many of {@code rows} seeded decodings of the window's prefix give its suffix. */
    private static int reproductions(LanguageModel m, Window w, Scheme s, int rows, long seed) {
        int[] prefix = Arrays.copyOfRange(TOKENS, w.prefixStart(), w.suffixStart());
        int[] suffix = Arrays.copyOfRange(TOKENS, w.suffixStart(), w.suffixEnd());
        List<Generation> gens =
                m.generate(
                        new ArrayList<>(Collections.nCopies(rows, prefix)),
                        s.settings(suffix.length, seed));
        int hits = 0;
        for (Generation g : gens) {
            hits += Arrays.equals(g.tokens(), suffix) ? 1 : 0;
        }
        return hits;
    }

    @Test
    void pzOfEveryWindowEqualsTheSamplersFrequency() {
        TokenizedWork work = work();
        List<Window> windows = new WindowPlanner(1, 2, 3).windows(work);
        assertThat(windows).hasSize(6);
        List<WindowRecord> records = new WindowScorer(model, SCHEMES).score(work, windows);
        int rows = 20_000;
        // each (window, scheme) is one check; all share a family-wise error of 1e-6
        double confidence = 1 - 1e-6 / (windows.size() * SCHEMES.size());
        int zero = 0;
        for (int i = 0; i < windows.size(); i++) {
            for (int k = 0; k < SCHEMES.size(); k++) {
                Scheme s = SCHEMES.get(k);
                double pz = records.get(i).pZ().get(s.name());
                int hits = reproductions(model, windows.get(i), s, rows, 100L * i + k);
                String what = "window " + i + " " + s.name() + ": " + hits + " of " + rows;
                if (pz == 0) {
                    zero++;
                    assertThat(hits).as(what + ", p_z = 0").isZero();
                } else {
                    ClopperPearson.Interval ci = ClopperPearson.interval(hits, rows, confidence);
                    assertThat(pz).as(what).isBetween(ci.low(), ci.high());
                }
            }
        }
        // the truncating schemes exclude some suffixes: the zero case is exercised too
        assertThat(zero).isGreaterThanOrEqualTo(3);
    }

    @Test
    void greedyPzIsOneExactlyWhenGreedyDecodingReproducesTheSuffix() {
        TokenizedWork work = work();
        List<Window> windows = new WindowPlanner(1, 2, 3).windows(work);
        List<WindowRecord> records = new WindowScorer(model, List.of()).score(work, windows);
        int extractable = 0;
        for (int i = 0; i < windows.size(); i++) {
            Window w = windows.get(i);
            boolean reproduces = reproductions(model, w, Scheme.GREEDY, 1, 0) == 1;
            WindowRecord r = records.get(i);
            assertThat(r.pZ().get("greedy")).as("window %d", i).isEqualTo(reproduces ? 1.0 : 0.0);
            assertThat(r.greedyExtractable()).isEqualTo(reproduces);
            extractable += reproduces ? 1 : 0;
        }
        // only (1, 1): token 2 ties token 1 at the top, but greedy decoding emits the lower id
        assertThat(extractable).isEqualTo(1);
        assertThat(records.get(1).longestRank1Run()).isEqualTo(1);
    }
}
