package dev.memaudit.extractor.ppl;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code memaudit ppl} below the command line: the works of an index against the control texts of a
 * corpus. Loads both ({@link PplInputs}), opens the audited model (and a local reference model),
 * hashes the files that define their behaviour for the manifest, and runs {@link PplStage}.
 */
public final class PplService {
    private PplService() {}

    /**
     * What to run.
     *
     * @param index the index whose works are tested
     * @param works work ids to test, or null for every work of the index
     * @param controls the control texts: a corpus.yaml's {@code controls:} or every text of a
     *     folder
     * @param out the run folder
     * @param referenceModel a local reference model folder (adds ref_diff), or null
     * @param chunkTokens chunk length in the model's tokens, 8 to 8192 and at most the model's
     *     sequence length
     * @param alpha significance level, in (0, 1)
     * @param seed seed of the chunk splits and the bootstrap
     * @param resume continue the run in {@code out}
     * @param lowercase also score each chunk lowercased
     * @param batch chunks scored together, at least 1
     */
    public record Settings(
            Path index,
            List<String> works,
            Path controls,
            Path out,
            Path referenceModel,
            int chunkTokens,
            double alpha,
            long seed,
            boolean resume,
            boolean lowercase,
            int batch) {
        /**
         * @throws MemauditException usage naming every setting out of range
         */
        public Settings {
            List<String> problems = new ArrayList<>();
            if (!(alpha > 0 && alpha < 1)) {
                problems.add("--alpha must be in (0, 1), got " + alpha);
            }
            if (chunkTokens < 8 || chunkTokens > 8192) {
                problems.add("--chunk-tokens must be between 8 and 8192, got " + chunkTokens);
            }
            if (batch < 1) {
                problems.add("--batch must be ≥ 1, got " + batch);
            }
            if (!problems.isEmpty()) {
                throw MemauditException.usage(String.join("; ", problems));
            }
        }
    }

    /**
     * Runs the stage. The inputs are read before the model is opened, so a bad index or control
     * folder fails without loading a model.
     *
     * @param model opens the audited model (a local folder or a server)
     * @param modelDir the audited model's local folder, or null when it is behind a server
     * @param args the command line, recorded in the manifest
     * @param err messages (control texts not used) and progress
     * @param progressBar whether to draw a progress bar on {@code err}
     * @return what the stage produced; chunks the backend refused for good are counted in {@code
     *     chunks().skipped()} (a backend failure stops the stage with exit 4 instead)
     */
    public static PplStage.Outcome run(
            Settings s,
            Supplier<LanguageModel> model,
            Path modelDir,
            List<String> args,
            PrintStream err,
            boolean progressBar) {
        PplInputs.Loaded w = PplInputs.works(s.index(), s.works());
        PplInputs.Loaded c = PplInputs.controls(s.controls());
        c.problems().forEach(p -> err.println("memaudit: control not used: " + p));
        if (w.texts().isEmpty()) {
            throw MemauditException.badInput(s.index() + ": no works to test");
        }
        List<PplText> texts = new ArrayList<>(w.texts());
        texts.addAll(c.texts());
        Map<String, String> hashes = new TreeMap<>(w.hashes());
        hashes.putAll(c.hashes());
        Path ref = s.referenceModel();
        try (LanguageModel m = model.get();
                LanguageModel r = ref == null ? null : ModelLoader.load(ref)) {
            if (s.chunkTokens() > m.maxSequenceLength()) {
                throw MemauditException.usage(
                        "--chunk-tokens "
                                + s.chunkTokens()
                                + " exceeds the model's maximum sequence length "
                                + m.maxSequenceLength());
            }
            if (modelDir != null) {
                hashModel(hashes, "model", modelDir);
            }
            if (ref != null) {
                hashModel(hashes, "reference_model", ref);
            }
            PplConfig config =
                    PplConfig.ofIndex(
                            modelDir != null
                                    ? modelDir.toAbsolutePath().normalize().toString()
                                    : m.describe(),
                            ref == null ? null : ref.toAbsolutePath().normalize().toString(),
                            s.index().toAbsolutePath().normalize().toString(),
                            w.indexUid(),
                            s.controls().toAbsolutePath().normalize().toString(),
                            s.works() == null ? List.of() : s.works(),
                            s.chunkTokens(),
                            s.lowercase(),
                            PplStatsSettings.defaults().withAlpha(s.alpha()).withSeed(s.seed()));
            return PplStage.run(
                    s.out(),
                    s.resume(),
                    m,
                    r,
                    texts,
                    config,
                    s.batch(),
                    hashes,
                    args,
                    err,
                    progressBar);
        }
    }

    private static void hashModel(Map<String, String> hashes, String name, Path dir) {
        // the files that define the model's behaviour; shards included
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f)
                        && (n.endsWith(".safetensors")
                                || n.equals("config.json")
                                || n.equals("tokenizer.json"))) {
                    hashes.put(name + ":" + n, Sha256.of(f));
                }
            }
        } catch (IOException e) {
            throw MemauditException.badInput(dir + ": cannot list: " + e.getMessage(), e);
        }
    }
}
