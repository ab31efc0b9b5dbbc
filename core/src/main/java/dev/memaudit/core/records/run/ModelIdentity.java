package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;

/**
 * What a model is, never where it is served: a run pins it (in run-config.json), so {@code
 * --resume} continues with the same model at another folder, URL, port or replica, and refuses a
 * different one naming the field that differs.
 *
 * @param backend the kind of backend: {@code local} (a model folder), {@code openai-completions}
 *     (an OpenAI-compatible server), or another backend's own description
 * @param weightsSha256 local: SHA-256 over the folder's {@code config.json} and {@code
 *     *.safetensors} files (name and SHA-256 of each, in name order); null for a server
 * @param tokenizerSha256 local: SHA-256 of {@code tokenizer.json}; null for a server (its tokenizer
 *     is identified by the fingerprint, however it is reached)
 * @param servedModel server: the model name requests carry; null for a local folder
 * @param modelId server: the model as {@code /v1/models} reports it (its {@code root} where given,
 *     else its {@code id}); null when the server does not list it, and for a local folder
 * @param contextTokens the longest sequence the model accepts, in tokens
 * @param tokenizerFingerprint SHA-256 of the token ids (decimal, comma-separated) the model's
 *     tokenizer gives a fixed probe text: the same for the same tokenization however it is reached
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelIdentity(
        String backend,
        @Nullable String weightsSha256,
        @Nullable String tokenizerSha256,
        @Nullable String servedModel,
        @Nullable String modelId,
        int contextTokens,
        String tokenizerFingerprint) {}
