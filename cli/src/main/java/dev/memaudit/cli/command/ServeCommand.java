package dev.memaudit.cli.command;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.serve.LocalServer;
import dev.memaudit.model.serve.ServeOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit serve}: the local runtime behind an OpenAI-compatible HTTP API. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a local model over an OpenAI-compatible API (/v1/models, /v1/completions with"
                    + " echo, logprobs, prompt_logprobs, seed, top_k; /tokenize, /detokenize)"
                    + " until stopped.",
            "Listens on loopback unless --host says otherwise; --token-env requires a bearer"
                    + " token."
        })
public final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "<dir>",
            description =
                    "A Hugging Face model folder (config.json, *.safetensors, tokenizer.json).")
    Path model;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "TCP port; 0 = any free port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(
            names = "--token-env",
            paramLabel = "<VAR>",
            description =
                    "Environment variable holding a bearer token every request must carry (never"
                            + " printed).")
    String tokenEnv;

    @Option(
            names = "--model-name",
            paramLabel = "<name>",
            description = "The id /v1/models lists (default: the folder's name).")
    String modelName;

    @Option(
            names = "--max-in-flight",
            defaultValue = "4",
            description = "Requests accepted at once; more get 429 (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "8388608",
            description = "Largest request body (default ${DEFAULT-VALUE}).")
    int maxBodyBytes;

    @Option(
            names = "--max-prompts",
            defaultValue = "64",
            description = "Most prompts in one request (default ${DEFAULT-VALUE}).")
    int maxPrompts;

    @Option(
            names = "--max-logprobs",
            defaultValue = "20",
            description = "Largest top-k of logprobs / prompt_logprobs (default ${DEFAULT-VALUE}).")
    int maxLogprobs;

    @Option(
            names = "--ready-file",
            paramLabel = "<file>",
            description = "Write the server's base URL to this file once it listens (for scripts).")
    Path readyFile;

    @Override
    public Integer call() {
        String token = null;
        if (tokenEnv != null) {
            token = System.getenv(tokenEnv);
            if (token == null || token.isEmpty()) {
                throw MemauditException.usage(
                        "--token-env names " + tokenEnv + ", which is not set or empty");
            }
        }
        String name =
                modelName != null
                        ? modelName
                        : model.toAbsolutePath().normalize().getFileName().toString();
        ServeOptions options =
                new ServeOptions(
                        host,
                        port,
                        name,
                        token,
                        maxBodyBytes,
                        maxInFlight,
                        maxPrompts,
                        maxLogprobs);
        LocalServer.serveUntilStopped(model, options, readyFile, spec.commandLine().getErr());
        return 0;
    }
}
