package dev.memaudit.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.LUDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;

/**
 * The dataset-inference aggregate (after Maini et al., "LLM Dataset Inference", 2024): several
 * membership features of the suspect chunks and of the control chunks are combined into one score
 * by a linear model learned on one random half of the chunks, and the held-out halves' scores are
 * compared by a one-sided Welch t-test (H1: suspects score higher).
 *
 * <p>Method, exactly: each set is cut in two with a seeded generator. A set whose chunks come from
 * two or more texts is cut <em>by text</em>: all chunks of one text fall on the same side (the
 * texts are shuffled and each goes to the side that has fewer chunks so far, the training side on a
 * tie), so the held-out half holds texts the model was not fitted on; otherwise the features of a
 * text (its topic, its style) learned on its training chunks would make its held-out chunks look
 * like their set and inflate the separation. A set from a single text (a work) is cut by chunk: its
 * chunks are shuffled and the first ⌈n/2⌉ train. Features are standardized with the training
 * chunks' mean and standard deviation (a feature constant on the training chunks is dropped). A
 * ridge regression (penalty {@value #RIDGE} on standardized coefficients, intercept unpenalized) of
 * the label (1 = suspect, 0 = control) on the features is fitted on the training chunks. The fitted
 * score of each held-out chunk goes into the t-test. Because the model never sees the held-out
 * chunks, a suspect set drawn from the same distribution as the controls gives a valid p-value
 * whatever the model learned.
 */
public final class DatasetInference {
    /** Ridge penalty on standardized features. */
    public static final double RIDGE = 1.0;

    private DatasetInference() {}

    /**
     * The result.
     *
     * @param p one-sided Welch p-value on the held-out halves (NaN when not computable)
     * @param effect Cohen's d of the held-out scores, suspect minus control (NaN when not
     *     computable): the size of the separation, comparable between suspects of different lengths
     * @param trainSuspect suspect chunks used to fit
     * @param trainControl control chunks used to fit
     * @param testSuspect suspect chunks tested
     * @param testControl control chunks tested
     * @param features feature indices used (constant ones dropped)
     * @param weights fitted weight per used feature (standardized units), intercept excluded
     */
    public record Result(
            double p,
            double effect,
            int trainSuspect,
            int trainControl,
            int testSuspect,
            int testControl,
            int[] features,
            double[] weights) {}

    /**
     * Runs the test with every chunk its own unit (each set cut by chunk).
     *
     * @param suspect rows = chunks, columns = features (all finite)
     * @param control the same columns for the control chunks
     * @param seed seed of both random splits
     * @return the result; {@code p} is NaN when a set has fewer than 4 chunks (2 to fit, 2 to test)
     */
    public static Result test(double[][] suspect, double[][] control, long seed) {
        return test(suspect, null, control, null, seed);
    }

    /**
     * Runs the test, cutting each set by text when its chunks come from two or more texts.
     *
     * @param suspect rows = chunks, columns = features (all finite)
     * @param suspectTexts the text of each suspect row (any labels; equal labels = one text), or
     *     null for one text
     * @param control the same columns for the control chunks
     * @param controlTexts the text of each control row, or null for one text
     * @param seed seed of both random splits
     * @return the result; {@code p} is NaN when a held-out half has fewer than 2 chunks
     */
    public static Result test(
            double[][] suspect,
            String[] suspectTexts,
            double[][] control,
            String[] controlTexts,
            long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Cut sCut = split(suspect.length, suspectTexts, rng.split());
        Cut cCut = split(control.length, controlTexts, rng.split());
        int[] sOrder = sCut.order();
        int[] cOrder = cCut.order();
        int sTrain = sCut.train();
        int cTrain = cCut.train();
        int sTest = suspect.length - sTrain;
        int cTest = control.length - cTrain;
        if (sTest < 2 || cTest < 2) {
            return new Result(
                    Double.NaN,
                    Double.NaN,
                    sTrain,
                    cTrain,
                    sTest,
                    cTest,
                    new int[0],
                    new double[0]);
        }
        int columns = suspect.length > 0 ? suspect[0].length : 0;
        List<double[]> train = new ArrayList<>();
        List<Double> labels = new ArrayList<>();
        for (int i = 0; i < sTrain; i++) {
            train.add(suspect[sOrder[i]]);
            labels.add(1.0);
        }
        for (int i = 0; i < cTrain; i++) {
            train.add(control[cOrder[i]]);
            labels.add(0.0);
        }
        // standardize with the training chunks only
        List<Integer> used = new ArrayList<>();
        List<double[]> scale = new ArrayList<>();
        for (int f = 0; f < columns; f++) {
            double mean = 0;
            for (double[] row : train) {
                mean += row[f];
            }
            mean /= train.size();
            double var = 0;
            for (double[] row : train) {
                var += (row[f] - mean) * (row[f] - mean);
            }
            double sd = Math.sqrt(var / (train.size() - 1));
            if (sd > 1e-12 * Math.max(1, Math.abs(mean))) {
                used.add(f);
                scale.add(new double[] {mean, sd});
            }
        }
        int k = used.size();
        RealMatrix x = new Array2DRowRealMatrix(train.size(), k + 1);
        RealVector y = new ArrayRealVector(train.size());
        for (int r = 0; r < train.size(); r++) {
            x.setEntry(r, 0, 1);
            for (int j = 0; j < k; j++) {
                x.setEntry(r, j + 1, standardized(train.get(r), used.get(j), scale.get(j)));
            }
            y.setEntry(r, labels.get(r));
        }
        RealMatrix xtx = x.transpose().multiply(x);
        for (int j = 1; j <= k; j++) {
            xtx.addToEntry(j, j, RIDGE);
        }
        RealVector beta = new LUDecomposition(xtx).getSolver().solve(x.transpose().operate(y));
        double[] sScores = new double[sTest];
        for (int i = 0; i < sTest; i++) {
            sScores[i] = score(suspect[sOrder[sTrain + i]], beta, used, scale);
        }
        double[] cScores = new double[cTest];
        for (int i = 0; i < cTest; i++) {
            cScores[i] = score(control[cOrder[cTrain + i]], beta, used, scale);
        }
        double[] weights = new double[k];
        for (int j = 0; j < k; j++) {
            weights[j] = beta.getEntry(j + 1);
        }
        return new Result(
                TwoSampleTests.welchGreater(sScores, cScores),
                TwoSampleTests.cohensD(sScores, cScores),
                sTrain,
                cTrain,
                sTest,
                cTest,
                used.stream().mapToInt(Integer::intValue).toArray(),
                weights);
    }

    private static double standardized(double[] row, int f, double[] meanSd) {
        return (row[f] - meanSd[0]) / meanSd[1];
    }

    private static double score(
            double[] row, RealVector beta, List<Integer> used, List<double[]> scale) {
        double s = beta.getEntry(0);
        for (int j = 0; j < used.size(); j++) {
            s += beta.getEntry(j + 1) * standardized(row, used.get(j), scale.get(j));
        }
        return s;
    }

    /**
     * The seeded cut of one set.
     *
     * @param order the row indices, training rows first
     * @param train how many of them train
     */
    record Cut(int[] order, int train) {}

    static Cut split(int n, String[] texts, SplittableRandom rng) {
        Map<String, List<Integer>> byText = new TreeMap<>();
        if (texts != null) {
            if (texts.length != n) {
                throw new IllegalArgumentException(
                        "need one text label per row: " + texts.length + " labels, " + n + " rows");
            }
            for (int i = 0; i < n; i++) {
                byText.computeIfAbsent(texts[i], t -> new ArrayList<>()).add(i);
            }
        }
        if (byText.size() < 2) {
            return new Cut(shuffled(n, rng), (n + 1) / 2);
        }
        List<List<Integer>> groups = new ArrayList<>(byText.values());
        int[] order = shuffled(groups.size(), rng);
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int g : order) {
            (train.size() <= test.size() ? train : test).addAll(groups.get(g));
        }
        int[] out = new int[n];
        int i = 0;
        for (int r : train) {
            out[i++] = r;
        }
        for (int r : test) {
            out[i++] = r;
        }
        return new Cut(out, train.size());
    }

    /** A seeded Fisher–Yates permutation of 0..n-1. */
    static int[] shuffled(int n, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
