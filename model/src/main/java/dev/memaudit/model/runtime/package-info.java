/**
 * The local runtime: Hugging Face model folders ({@code config.json}, safetensors weights, {@code
 * tokenizer.json}) run on DJL's PyTorch engine, CPU, float32. Architectures are written with DJL
 * array operations ({@link dev.memaudit.model.runtime.Transformer}); nothing is downloaded.
 */
package dev.memaudit.model.runtime;
