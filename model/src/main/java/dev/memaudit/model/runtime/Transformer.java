package dev.memaudit.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.memaudit.core.error.MemauditException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward pass of the three families, written with DJL array operations over tensors named as
 * in Hugging Face checkpoints. Stateless apart from the weights: callers own every array it returns
 * (and should run it inside an {@code NDScope}).
 */
public final class Transformer {
    /**
     * Added to attention scores of masked keys; finite so fully masked (padding) rows stay finite.
     */
    private static final float MASKED = -1e9f;

    private final ModelConfig c;
    private final Map<String, NDArray> tensors;
    private final NDArray embed;
    private final NDArray positionEmbed;
    private final NDArray lmHead;
    private final NDArray finalNormW;
    private final NDArray finalNormB;
    private final Layer[] layers;
    private final float[] invFreq;

    /**
     * Whether intermediate results may be overwritten in place. Only for inference: autograd needs
     * the intermediates, so a model built over trainable tensors never does it.
     */
    private final boolean inPlace;

    private record Layer(
            NDArray norm1W,
            NDArray norm1B,
            NDArray norm2W,
            NDArray norm2B,
            NDArray qkvW,
            NDArray qkvB,
            NDArray qW,
            NDArray qB,
            NDArray kW,
            NDArray kB,
            NDArray vW,
            NDArray vB,
            NDArray oW,
            NDArray oB,
            NDArray gateW,
            NDArray gateB,
            NDArray upW,
            NDArray upB,
            NDArray downW,
            NDArray downB) {}

    /**
     * Builds the model over tensors named as in the checkpoint.
     *
     * @throws MemauditException (bad input) listing every missing or mis-shaped tensor
     */
    public Transformer(ModelConfig config, Map<String, NDArray> tensors, String source) {
        this.c = config;
        this.tensors = tensors;
        checkGeometry(config, source);
        String prefix = gpt2Prefix(config, tensors.keySet());
        Map<String, long[]> expected = expectedShapes(config, prefix);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NDArray t = tensors.get(e.getKey());
            if (t == null) {
                problems.add("missing " + e.getKey() + " " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(t.getShape().getShape(), e.getValue())) {
                problems.add(
                        e.getKey()
                                + " has shape "
                                + Arrays.toString(t.getShape().getShape())
                                + ", expected "
                                + Arrays.toString(e.getValue()));
            }
        }
        if (!problems.isEmpty()) {
            throw MemauditException.badInput(
                    source
                            + ": weights do not match "
                            + config.hfArchitecture()
                            + " ("
                            + problems.size()
                            + " problems): "
                            + String.join("; ", problems.subList(0, Math.min(20, problems.size())))
                            + (problems.size() > 20 ? "; …" : ""));
        }
        layers = new Layer[config.layers()];
        switch (config.arch()) {
            case GPT2 -> {
                embed = tensors.get(prefix + "wte.weight");
                positionEmbed = tensors.get(prefix + "wpe.weight");
                finalNormW = tensors.get(prefix + "ln_f.weight");
                finalNormB = tensors.get(prefix + "ln_f.bias");
                for (int i = 0; i < layers.length; i++) {
                    String p = prefix + "h." + i + ".";
                    layers[i] =
                            new Layer(
                                    t(p + "ln_1.weight"),
                                    t(p + "ln_1.bias"),
                                    t(p + "ln_2.weight"),
                                    t(p + "ln_2.bias"),
                                    t(p + "attn.c_attn.weight"),
                                    t(p + "attn.c_attn.bias"),
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    t(p + "attn.c_proj.weight"),
                                    t(p + "attn.c_proj.bias"),
                                    null,
                                    null,
                                    t(p + "mlp.c_fc.weight"),
                                    t(p + "mlp.c_fc.bias"),
                                    t(p + "mlp.c_proj.weight"),
                                    t(p + "mlp.c_proj.bias"));
                }
            }
            case LLAMA -> {
                embed = t("model.embed_tokens.weight");
                positionEmbed = null;
                finalNormW = t("model.norm.weight");
                finalNormB = null;
                for (int i = 0; i < layers.length; i++) {
                    String p = "model.layers." + i + ".";
                    layers[i] =
                            new Layer(
                                    t(p + "input_layernorm.weight"),
                                    null,
                                    t(p + "post_attention_layernorm.weight"),
                                    null,
                                    null,
                                    null,
                                    t(p + "self_attn.q_proj.weight"),
                                    t(p + "self_attn.q_proj.bias"),
                                    t(p + "self_attn.k_proj.weight"),
                                    t(p + "self_attn.k_proj.bias"),
                                    t(p + "self_attn.v_proj.weight"),
                                    t(p + "self_attn.v_proj.bias"),
                                    t(p + "self_attn.o_proj.weight"),
                                    t(p + "self_attn.o_proj.bias"),
                                    t(p + "mlp.gate_proj.weight"),
                                    t(p + "mlp.gate_proj.bias"),
                                    t(p + "mlp.up_proj.weight"),
                                    t(p + "mlp.up_proj.bias"),
                                    t(p + "mlp.down_proj.weight"),
                                    t(p + "mlp.down_proj.bias"));
                }
            }
            case GPT_NEOX -> {
                embed = t("gpt_neox.embed_in.weight");
                positionEmbed = null;
                finalNormW = t("gpt_neox.final_layer_norm.weight");
                finalNormB = t("gpt_neox.final_layer_norm.bias");
                for (int i = 0; i < layers.length; i++) {
                    String p = "gpt_neox.layers." + i + ".";
                    layers[i] =
                            new Layer(
                                    t(p + "input_layernorm.weight"),
                                    t(p + "input_layernorm.bias"),
                                    t(p + "post_attention_layernorm.weight"),
                                    t(p + "post_attention_layernorm.bias"),
                                    t(p + "attention.query_key_value.weight"),
                                    t(p + "attention.query_key_value.bias"),
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    t(p + "attention.dense.weight"),
                                    t(p + "attention.dense.bias"),
                                    null,
                                    null,
                                    t(p + "mlp.dense_h_to_4h.weight"),
                                    t(p + "mlp.dense_h_to_4h.bias"),
                                    t(p + "mlp.dense_4h_to_h.weight"),
                                    t(p + "mlp.dense_4h_to_h.bias"));
                }
            }
            default -> throw new IllegalStateException(config.arch().toString());
        }
        lmHead = lmHeadName(config, prefix) == null ? embed : t(lmHeadName(config, prefix));
        invFreq = inverseFrequencies(config);
        inPlace = !embed.hasGradient();
    }

    private NDArray t(String name) {
        return tensors.get(name);
    }

    private static void checkGeometry(ModelConfig c, String source) {
        List<String> p = new ArrayList<>();
        if (c.heads() <= 0 || c.kvHeads() <= 0 || c.heads() % c.kvHeads() != 0) {
            p.add(
                    "num_attention_heads ("
                            + c.heads()
                            + ") must be a positive multiple of num_key_value_heads ("
                            + c.kvHeads()
                            + ")");
        }
        if (c.arch() != Architecture.LLAMA && c.heads() > 0 && c.hidden() % c.heads() != 0) {
            p.add("hidden size " + c.hidden() + " is not a multiple of " + c.heads() + " heads");
        }
        if (c.rotaryDims() % 2 != 0 || c.rotaryDims() > c.headDim()) {
            p.add("rotary dimensions " + c.rotaryDims() + " must be even and ≤ " + c.headDim());
        }
        if (!p.isEmpty()) {
            throw MemauditException.badInput(source + ": config.json: " + String.join("; ", p));
        }
    }

    /** "transformer." when the GPT-2 checkpoint uses the GPT2LMHeadModel prefix, else "". */
    public static String gpt2Prefix(ModelConfig c, java.util.Set<String> names) {
        if (c.arch() != Architecture.GPT2) {
            return "";
        }
        return names.contains("wte.weight") ? "" : "transformer.";
    }

    private static String lmHeadName(ModelConfig c, String prefix) {
        if (c.tieEmbeddings()) {
            return null;
        }
        return switch (c.arch()) {
            case GPT2, LLAMA -> "lm_head.weight";
            case GPT_NEOX -> "embed_out.weight";
        };
    }

    /**
     * Every tensor the architecture reads, with its shape, in a stable order (embedding, layers,
     * final norm, head). GPT-2 names get {@code gpt2Prefix} ("transformer." or "").
     */
    public static Map<String, long[]> expectedShapes(ModelConfig c, String gpt2Prefix) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hidden();
        long v = c.vocabSize();
        long hd = (long) c.heads() * c.headDim();
        long kvd = (long) c.kvHeads() * c.headDim();
        long f = c.intermediate();
        switch (c.arch()) {
            case GPT2 -> {
                String pre = gpt2Prefix;
                m.put(pre + "wte.weight", new long[] {v, d});
                m.put(pre + "wpe.weight", new long[] {c.maxPositions(), d});
                for (int i = 0; i < c.layers(); i++) {
                    String p = pre + "h." + i + ".";
                    m.put(p + "ln_1.weight", new long[] {d});
                    m.put(p + "ln_1.bias", new long[] {d});
                    m.put(p + "attn.c_attn.weight", new long[] {d, 3 * d});
                    m.put(p + "attn.c_attn.bias", new long[] {3 * d});
                    m.put(p + "attn.c_proj.weight", new long[] {d, d});
                    m.put(p + "attn.c_proj.bias", new long[] {d});
                    m.put(p + "ln_2.weight", new long[] {d});
                    m.put(p + "ln_2.bias", new long[] {d});
                    m.put(p + "mlp.c_fc.weight", new long[] {d, f});
                    m.put(p + "mlp.c_fc.bias", new long[] {f});
                    m.put(p + "mlp.c_proj.weight", new long[] {f, d});
                    m.put(p + "mlp.c_proj.bias", new long[] {d});
                }
                m.put(pre + "ln_f.weight", new long[] {d});
                m.put(pre + "ln_f.bias", new long[] {d});
            }
            case LLAMA -> {
                m.put("model.embed_tokens.weight", new long[] {v, d});
                for (int i = 0; i < c.layers(); i++) {
                    String p = "model.layers." + i + ".";
                    m.put(p + "input_layernorm.weight", new long[] {d});
                    m.put(p + "self_attn.q_proj.weight", new long[] {hd, d});
                    m.put(p + "self_attn.k_proj.weight", new long[] {kvd, d});
                    m.put(p + "self_attn.v_proj.weight", new long[] {kvd, d});
                    if (c.qkvBias()) {
                        m.put(p + "self_attn.q_proj.bias", new long[] {hd});
                        m.put(p + "self_attn.k_proj.bias", new long[] {kvd});
                        m.put(p + "self_attn.v_proj.bias", new long[] {kvd});
                    }
                    m.put(p + "self_attn.o_proj.weight", new long[] {d, hd});
                    if (c.outBias()) {
                        m.put(p + "self_attn.o_proj.bias", new long[] {d});
                    }
                    m.put(p + "post_attention_layernorm.weight", new long[] {d});
                    m.put(p + "mlp.gate_proj.weight", new long[] {f, d});
                    m.put(p + "mlp.up_proj.weight", new long[] {f, d});
                    m.put(p + "mlp.down_proj.weight", new long[] {d, f});
                    if (c.mlpBias()) {
                        m.put(p + "mlp.gate_proj.bias", new long[] {f});
                        m.put(p + "mlp.up_proj.bias", new long[] {f});
                        m.put(p + "mlp.down_proj.bias", new long[] {d});
                    }
                }
                m.put("model.norm.weight", new long[] {d});
            }
            case GPT_NEOX -> {
                m.put("gpt_neox.embed_in.weight", new long[] {v, d});
                for (int i = 0; i < c.layers(); i++) {
                    String p = "gpt_neox.layers." + i + ".";
                    m.put(p + "input_layernorm.weight", new long[] {d});
                    m.put(p + "input_layernorm.bias", new long[] {d});
                    m.put(p + "post_attention_layernorm.weight", new long[] {d});
                    m.put(p + "post_attention_layernorm.bias", new long[] {d});
                    m.put(p + "attention.query_key_value.weight", new long[] {3 * d, d});
                    if (c.qkvBias()) {
                        m.put(p + "attention.query_key_value.bias", new long[] {3 * d});
                    }
                    m.put(p + "attention.dense.weight", new long[] {d, d});
                    if (c.outBias()) {
                        m.put(p + "attention.dense.bias", new long[] {d});
                    }
                    m.put(p + "mlp.dense_h_to_4h.weight", new long[] {f, d});
                    m.put(p + "mlp.dense_h_to_4h.bias", new long[] {f});
                    m.put(p + "mlp.dense_4h_to_h.weight", new long[] {d, f});
                    m.put(p + "mlp.dense_4h_to_h.bias", new long[] {d});
                }
                m.put("gpt_neox.final_layer_norm.weight", new long[] {d});
                m.put("gpt_neox.final_layer_norm.bias", new long[] {d});
            }
        }
        String head = lmHeadName(c, gpt2Prefix);
        if (head != null) {
            m.put(head, new long[] {v, d});
        }
        return m;
    }

    private static float[] inverseFrequencies(ModelConfig c) {
        int rd = c.rotaryDims();
        float[] inv = new float[rd / 2];
        for (int i = 0; i < inv.length; i++) {
            // as transformers computes it: float32 exponent 2i/rd, then base^exponent
            float exponent = (float) (2 * i) / rd;
            inv[i] = (float) (1.0 / Math.pow(c.ropeTheta(), exponent));
        }
        if ("linear".equals(c.ropeScaling())) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] = (float) (inv[i] / c.ropeFactor());
            }
        } else if ("llama3".equals(c.ropeScaling())) {
            double lowWavelen = c.ropeOriginalMax() / c.ropeLowFreqFactor();
            double highWavelen = c.ropeOriginalMax() / c.ropeHighFreqFactor();
            for (int i = 0; i < inv.length; i++) {
                double f = inv[i];
                double wavelen = 2 * Math.PI / f;
                double scaled = wavelen > lowWavelen ? f / c.ropeFactor() : f;
                if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
                    double smooth =
                            (c.ropeOriginalMax() / wavelen - c.ropeLowFreqFactor())
                                    / (c.ropeHighFreqFactor() - c.ropeLowFreqFactor());
                    scaled = (1 - smooth) * scaled / c.ropeFactor() + smooth * scaled;
                }
                inv[i] = (float) scaled;
            }
        }
        return inv;
    }

    public ModelConfig config() {
        return c;
    }

    /** The tensors by checkpoint name (the arrays given to the constructor). */
    public Map<String, NDArray> tensors() {
        return tensors;
    }

    /**
     * Hidden states after the final norm: the one forward pass that scoring, generation and
     * training share. The causal attention mask, with each row's padding excluded, comes from the
     * batch ({@link TokenBatch}); with a cache, the batch's tokens follow the cached ones and their
     * keys and values are appended to it.
     *
     * @param manager where the input arrays are created (run inside an {@code NDScope})
     * @param batch the tokens, their positions and where each row's real tokens lie
     * @param cache the KV cache to read and extend, or null
     * @return [rows, length, hidden]
     */
    public NDArray hidden(NDManager manager, TokenBatch batch, KvCache cache) {
        int cached = cache == null ? 0 : Math.toIntExact(cache.length());
        Shape tokens = new Shape(batch.rows(), batch.length());
        return hidden(
                manager.create(batch.ids(), tokens),
                manager.create(batch.positions(), tokens),
                manager.create(
                        batch.attentionBias(cached, MASKED),
                        new Shape(batch.rows(), 1, batch.length(), cached + batch.length())),
                cache);
    }

    /**
     * @param ids token ids [B, T], int64
     * @param positions position of each token [B, T], int64
     * @param bias additive attention bias [B, 1, T, S] (0 = attend, {@link #MASKED} = not), S =
     *     cached + T
     */
    private NDArray hidden(NDArray ids, NDArray positions, NDArray bias, KvCache cache) {
        NDArray x = Embedding.embedding(ids, embed, SparseFormat.DENSE).get(0);
        if (positionEmbed != null) {
            x = x.add(Embedding.embedding(positions, positionEmbed, SparseFormat.DENSE).get(0));
        }
        NDArray[] rope = c.rotaryDims() > 0 ? ropeTables(positions) : null;
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            switch (c.arch()) {
                case GPT2 -> {
                    // Conv1D weights are [in, out]: a transposed view makes them Linear's [out, in]
                    NDArray h = layerNorm(x, l.norm1W, l.norm1B);
                    NDList qkv = linear(h, l.qkvW.transpose(), l.qkvB).split(3, 2);
                    NDArray a = attention(qkv.get(0), qkv.get(1), qkv.get(2), null, bias, cache, i);
                    x = residual(x, linear(a, l.oW.transpose(), l.oB));
                    NDArray m = linear(layerNorm(x, l.norm2W, l.norm2B), l.upW.transpose(), l.upB);
                    x = residual(x, linear(activate(m), l.downW.transpose(), l.downB));
                }
                case LLAMA -> {
                    NDArray h = rmsNorm(x, l.norm1W);
                    NDArray q = linear(h, l.qW, l.qB);
                    NDArray k = linear(h, l.kW, l.kB);
                    NDArray v = linear(h, l.vW, l.vB);
                    NDArray a = attention(q, k, v, rope, bias, cache, i);
                    x = residual(x, linear(a, l.oW, l.oB));
                    NDArray h2 = rmsNorm(x, l.norm2W);
                    NDArray g = activate(linear(h2, l.gateW, l.gateB));
                    NDArray up = linear(h2, l.upW, l.upB);
                    NDArray gated = inPlace ? g.muli(up) : g.mul(up);
                    x = residual(x, linear(gated, l.downW, l.downB));
                }
                case GPT_NEOX -> {
                    NDArray h = layerNorm(x, l.norm1W, l.norm1B);
                    Shape s = h.getShape();
                    NDArray qkv =
                            linear(h, l.qkvW, l.qkvB)
                                    .reshape(s.get(0), s.get(1), c.heads(), 3L * c.headDim());
                    NDList parts = qkv.split(3, 3);
                    NDArray a =
                            attention(
                                    flatHeads(parts.get(0)),
                                    flatHeads(parts.get(1)),
                                    flatHeads(parts.get(2)),
                                    rope,
                                    bias,
                                    cache,
                                    i);
                    a = linear(a, l.oW, l.oB);
                    if (c.parallelResidual()) {
                        NDArray m = mlpNeox(layerNorm(x, l.norm2W, l.norm2B), l);
                        x = residual(residual(x, a), m);
                    } else {
                        x = residual(x, a);
                        x = residual(x, mlpNeox(layerNorm(x, l.norm2W, l.norm2B), l));
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return c.arch() == Architecture.LLAMA
                ? rmsNorm(x, finalNormW)
                : layerNorm(x, finalNormW, finalNormB);
    }

    /** Logits [..., vocab] of hidden states [..., hidden]. */
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, lmHead).get(0);
    }

    /** x + y, overwriting x when allowed (x is always a fresh activation, never a weight). */
    private NDArray residual(NDArray x, NDArray y) {
        return inPlace ? x.addi(y) : x.add(y);
    }

    private NDArray mlpNeox(NDArray h, Layer l) {
        return linear(activate(linear(h, l.upW, l.upB)), l.downW, l.downB);
    }

    private static NDArray flatHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3));
    }

    private static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).get(0);
    }

    private NDArray layerNorm(NDArray x, NDArray w, NDArray b) {
        return LayerNorm.layerNorm(x, new Shape(c.hidden()), w, b, (float) c.normEps()).get(0);
    }

    private NDArray rmsNorm(NDArray x, NDArray w) {
        NDArray variance = x.mul(x).mean(new int[] {-1}, true);
        return x.div(variance.add((float) c.normEps()).sqrt()).mul(w);
    }

    private NDArray activate(NDArray x) {
        return switch (c.activation()) {
            case SILU -> x.mul(Activation.sigmoid(x));
            case GELU -> Activation.gelu(x);
            case RELU -> Activation.relu(x);
            case GELU_TANH -> {
                // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as GPT-2's gelu_new
                float k = (float) Math.sqrt(2 / Math.PI);
                if (inPlace) {
                    // two allocations instead of eight: memory traffic dominates this op
                    NDArray inner = x.mul(x).muli(0.044715f * k).addi(k).muli(x);
                    NDArray t = inner.tanh();
                    yield t.addi(1f).muli(x).muli(0.5f);
                }
                NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul(k);
                yield x.mul(inner.tanh().add(1f)).mul(0.5f);
            }
        };
    }

    /** cos and sin tables [B, 1, T, rotaryDims] for the positions. */
    private NDArray[] ropeTables(NDArray positions) {
        NDArray inv = positions.getManager().create(invFreq);
        NDArray freqs =
                positions
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .expandDims(-1)
                        .mul(inv);
        NDArray emb = freqs.concat(freqs, -1).expandDims(1);
        return new NDArray[] {emb.cos(), emb.sin()};
    }

    private NDArray applyRope(NDArray x, NDArray[] rope) {
        int rd = c.rotaryDims();
        NDArray rot = x;
        NDArray pass = null;
        if (rd < c.headDim()) {
            NDList parts = x.split(new long[] {rd}, 3);
            rot = parts.get(0);
            pass = parts.get(1);
        }
        NDList halves = rot.split(2, 3);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
        NDArray out = rot.mul(rope[0]).add(rotated.mul(rope[1]));
        return pass == null ? out : out.concat(pass, 3);
    }

    /**
     * Multi-head (grouped-query) attention. q [B, T, H·D], k and v [B, T, Hkv·D]; returns [B, T,
     * H·D].
     */
    private NDArray attention(
            NDArray q,
            NDArray k,
            NDArray v,
            NDArray[] rope,
            NDArray bias,
            KvCache cache,
            int layer) {
        Shape s = q.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int h = c.heads();
        int kvh = c.kvHeads();
        int hd = c.headDim();
        NDArray qh = q.reshape(b, t, h, hd).transpose(0, 2, 1, 3);
        NDArray kh = k.reshape(b, t, kvh, hd).transpose(0, 2, 1, 3);
        NDArray vh = v.reshape(b, t, kvh, hd).transpose(0, 2, 1, 3);
        if (rope != null) {
            qh = applyRope(qh, rope);
            kh = applyRope(kh, rope);
        }
        if (cache != null) {
            NDArray[] full = cache.append(layer, kh, vh);
            kh = full[0];
            vh = full[1];
        }
        long total = kh.getShape().get(2);
        int group = h / kvh;
        qh = qh.mul((float) (1.0 / Math.sqrt(hd)));
        if (group > 1) {
            // heads kv·group + g share key/value head kv (transformers' repeat_kv order)
            qh = qh.reshape(b, kvh, group * t, hd);
        }
        NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2));
        if (group > 1) {
            scores = scores.reshape(b, h, t, total);
        }
        NDArray probs = (inPlace ? scores.addi(bias) : scores.add(bias)).softmax(-1);
        if (group > 1) {
            probs = probs.reshape(b, kvh, group * t, total);
        }
        NDArray out = probs.matMul(vh);
        if (group > 1) {
            out = out.reshape(b, h, t, hd);
        }
        return out.transpose(0, 2, 1, 3).reshape(b, t, (long) h * hd);
    }
}
