/**
 * The model module: the {@link dev.memaudit.model.LanguageModel} contract, a local runtime for
 * Hugging Face checkpoints on DJL's PyTorch engine (CPU), the canary trainer and the model
 * benchmark.
 *
 * <p>Conventions used throughout: log-probabilities are natural logarithms; positions and lengths
 * count model tokens, 0-based; text offsets are Unicode code points, half-open, into the text as
 * given.
 */
package dev.memaudit.model;
