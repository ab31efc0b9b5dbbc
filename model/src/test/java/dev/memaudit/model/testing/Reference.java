package dev.memaudit.model.testing;

/** Plain-Java float64 references for tests of the runtime's numerics. */
public final class Reference {
    private Reference() {}

    /** ln softmax of the logits in float64 (max subtracted before exponentiating). */
    public static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double z = 0;
        for (float x : logits) {
            z += Math.exp(x - max);
        }
        double logZ = max + Math.log(z);
        double[] lp = new double[logits.length];
        for (int i = 0; i < lp.length; i++) {
            lp[i] = logits[i] - logZ;
        }
        return lp;
    }
}
