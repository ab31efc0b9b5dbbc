package dev.memaudit.audit.canary;

import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.LoadedWork;
import dev.memaudit.index.source.WorkEntry;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryResult;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code memaudit canary train}: a canary trained on the works of a corpus (read with the corpus's
 * reading limits, as the index reads them). The model module trains on texts; this class gives it a
 * corpus.
 */
public final class CanaryTraining {
    private CanaryTraining() {}

    /**
     * Trains a canary on the works of {@code corpus} into {@code out}.
     *
     * @param corpus a corpus folder or corpus.yaml (its controls are not trained on)
     * @param progress training progress and one line per work not used
     */
    public static CanaryResult train(
            CanaryConfig cfg, Path corpus, Path out, PrintStream progress) {
        CorpusManifest manifest = CorpusManifest.load(corpus);
        List<CorpusText> texts = new ArrayList<>();
        for (LoadedWork w : load(manifest, manifest.works(), progress)) {
            texts.add(new CorpusText(w.id(), w.text()));
        }
        return CanaryTrainer.train(cfg, texts, out, progress);
    }

    /**
     * The texts of a corpus's entries, in order; each one that cannot be read is printed as {@code
     * memaudit: <file>[:<line>]: not used: <reason>} and left out.
     */
    static List<LoadedWork> load(CorpusManifest m, List<WorkEntry> entries, PrintStream err) {
        List<LoadedWork> out = new ArrayList<>();
        new CorpusLoader(m.limits())
                .load(
                        entries,
                        out::add,
                        p ->
                                err.println(
                                        "memaudit: "
                                                + p.file()
                                                + (p.line() == null ? "" : ":" + p.line())
                                                + ": not used: "
                                                + p.reason()));
        return out;
    }
}
