package dev.memaudit.extractor.testing;

import dev.memaudit.extractor.extract.AttemptSelection;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.extractor.extract.Scheme;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.runtime.RuntimeSetup;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * A child-process entry point for kill tests: {@code ExtractRunner <model> <index> <out> <resume>
 * <works,...>} runs {@link #OPTIONS} on the given works.
 */
public final class ExtractRunner {
    private ExtractRunner() {}

    /** Settings of the kill test: short windows, a few attempts on the top windows. */
    public static ExtractService.Options options(List<String> works) {
        return new ExtractService.Options(
                24,
                24,
                24,
                List.of(Scheme.parse("t0.7_k20")),
                8,
                3,
                Scheme.T1,
                AttemptSelection.parse("top:4"),
                11,
                96,
                8,
                0.8,
                works);
    }

    public static void main(String[] args) throws Exception {
        RuntimeSetup.configure();
        try (DjlLanguageModel m = ModelLoader.load(Path.of(args[0]));
                NgramIndex idx = NgramIndex.open(Path.of(args[1]))) {
            new ExtractService(Clock.systemUTC(), System.err, false)
                    .run(
                            m,
                            idx,
                            options(Arrays.asList(args[4].split(","))),
                            Path.of(args[2]),
                            Boolean.parseBoolean(args[3]),
                            Arrays.asList(args));
        }
    }
}
