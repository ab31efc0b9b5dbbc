package dev.memaudit.cli.command;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.http.EndpointConfig;
import dev.memaudit.model.http.OpenAiCompletionsModel;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The model flags shared by every command that runs a model (a picocli mixin): a local folder
 * ({@code --model}) or an OpenAI-compatible server ({@code --endpoint}).
 */
public final class ModelOption {
    /** The command this mixin is in: a dropped replica is reported on its error stream. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--model",
            paramLabel = "<dir>",
            description =
                    "A Hugging Face model folder (config.json, *.safetensors, tokenizer.json), e.g."
                            + " one written by `memaudit canary train`. Or use --endpoint.")
    Path model;

    @Option(
            names = "--endpoint",
            paramLabel = "<url>",
            description =
                    "An OpenAI-compatible server (vLLM, llama.cpp, `memaudit serve`), e.g."
                            + " http://127.0.0.1:8000; instead of --model. Give it several times"
                            + " for replicas of one model: each is probed and must serve the same"
                            + " model; requests go to the least busy, a failing replica is"
                            + " dropped with a warning.")
    List<URI> endpoints = new ArrayList<>();

    @Option(
            names = "--model-name",
            paramLabel = "<name>",
            description = "The served model's id (default: the only one /v1/models lists).")
    String modelName;

    @Option(
            names = "--api-key-env",
            paramLabel = "<VAR>",
            description =
                    "Environment variable holding the server's API key (sent as a bearer token;"
                            + " never printed or recorded).")
    String apiKeyEnv;

    @Option(
            names = "--tokenizer",
            paramLabel = "<tokenizer.json>",
            description =
                    "The served model's tokenizer.json: recommended for open models, it needs"
                            + " no request (default: the server's /tokenize, and /detokenize when it"
                            + " gives no token pieces; the plan is printed first).")
    Path tokenizer;

    @Option(
            names = "--max-in-flight",
            defaultValue = "8",
            paramLabel = "<n>",
            description = "Requests open at once against --endpoint (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(
            names = "--request-timeout",
            defaultValue = "300",
            paramLabel = "<seconds>",
            description = "Longest wait for one server answer (default ${DEFAULT-VALUE}).")
    int requestTimeout;

    @Option(
            names = "--retries",
            defaultValue = "8",
            paramLabel = "<n>",
            description =
                    "Retries of a request after 429, 5xx, resets or timeouts, with exponential"
                            + " backoff (default ${DEFAULT-VALUE}).")
    int retries;

    /**
     * Opens the model: the local folder, or the server (probing what it can do).
     *
     * @throws MemauditException usage when neither or both of --model and --endpoint are given;
     *     backend (exit 4) when the server is down or answers outside the protocol
     */
    public LanguageModel open() {
        if ((model == null) == endpoints.isEmpty()) {
            throw MemauditException.usage("give exactly one of --model <dir> and --endpoint <url>");
        }
        if (model != null) {
            checkLocalOnly();
            return ModelLoader.load(model);
        }
        return OpenAiCompletionsModel.open(endpointConfigs(), this::warn);
    }

    private void warn(String line) {
        java.io.PrintWriter err = mixee.commandLine().getErr();
        err.println(line);
        err.flush();
    }

    /**
     * Opens the index and then the model, runs {@code service} on both and closes them: the shape
     * of every command whose service reads works and runs the model (extract, sample --campaign).
     *
     * @throws MemauditException as {@link #open()}, or when the index cannot be opened
     */
    public <T> T withIndex(Path indexDir, BiFunction<NgramIndex, LanguageModel, T> service) {
        try (NgramIndex index = NgramIndex.open(indexDir);
                LanguageModel m = open()) {
            return service.apply(index, m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads a local model, for commands that need the local runtime itself (training, benchmarks).
     *
     * @throws MemauditException usage when --endpoint is given instead of --model
     */
    public DjlLanguageModel load() {
        if (model == null) {
            throw MemauditException.usage(
                    "this command runs the model locally: give --model <dir>"
                            + (endpoints.isEmpty() ? "" : " (it does not work with --endpoint)"));
        }
        checkLocalOnly();
        return ModelLoader.load(model);
    }

    private void checkLocalOnly() {
        if (modelName != null || apiKeyEnv != null || tokenizer != null) {
            throw MemauditException.usage(
                    "--model-name, --api-key-env and --tokenizer go with --endpoint, not --model");
        }
    }

    /** The server settings of every --endpoint (replicas) and their companions. */
    List<EndpointConfig> endpointConfigs() {
        List<EndpointConfig> out = new ArrayList<>();
        for (URI e : endpoints) {
            out.add(endpointConfig(e));
        }
        return out;
    }

    /** The server settings of one --endpoint and its companions. */
    EndpointConfig endpointConfig(URI endpoint) {
        String key = null;
        if (apiKeyEnv != null) {
            key = System.getenv(apiKeyEnv);
            if (key == null || key.isEmpty()) {
                throw MemauditException.usage(
                        "--api-key-env names " + apiKeyEnv + ", which is not set or empty");
            }
        }
        if (requestTimeout < 1) {
            throw MemauditException.usage("--request-timeout must be ≥ 1 s, got " + requestTimeout);
        }
        return EndpointConfig.of(endpoint, modelName, key, tokenizer)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(requestTimeout))
                .withRetries(retries, Duration.ofMillis(500), Duration.ofSeconds(60))
                .withMaxInFlight(maxInFlight);
    }

    /** The local model folder, or null when the model is behind --endpoint. */
    public Path path() {
        return model;
    }

    /** The {@code backend} section of a run manifest (description, capabilities; no key). */
    public static Map<String, Object> manifestSection(LanguageModel m) {
        return m.manifestSection();
    }
}
