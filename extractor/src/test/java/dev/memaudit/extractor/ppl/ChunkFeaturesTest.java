package dev.memaudit.extractor.ppl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkFeaturesTest {
    static final double LN2 = Math.log(2);

    /**
     * The toy distribution: 4 tokens with p = (1/2, 1/4, 1/8, 1/8) at every position, so μ = Σ p ln
     * p = −1.75 ln 2 and σ² = Σ p (ln p)² − μ² = (3.75 − 3.0625) (ln 2)² = 0.6875 (ln 2)².
     */
    static final double[] P = {0.5, 0.25, 0.125, 0.125};

    static float[] logprobs(int... tokens) {
        float[] lp = new float[tokens.length];
        lp[0] = Float.NaN;
        for (int i = 1; i < tokens.length; i++) {
            lp[i] = (float) Math.log(P[tokens[i]]);
        }
        return lp;
    }

    static float[] constant(int n, double v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, (float) v);
        a[0] = Float.NaN;
        return a;
    }

    @Test
    void nllPerplexityAndMinKByHand() {
        // scored tokens 1..4: p = 1/2, 1/4, 1/8, 1/2 → lp = −1, −2, −3, −1 (× ln 2)
        Map<String, Double> f = ChunkFeatures.fromScores(logprobs(3, 0, 1, 2, 0), null, null);
        assertThat(f.get("nll")).isCloseTo(7 * LN2 / 4, within(1e-6));
        assertThat(f.get("ppl")).isCloseTo(Math.pow(2, 7.0 / 4), within(1e-5));
        // k = 5, 10, 20: floor(k% · 4) = 0 → 1 token, the lowest: −3 ln 2
        assertThat(f.get("min_k_5")).isCloseTo(-3 * LN2, within(1e-6));
        assertThat(f.get("min_k_20")).isCloseTo(-3 * LN2, within(1e-6));
        // k = 30: floor(1.2) = 1; k = 50: 2 tokens, (−3 − 2)/2
        assertThat(f.get("min_k_30")).isCloseTo(-3 * LN2, within(1e-6));
        assertThat(f.get("min_k_50")).isCloseTo(-2.5 * LN2, within(1e-6));
        assertThat(f).doesNotContainKey("min_k_pp_5");
    }

    @Test
    void minKPlusPlusByHand() {
        double mu = -1.75 * LN2;
        double var = 0.6875 * LN2 * LN2;
        // tokens with p = 1/2, 1/8, 1/4, 1/2
        Map<String, Double> f =
                ChunkFeatures.fromScores(
                        logprobs(0, 0, 2, 1, 0), constant(5, mu), constant(5, var));
        double sd = Math.sqrt(0.6875);
        double zHalf = (-1 + 1.75) / sd; // in units where ln 2 cancels
        double zEighth = (-3 + 1.75) / sd;
        double zQuarter = (-2 + 1.75) / sd;
        assertThat(f.get("min_k_pp_5")).isCloseTo(zEighth, within(1e-5));
        assertThat(f.get("min_k_pp_50")).isCloseTo((zEighth + zQuarter) / 2, within(1e-5));
        assertThat(zHalf).isPositive();
    }

    @Test
    void positionsWithoutSpreadAreLeftOutOfMinKPlusPlus() {
        float[] var = constant(3, 0.5);
        var[1] = 0; // a deterministic distribution at position 1
        Map<String, Double> f = ChunkFeatures.fromScores(logprobs(0, 0, 1), constant(3, -1), var);
        assertThat(f.get("min_k_pp_50")).isCloseTo((-2 * LN2 + 1) / Math.sqrt(0.5), within(1e-5));
    }

    @Test
    void theVarianceThresholdDropsOnlyPositionsAtOrBelowIt() {
        // position 1: lp = −2 ln 2 below μ = −1; position 2: lp = −ln 2 above it
        float[] lp = logprobs(0, 1, 0);
        float[] var = constant(3, 0.5);
        var[1] = (float) ChunkFeatures.MIN_VARIANCE; // rounds just below 1e-12: dropped
        Map<String, Double> dropped = ChunkFeatures.fromScores(lp, constant(3, -1), var);
        assertThat(dropped.get("min_k_pp_5")).isCloseTo((-LN2 + 1) / Math.sqrt(0.5), within(1e-5));
        var[1] = (float) (2 * ChunkFeatures.MIN_VARIANCE); // kept: its z is the minimum
        Map<String, Double> kept = ChunkFeatures.fromScores(lp, constant(3, -1), var);
        double z = (lp[1] + 1.0) / Math.sqrt(var[1]);
        assertThat(z).isLessThan(-1e5);
        assertThat(kept.get("min_k_pp_5")).isCloseTo(z, within(1e-6 * Math.abs(z)));
    }

    @Test
    void aChunkNeedsTwoTokens() {
        assertThatThrownBy(() -> ChunkFeatures.fromScores(new float[] {Float.NaN}, null, null))
                .hasMessageContaining("at least 2 tokens");
    }

    @Test
    void zlibByteCountsMatchPython() {
        // golden values: extractor/src/test/golden/make_zlib_golden.py (python3 zlib, level 6)
        assertThat(ChunkFeatures.zlibBytes("")).isEqualTo(8);
        assertThat(ChunkFeatures.zlibBytes("The harbour lights came on one by one.")).isEqualTo(42);
        assertThat(ChunkFeatures.zlibBytes("the tide the tide the tide ".repeat(40))).isEqualTo(26);
        assertThat(
                        ChunkFeatures.zlibBytes(
                                "Caf\u00e9 \u00e0 la cr\u00e8me \u2014 \u201cna\u00efve\u201d"
                                        + " r\u00e9sum\u00e9 \uD83C\uDF0A,"
                                        + " \u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3002"))
                .isEqualTo(81);
        StringBuilder pangrams = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            pangrams.append("Sphinx of black quartz, judge my vow ").append(i).append(". ");
        }
        assertThat(ChunkFeatures.zlibBytes(pangrams.toString())).isEqualTo(196);
    }

    @Test
    void zlibRatioIsNllOverBytes() {
        assertThat(ChunkFeatures.zlibRatio(2.0, 40)).isEqualTo(0.05);
    }
}
