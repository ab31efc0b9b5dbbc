"""Makes golden fixtures for dev.memaudit.model.runtime.GoldenLogitsTest.

Run where Python with torch and transformers is installed (not available where the runtime was
written):

    python3 model/src/test/golden/make_golden.py model/src/test/resources/golden

For each architecture it builds a tiny random-weight model with transformers itself, saves it
with save_pretrained (config.json + model.safetensors), and writes golden.json holding fixed
token inputs and transformers' float32 logits for them. Commit the output folder together with
the versions printed at the end; the Java test then asserts the runtime's logits match to 1e-4.
"""
import json
import os
import sys

import torch
import transformers
from transformers import (GPT2Config, GPT2LMHeadModel, GPTNeoXConfig, GPTNeoXForCausalLM,
                          LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM)

INPUTS = [[1, 5, 9, 200, 3, 77, 8, 8, 150, 42, 0, 299], [7, 7, 7]]


def models():
    yield "gpt2", GPT2LMHeadModel(GPT2Config(
        vocab_size=300, n_embd=32, n_layer=2, n_head=4, n_positions=64))
    yield "llama-gqa", LlamaForCausalLM(LlamaConfig(
        vocab_size=300, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
        rope_theta=500.0))
    yield "qwen2", Qwen2ForCausalLM(Qwen2Config(
        vocab_size=300, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
        tie_word_embeddings=True))
    yield "neox-parallel", GPTNeoXForCausalLM(GPTNeoXConfig(
        vocab_size=300, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, rotary_pct=0.25, max_position_embeddings=64))
    yield "neox-sequential", GPTNeoXForCausalLM(GPTNeoXConfig(
        vocab_size=300, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, rotary_pct=0.5, max_position_embeddings=64,
        use_parallel_residual=False))


def main(out):
    torch.manual_seed(20261125)
    for name, model in models():
        with torch.no_grad():
            for p in model.parameters():
                # well above the default init so the logits are far from uniform
                p.add_(torch.randn_like(p) * 0.3)
        model.eval()
        folder = os.path.join(out, name)
        model.save_pretrained(folder, safe_serialization=True)
        with torch.no_grad():
            logits = [model(torch.tensor([ids])).logits[0].float().tolist() for ids in INPUTS]
        with open(os.path.join(folder, "golden.json"), "w") as f:
            json.dump({"inputs": INPUTS, "logits": logits,
                       "torch": torch.__version__, "transformers": transformers.__version__}, f)
    print("torch", torch.__version__, "transformers", transformers.__version__)


if __name__ == "__main__":
    main(sys.argv[1])
