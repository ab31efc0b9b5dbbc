package dev.memaudit.audit.canary;

import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.LoadedWork;
import dev.memaudit.index.source.WorkEntry;
import dev.memaudit.model.canary.BackgroundCorpus;
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
            CanaryConfig cfg, Path corpus, Path background, Path out, PrintStream progress) {
        Inputs in = inputs(corpus, background, progress);
        return CanaryTrainer.train(cfg, in.works(), in.background(), out, progress);
    }

    /**
     * What a canary trains on: the corpus's works and the background (null for none), loaded once
     * for several trainings.
     */
    public record Inputs(List<CorpusText> works, BackgroundCorpus background) {}

    /** Loads a corpus's works and a background (or none) as {@link #train} would. */
    public static Inputs inputs(Path corpus, Path background, PrintStream progress) {
        CorpusManifest manifest = CorpusManifest.load(corpus);
        List<CorpusText> texts = texts(load(manifest, manifest.works(), progress));
        BackgroundCorpus bg = null;
        if (background != null) {
            List<CorpusText> controls = texts(load(manifest, manifest.controls(), progress));
            bg = background(background, controls, progress);
        }
        return new Inputs(texts, bg);
    }

    private static List<CorpusText> texts(List<LoadedWork> works) {
        List<CorpusText> out = new ArrayList<>();
        for (LoadedWork w : works) {
            out.add(new CorpusText(w.id(), w.text()));
        }
        return out;
    }

    /**
     * The works of a background folder or corpus.yaml (its controls too: background is text the
     * canary learns language from, whatever role the file had), read with its reading limits.
     *
     * @param keepOut texts besides the trained works the background must not hold (controls)
     * @param progress one line per file not used
     */
    public static BackgroundCorpus background(
            Path dirOrYaml, List<CorpusText> keepOut, PrintStream progress) {
        CorpusManifest m = CorpusManifest.load(dirOrYaml);
        List<WorkEntry> entries = new ArrayList<>(m.works());
        entries.addAll(m.controls());
        List<BackgroundCorpus.File> files = new ArrayList<>();
        for (LoadedWork w : load(m, entries, progress)) {
            if (!w.text().isBlank()) {
                files.add(
                        new BackgroundCorpus.File(
                                w.id(), w.file().toString(), w.sourceSha256(), w.text()));
            }
        }
        return new BackgroundCorpus(
                dirOrYaml.toAbsolutePath().normalize().toString(), files, keepOut);
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
