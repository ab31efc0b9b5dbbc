package dev.memaudit.model.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The architecture-independent view of a Hugging Face {@code config.json}: every knob the runtime
 * uses, after defaults. Knobs that would change the computation in ways the runtime does not
 * implement are refused at parse time, never ignored.
 *
 * @param arch the family
 * @param hfArchitecture the {@code architectures[0]} name as written
 * @param vocabSize rows of the embedding and of the output distribution
 * @param hidden model width
 * @param layers number of transformer blocks
 * @param heads attention (query) heads
 * @param kvHeads key/value heads (GQA); equals {@code heads} for multi-head attention
 * @param headDim width of one head
 * @param intermediate MLP inner width
 * @param maxPositions longest supported sequence, in tokens
 * @param normEps epsilon of LayerNorm / RMSNorm
 * @param ropeTheta RoPE base (unused by GPT-2)
 * @param rotaryDims leading dimensions of each head that are rotated (0 for GPT-2)
 * @param parallelResidual GPT-NeoX: attention and MLP read the same input
 * @param qkvBias whether q/k/v projections have a bias
 * @param outBias whether the attention output projection has a bias
 * @param mlpBias whether MLP projections have biases
 * @param tieEmbeddings whether the LM head is the input embedding
 * @param activation the MLP activation
 * @param bosId beginning-of-sequence token id (falls back to EOS), -1 when unknown
 * @param eosId end-of-sequence token id, -1 when unknown
 * @param ropeScaling "linear" or "llama3" or null
 * @param ropeFactor scaling factor of {@code ropeScaling}
 * @param ropeLowFreqFactor llama3 scaling: low_freq_factor
 * @param ropeHighFreqFactor llama3 scaling: high_freq_factor
 * @param ropeOriginalMax llama3 scaling: original_max_position_embeddings
 */
public record ModelConfig(
        Architecture arch,
        String hfArchitecture,
        int vocabSize,
        int hidden,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int intermediate,
        int maxPositions,
        double normEps,
        double ropeTheta,
        int rotaryDims,
        boolean parallelResidual,
        boolean qkvBias,
        boolean outBias,
        boolean mlpBias,
        boolean tieEmbeddings,
        Activation activation,
        int bosId,
        int eosId,
        String ropeScaling,
        double ropeFactor,
        double ropeLowFreqFactor,
        double ropeHighFreqFactor,
        int ropeOriginalMax) {

    /** MLP activations. */
    public enum Activation {
        /** GELU, tanh approximation ({@code gelu_new}, {@code gelu_pytorch_tanh}). */
        GELU_TANH,
        /** Exact GELU with erf ({@code gelu}). */
        GELU,
        /** SiLU gate (SwiGLU MLP). */
        SILU,
        RELU
    }

    /** Parses {@code dir/config.json}. */
    public static ModelConfig read(Path configJson) {
        if (!Files.isRegularFile(configJson)) {
            throw MemauditException.badInput(configJson + ": config.json not found");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw MemauditException.badInput(configJson + ": not valid JSON: " + e.getMessage(), e);
        }
        return parse(root, configJson.toString());
    }

    /** Parses a config.json tree; {@code source} names it in error messages. */
    public static ModelConfig parse(JsonNode root, String source) {
        Reader r = new Reader(root, source);
        JsonNode archs = root.path("architectures");
        String hfName = archs.isArray() && archs.size() > 0 ? archs.get(0).asText() : null;
        if (hfName == null) {
            throw MemauditException.badInput(
                    source
                            + ": config.json has no \"architectures\" entry; expected one of "
                            + Architecture.allHfNames());
        }
        Architecture arch = Architecture.ofHfName(hfName);
        if (arch == null) {
            throw MemauditException.badInput(
                    source
                            + ": unsupported architecture "
                            + hfName
                            + "; supported: "
                            + Architecture.allHfNames());
        }
        ModelConfig c =
                switch (arch) {
                    case GPT2 -> gpt2(r, hfName);
                    case LLAMA -> llama(r, hfName);
                    case GPT_NEOX -> neox(r, hfName);
                };
        r.throwIfProblems();
        return c;
    }

    private static ModelConfig gpt2(Reader r, String hfName) {
        int vocab = r.requiredInt("vocab_size");
        int hidden = r.requiredInt("n_embd");
        int layers = r.requiredInt("n_layer");
        int heads = r.requiredInt("n_head");
        int positions = r.requiredInt("n_positions");
        int inner = r.optInt("n_inner", 4 * hidden);
        Activation act = r.activation("activation_function", "gelu_new");
        r.refuseTrue("scale_attn_by_inverse_layer_idx");
        r.refuseTrue("reorder_and_upcast_attn");
        if (!r.optBool("scale_attn_weights", true)) {
            r.problem("scale_attn_weights=false is not supported");
        }
        return builder(Architecture.GPT2)
                .hfArchitecture(hfName)
                .vocabSize(vocab)
                .hidden(hidden)
                .layers(layers)
                .heads(heads)
                .intermediate(inner)
                .maxPositions(positions)
                .normEps(r.optDouble("layer_norm_epsilon", 1e-5))
                .tieEmbeddings(r.optBool("tie_word_embeddings", true))
                .activation(act)
                .bosId(r.optTokenId("bos_token_id"))
                .eosId(r.optTokenId("eos_token_id"))
                .build();
    }

    private static ModelConfig llama(Reader r, String hfName) {
        int vocab = r.requiredInt("vocab_size");
        int hidden = r.requiredInt("hidden_size");
        int layers = r.requiredInt("num_hidden_layers");
        int heads = r.requiredInt("num_attention_heads");
        int kvHeads = r.optInt("num_key_value_heads", heads);
        int headDim = r.optInt("head_dim", heads == 0 ? 0 : hidden / heads);
        int inter = r.requiredInt("intermediate_size");
        int positions = r.optInt("max_position_embeddings", 2048);
        boolean qwen = hfName.startsWith("Qwen2");
        boolean attnBias = r.optBool("attention_bias", false);
        if (hfName.startsWith("Mistral") || qwen) {
            // Both apply a sliding window only to sequences longer than it: cap the length.
            boolean windowOn = !qwen || r.optBool("use_sliding_window", false);
            int window = r.optInt("sliding_window", 0);
            if (windowOn && window > 0) {
                positions = Math.min(positions, window);
            }
        }
        Activation act = r.activation("hidden_act", "silu");
        if (act != Activation.SILU) {
            r.problem("hidden_act must be silu for " + hfName + ", got " + act);
        }
        String scaling = null;
        double factor = 1;
        double low = 0;
        double high = 0;
        int orig = 0;
        JsonNode rs = r.root.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            String type = rs.path("rope_type").asText(rs.path("type").asText(""));
            factor = rs.path("factor").asDouble(1);
            switch (type) {
                case "linear" -> scaling = "linear";
                case "llama3" -> {
                    scaling = "llama3";
                    low = rs.path("low_freq_factor").asDouble(1);
                    high = rs.path("high_freq_factor").asDouble(4);
                    orig = rs.path("original_max_position_embeddings").asInt(8192);
                }
                case "default" -> scaling = null;
                default ->
                        r.problem(
                                "rope_scaling type \""
                                        + type
                                        + "\" is not supported (supported: linear, llama3)");
            }
        }
        return builder(Architecture.LLAMA)
                .hfArchitecture(hfName)
                .vocabSize(vocab)
                .hidden(hidden)
                .layers(layers)
                .heads(heads)
                .kvHeads(kvHeads)
                .headDim(headDim)
                .intermediate(inter)
                .maxPositions(positions)
                .normEps(r.optDouble("rms_norm_eps", 1e-6))
                .ropeTheta(r.optDouble("rope_theta", 10000))
                .rotaryDims(headDim)
                .qkvBias(qwen || attnBias)
                .outBias(!qwen && attnBias)
                .mlpBias(r.optBool("mlp_bias", false))
                .tieEmbeddings(r.optBool("tie_word_embeddings", false))
                .activation(act)
                .bosId(r.optTokenId("bos_token_id"))
                .eosId(r.optTokenId("eos_token_id"))
                .ropeScaling(scaling, factor, low, high, orig)
                .build();
    }

    private static ModelConfig neox(Reader r, String hfName) {
        int vocab = r.requiredInt("vocab_size");
        int hidden = r.requiredInt("hidden_size");
        int layers = r.requiredInt("num_hidden_layers");
        int heads = r.requiredInt("num_attention_heads");
        int inter = r.requiredInt("intermediate_size");
        int headDim = heads == 0 ? 0 : hidden / heads;
        double pct =
                r.root.has("partial_rotary_factor")
                        ? r.optDouble("partial_rotary_factor", 0.25)
                        : r.optDouble("rotary_pct", 0.25);
        double theta =
                r.root.has("rope_theta")
                        ? r.optDouble("rope_theta", 10000)
                        : r.optDouble("rotary_emb_base", 10000);
        JsonNode rs = r.root.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            r.problem("rope_scaling is not supported for GPT-NeoX");
        }
        boolean bias = r.optBool("attention_bias", true);
        return builder(Architecture.GPT_NEOX)
                .hfArchitecture(hfName)
                .vocabSize(vocab)
                .hidden(hidden)
                .layers(layers)
                .heads(heads)
                .headDim(headDim)
                .intermediate(inter)
                .maxPositions(r.optInt("max_position_embeddings", 2048))
                .normEps(r.optDouble("layer_norm_eps", 1e-5))
                .ropeTheta(theta)
                .rotaryDims((int) (headDim * pct))
                .parallelResidual(r.optBool("use_parallel_residual", true))
                .qkvBias(bias)
                .outBias(bias)
                .tieEmbeddings(r.optBool("tie_word_embeddings", false))
                .activation(r.activation("hidden_act", "gelu"))
                .bosId(r.optTokenId("bos_token_id"))
                .eosId(r.optTokenId("eos_token_id"))
                .build();
    }

    /** A config.json tree that {@link #parse} and Hugging Face transformers both read. */
    public ObjectNode toHfJson() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode n = om.createObjectNode();
        n.putArray("architectures").add(hfArchitecture);
        n.put("model_type", arch.modelType());
        n.put("vocab_size", vocabSize);
        switch (arch) {
            case GPT2 -> {
                n.put("n_embd", hidden);
                n.put("n_layer", layers);
                n.put("n_head", heads);
                n.put("n_positions", maxPositions);
                n.put("n_inner", intermediate);
                n.put("activation_function", activationName());
                n.put("layer_norm_epsilon", normEps);
            }
            case LLAMA -> {
                n.put("hidden_size", hidden);
                n.put("num_hidden_layers", layers);
                n.put("num_attention_heads", heads);
                n.put("num_key_value_heads", kvHeads);
                n.put("head_dim", headDim);
                n.put("intermediate_size", intermediate);
                n.put("max_position_embeddings", maxPositions);
                n.put("rms_norm_eps", normEps);
                n.put("rope_theta", ropeTheta);
                n.put("hidden_act", "silu");
                // Qwen2 always has q/k/v biases and no o_proj bias; Llama's flag covers all four
                n.put("attention_bias", outBias);
                n.put("mlp_bias", mlpBias);
            }
            case GPT_NEOX -> {
                n.put("hidden_size", hidden);
                n.put("num_hidden_layers", layers);
                n.put("num_attention_heads", heads);
                n.put("intermediate_size", intermediate);
                n.put("max_position_embeddings", maxPositions);
                n.put("rotary_pct", headDim == 0 ? 0 : (double) rotaryDims / headDim);
                n.put("rotary_emb_base", ropeTheta);
                n.put("use_parallel_residual", parallelResidual);
                n.put("hidden_act", activationName());
                n.put("layer_norm_eps", normEps);
                n.put("attention_bias", qkvBias);
            }
        }
        n.put("tie_word_embeddings", tieEmbeddings);
        if (bosId >= 0) {
            n.put("bos_token_id", bosId);
        }
        if (eosId >= 0) {
            n.put("eos_token_id", eosId);
        }
        n.put("torch_dtype", "float32");
        n.put("initializer_range", 0.02);
        n.put("use_cache", true);
        return n;
    }

    private String activationName() {
        return switch (activation) {
            case GELU_TANH -> "gelu_new";
            case GELU -> "gelu";
            case SILU -> "silu";
            case RELU -> "relu";
        };
    }

    /** Total number of parameters implied by the shapes. */
    public long parameterCount() {
        long d = hidden;
        long qkv = (long) d * (heads + 2L * kvHeads) * headDim;
        long out = (long) heads * headDim * d;
        long mlp = (arch == Architecture.LLAMA ? 3L : 2L) * d * intermediate;
        long perLayer = qkv + out + mlp + 4 * d;
        long embed = (long) vocabSize * d * (tieEmbeddings ? 1 : 2);
        long pos = arch == Architecture.GPT2 ? (long) maxPositions * d : 0;
        return perLayer * layers + embed + pos + 2 * d;
    }

    /**
     * A builder preset with the family's defaults as Hugging Face {@code transformers} has them:
     * GPT-2 (tanh GELU, biases everywhere, tied head, no rotary), Llama (SiLU, no biases, untied
     * head, full rotary, RMSNorm epsilon 1e-6), GPT-NeoX (exact GELU, biases, untied head, a
     * quarter of each head rotary, parallel residual). {@code kvHeads} defaults to {@code heads},
     * {@code headDim} to {@code hidden / heads}. Sizes (vocabulary, width, layers, heads, MLP
     * width, positions) have no default and must be set.
     */
    public static Builder builder(Architecture arch) {
        return new Builder(arch);
    }

    /** A builder holding every value of this config. */
    public Builder toBuilder() {
        Builder b = new Builder(arch);
        b.hfArchitecture = hfArchitecture;
        b.vocabSize = vocabSize;
        b.hidden = hidden;
        b.layers = layers;
        b.heads = heads;
        b.kvHeads = kvHeads;
        b.headDim = headDim;
        b.intermediate = intermediate;
        b.maxPositions = maxPositions;
        b.normEps = normEps;
        b.ropeTheta = ropeTheta;
        b.rotaryDims = rotaryDims;
        b.parallelResidual = parallelResidual;
        b.qkvBias = qkvBias;
        b.outBias = outBias;
        b.mlpBias = mlpBias;
        b.tieEmbeddings = tieEmbeddings;
        b.activation = activation;
        b.bosId = bosId;
        b.eosId = eosId;
        b.ropeScaling = ropeScaling;
        b.ropeFactor = ropeFactor;
        b.ropeLowFreqFactor = ropeLowFreqFactor;
        b.ropeHighFreqFactor = ropeHighFreqFactor;
        b.ropeOriginalMax = ropeOriginalMax;
        return b;
    }

    /**
     * Builds a {@link ModelConfig} by name instead of by position; each setter sets the record
     * component of the same name (see the record's documentation for units and meaning).
     */
    public static final class Builder {
        private final Architecture arch;
        private String hfArchitecture;
        private int vocabSize;
        private int hidden;
        private int layers;
        private int heads;
        private Integer kvHeads;
        private Integer headDim;
        private int intermediate;
        private int maxPositions;
        private double normEps;
        private double ropeTheta;
        private Integer rotaryDims;
        private boolean parallelResidual;
        private boolean qkvBias;
        private boolean outBias;
        private boolean mlpBias;
        private boolean tieEmbeddings;
        private Activation activation;
        private int bosId = -1;
        private int eosId = -1;
        private String ropeScaling;
        private double ropeFactor = 1;
        private double ropeLowFreqFactor;
        private double ropeHighFreqFactor;
        private int ropeOriginalMax;

        private Builder(Architecture arch) {
            this.arch = arch;
            this.hfArchitecture = arch.hfNames().get(0);
            switch (arch) {
                case GPT2 -> {
                    normEps = 1e-5;
                    qkvBias = true;
                    outBias = true;
                    mlpBias = true;
                    tieEmbeddings = true;
                    activation = Activation.GELU_TANH;
                }
                case LLAMA -> {
                    normEps = 1e-6;
                    ropeTheta = 10000;
                    activation = Activation.SILU;
                }
                case GPT_NEOX -> {
                    normEps = 1e-5;
                    ropeTheta = 10000;
                    parallelResidual = true;
                    qkvBias = true;
                    outBias = true;
                    mlpBias = true;
                    activation = Activation.GELU;
                }
            }
        }

        public Builder hfArchitecture(String v) {
            hfArchitecture = v;
            return this;
        }

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder hidden(int v) {
            hidden = v;
            return this;
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder heads(int v) {
            heads = v;
            return this;
        }

        public Builder kvHeads(int v) {
            kvHeads = v;
            return this;
        }

        public Builder headDim(int v) {
            headDim = v;
            return this;
        }

        public Builder intermediate(int v) {
            intermediate = v;
            return this;
        }

        public Builder maxPositions(int v) {
            maxPositions = v;
            return this;
        }

        public Builder normEps(double v) {
            normEps = v;
            return this;
        }

        public Builder ropeTheta(double v) {
            ropeTheta = v;
            return this;
        }

        public Builder rotaryDims(int v) {
            rotaryDims = v;
            return this;
        }

        public Builder parallelResidual(boolean v) {
            parallelResidual = v;
            return this;
        }

        public Builder qkvBias(boolean v) {
            qkvBias = v;
            return this;
        }

        public Builder outBias(boolean v) {
            outBias = v;
            return this;
        }

        public Builder mlpBias(boolean v) {
            mlpBias = v;
            return this;
        }

        public Builder tieEmbeddings(boolean v) {
            tieEmbeddings = v;
            return this;
        }

        public Builder activation(Activation v) {
            activation = v;
            return this;
        }

        public Builder bosId(int v) {
            bosId = v;
            return this;
        }

        public Builder eosId(int v) {
            eosId = v;
            return this;
        }

        /** RoPE scaling: {@code type} "linear", "llama3" or null (none) and its parameters. */
        public Builder ropeScaling(
                String type,
                double factor,
                double lowFreqFactor,
                double highFreqFactor,
                int originalMax) {
            ropeScaling = type;
            ropeFactor = factor;
            ropeLowFreqFactor = lowFreqFactor;
            ropeHighFreqFactor = highFreqFactor;
            ropeOriginalMax = originalMax;
            return this;
        }

        public ModelConfig build() {
            int kv = kvHeads != null ? kvHeads : heads;
            int hd = headDim != null ? headDim : (heads == 0 ? 0 : hidden / heads);
            int rotary =
                    rotaryDims != null
                            ? rotaryDims
                            : switch (arch) {
                                case GPT2 -> 0;
                                case LLAMA -> hd;
                                case GPT_NEOX -> (int) (hd * 0.25);
                            };
            return new ModelConfig(
                    arch,
                    hfArchitecture,
                    vocabSize,
                    hidden,
                    layers,
                    heads,
                    kv,
                    hd,
                    intermediate,
                    maxPositions,
                    normEps,
                    ropeTheta,
                    rotary,
                    parallelResidual,
                    qkvBias,
                    outBias,
                    mlpBias,
                    tieEmbeddings,
                    activation,
                    bosId,
                    eosId,
                    ropeScaling,
                    ropeFactor,
                    ropeLowFreqFactor,
                    ropeHighFreqFactor,
                    ropeOriginalMax);
        }
    }

    /** Reads fields and collects every problem before failing. */
    private static final class Reader {
        final JsonNode root;
        final String source;
        final List<String> problems = new ArrayList<>();

        Reader(JsonNode root, String source) {
            this.root = root;
            this.source = source;
        }

        void problem(String p) {
            problems.add(p);
        }

        int requiredInt(String field) {
            JsonNode v = root.get(field);
            if (v == null || !v.isIntegralNumber() || v.asInt() <= 0) {
                problems.add(
                        "\""
                                + field
                                + "\" must be a positive integer, got "
                                + (v == null ? "nothing" : v));
                return 0;
            }
            return v.asInt();
        }

        int optInt(String field, int def) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) {
                return def;
            }
            if (!v.isIntegralNumber()) {
                problems.add("\"" + field + "\" must be an integer, got " + v);
                return def;
            }
            return v.asInt();
        }

        double optDouble(String field, double def) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) {
                return def;
            }
            if (!v.isNumber()) {
                problems.add("\"" + field + "\" must be a number, got " + v);
                return def;
            }
            return v.asDouble();
        }

        boolean optBool(String field, boolean def) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) {
                return def;
            }
            if (!v.isBoolean()) {
                problems.add("\"" + field + "\" must be true or false, got " + v);
                return def;
            }
            return v.asBoolean();
        }

        void refuseTrue(String field) {
            if (optBool(field, false)) {
                problems.add("\"" + field + "\": true is not supported");
            }
        }

        int optTokenId(String field) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) {
                return -1;
            }
            if (v.isArray()) {
                return v.size() == 0 ? -1 : v.get(0).asInt(-1);
            }
            return v.isIntegralNumber() ? v.asInt() : -1;
        }

        Activation activation(String field, String def) {
            String name = root.path(field).asText(def).toLowerCase(Locale.ROOT);
            return switch (name) {
                case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
                case "gelu" -> Activation.GELU;
                case "silu", "swish" -> Activation.SILU;
                case "relu" -> Activation.RELU;
                default -> {
                    problems.add(
                            "\""
                                    + field
                                    + "\" = "
                                    + name
                                    + " is not supported (gelu_new, gelu_pytorch_tanh, gelu,"
                                    + " silu, relu)");
                    yield Activation.GELU;
                }
            };
        }

        void throwIfProblems() {
            if (!problems.isEmpty()) {
                throw MemauditException.badInput(
                        source + ": config.json is not usable: " + String.join("; ", problems));
            }
        }
    }
}
