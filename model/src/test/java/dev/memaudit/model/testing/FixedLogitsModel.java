package dev.memaudit.model.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.model.runtime.Transformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A real {@link DjlLanguageModel} (one GPT-2 block, random weights) whose next-token logits are a
 * given vector at every position, bit for bit, in scoring and in generation alike: the final
 * LayerNorm has weight 0 and bias e₀, so every hidden state is exactly e₀ and the logits are the LM
 * head's first column, which holds the vector (every other product is an exact 0). Lets tests put
 * exact ties and 1-ulp near-ties into the model's real scoring and sampling paths.
 */
public final class FixedLogitsModel {
    private static final int HIDDEN = 8;

    /** Logits with ties at the top, a four-way tie below it, ±0 and a 1-ulp near-tie. */
    public static final float[] TIES = {
        1.0f, // 0
        2.5f, // 1  tied top, lower id: greedy's token
        2.5f, // 2  tied top
        2.0f, // 3  four-way tie at 2.0: 3, 4, 5, 10
        2.0f, // 4
        2.0f, // 5
        1.5f, // 6  one ulp below 7
        Math.nextUp(1.5f), // 7
        -1.0f, // 8
        0.5f, // 9
        2.0f, // 10
        -0.0f, // 11 equal to 12
        0.0f // 12
    };

    /** The decoding order of {@link #TIES} spelled out: logit descending, lower id first. */
    public static final int[] TIES_ORDER = {1, 2, 3, 4, 5, 10, 7, 6, 0, 9, 11, 12, 8};

    private FixedLogitsModel() {}

    /**
     * @param logits the next-token logits of every position; its length is the vocabulary
     * @param maxPositions the longest sequence the model accepts
     */
    public static DjlLanguageModel of(float[] logits, int maxPositions) {
        int vocab = logits.length;
        ModelConfig mc =
                ModelConfig.builder(Architecture.GPT2)
                        .vocabSize(vocab)
                        .hidden(HIDDEN)
                        .layers(1)
                        .heads(2)
                        .intermediate(2 * HIDDEN)
                        .maxPositions(maxPositions)
                        .tieEmbeddings(false)
                        .build();
        NDManager manager = NDManager.newBaseManager();
        SplittableRandom rng = new SplittableRandom(17);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : Transformer.expectedShapes(mc, "").entrySet()) {
            long[] shape = e.getValue();
            int n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, (int) d);
            }
            float[] v = new float[n];
            switch (e.getKey()) {
                case "ln_f.weight" -> {} // all 0: the normalized input is multiplied away
                case "ln_f.bias" -> v[0] = 1f;
                case "lm_head.weight" -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = i % HIDDEN == 0 ? logits[i / HIDDEN] : (float) rng.nextGaussian();
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) (rng.nextGaussian() * 0.3);
                    }
                }
            }
            tensors.put(e.getKey(), manager.create(v, new Shape(shape)));
        }
        return new DjlLanguageModel(
                manager,
                new Transformer(mc, tensors, "fixed logits"),
                null,
                "fixed-logits GPT-2 block, vocabulary " + vocab,
                new ArrayList<>());
    }
}
