package dev.memaudit.cli.command;

import dev.memaudit.extractor.extract.AttemptSelection;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.extractor.extract.Scheme;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The window and attempt flags of {@code extract} and {@code bench extract} (a picocli mixin): how
 * works are cut into prefix/suffix windows, how many decoding attempts the chosen windows get, and
 * how many rows go into one model call.
 */
public final class WindowOptions {
    @Option(
            names = "--prefix-tokens",
            defaultValue = "50",
            description = "Prefix length in model tokens (default ${DEFAULT-VALUE}).")
    int prefixTokens;

    @Option(
            names = "--suffix-tokens",
            defaultValue = "50",
            description = "True suffix length in model tokens (default ${DEFAULT-VALUE}).")
    int suffixTokens;

    @Option(
            names = "--stride",
            paramLabel = "<tokens>",
            description = "Tokens between window starts (default: --suffix-tokens).")
    Integer stride;

    @Option(
            names = "--attempts",
            defaultValue = "0",
            description =
                    "Sampled decoding attempts per chosen window, after one greedy attempt"
                            + " (default ${DEFAULT-VALUE}: no decoding).")
    int attempts;

    @Option(
            names = "--attempt-windows",
            defaultValue = "all",
            paramLabel = "all|top:K|random:K",
            description =
                    "Windows that get attempts, per work: all, the K with the highest p_z under"
                            + " the attempt scheme, or K drawn at random with the run's seed"
                            + " (calibration) (default ${DEFAULT-VALUE}).")
    String attemptWindows;

    @Option(
            names = "--batch",
            defaultValue = "16",
            description = "Windows or attempt rows per model call (default ${DEFAULT-VALUE}).")
    int batch;

    /**
     * The extract settings of these flags and the rest.
     *
     * @param schemes further schemes whose p_z is computed
     * @param attemptScheme scheme of the sampled attempts
     * @param seed seed of attempts and random window choice
     * @param reconstructMaxTokens most tokens of chained greedy reconstruction per work; 0 = off
     * @param minWords shortest verbatim span reported when a generation is scanned, in words
     * @param minSimilarity lowest word similarity of a near attempt
     * @param works work ids, or null for every work of the index
     */
    ExtractService.Options options(
            List<Scheme> schemes,
            Scheme attemptScheme,
            long seed,
            int reconstructMaxTokens,
            int minWords,
            double minSimilarity,
            List<String> works) {
        return new ExtractService.Options(
                prefixTokens,
                suffixTokens,
                stride == null ? suffixTokens : stride,
                schemes,
                batch,
                attempts,
                attemptScheme,
                AttemptSelection.parse(attemptWindows),
                seed,
                reconstructMaxTokens,
                minWords,
                minSimilarity,
                works);
    }
}
