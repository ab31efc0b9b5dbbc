package dev.memaudit.model.runtime;

import java.util.List;

/** The transformer families the runtime implements. */
public enum Architecture {
    /** GPT-2: learned positions, LayerNorm, tanh-GELU MLP, Conv1D ([in, out]) weights. */
    GPT2(List.of("GPT2LMHeadModel"), "gpt2"),
    /** Llama and variants differing only in config knobs: RMSNorm, RoPE, SwiGLU, GQA. */
    LLAMA(List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"), "llama"),
    /** GPT-NeoX / Pythia: LayerNorm, partial rotary, fused per-head qkv, parallel residual. */
    GPT_NEOX(List.of("GPTNeoXForCausalLM"), "gpt_neox");

    private final List<String> hfNames;
    private final String modelType;

    Architecture(List<String> hfNames, String modelType) {
        this.hfNames = hfNames;
        this.modelType = modelType;
    }

    /** Names accepted in config.json {@code architectures}. */
    public List<String> hfNames() {
        return hfNames;
    }

    /** The canonical config.json {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    /** The architecture of a config.json {@code architectures} entry, or null. */
    public static Architecture ofHfName(String name) {
        for (Architecture a : values()) {
            if (a.hfNames.contains(name)) {
                return a;
            }
        }
        return null;
    }

    /** All accepted names, for error messages. */
    public static List<String> allHfNames() {
        return java.util.Arrays.stream(values()).flatMap(a -> a.hfNames.stream()).toList();
    }
}
