package dev.memaudit.extractor.testing;

import dev.memaudit.core.io.FileTrees;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.WorkEntry;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.Architecture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The shared canary for slow tests: a model trained on the works of {@code
 * corpora-sample/corpus.yaml} (not the controls) with the fixed member list {@link #MEMBERS}, so
 * every integration test of every module can check its figures against known membership.
 *
 * <p>Trained once per checkout and settings: the model goes to {@code
 * <repo>/target/test-canary/<hash>/} where the hash covers {@link #config()} and the bytes of the
 * corpus manifest and every work file, so a changed setting or work retrains and an unchanged one
 * is reused by every later JVM (and by {@code mvn clean} of a module, which does not touch the
 * repository root's {@code target}). Concurrent JVMs (parallel modules, several test classes)
 * serialize on a file lock; training writes into a temporary folder that is moved into place
 * atomically, so a killed training leaves no half model behind.
 *
 * <p>Settings: a 2-layer llama of width 256 (2.6M parameters, 2,048-id byte-level BPE), 128-token
 * context, batch 4, peak rate 3e-3; 5 of the 15 works are members, each repeated {@value #REPEAT}
 * times (1,657 steps). Measured on the 2-core build machine while other jobs shared it: trained in
 * 235 s, final loss 0.065 nats/token. {@code SampleCanaryIT} (32-token prefix and suffix, stride
 * 32): members 94–100% of windows greedy-extractable (258/262 in all), median p_z under T=1
 * sampling 0.94–0.95; non-members 0/576 windows, median p_z below 1e-148. (The CLI default, 4
 * layers with 6 members × 60, took 6 min 39 s and reached only 0.23 nats/token.)
 *
 * <p><b>Which canary this is: a member-only canary</b> (no background text, trained before ladder
 * canaries existed). It never saw any language but its 5 members, so non-members are out of
 * distribution for it and every method separates them trivially. Tests on it check the pipeline —
 * files, offsets, resumption, that extraction finds what was memorized and nothing else — not how
 * well a method works in a real audit's regime; that evidence comes from ladder canaries trained on
 * background text ({@code memaudit canary train --background}, {@code CanaryLadderIT}, {@code
 * memaudit canary calibrate --background}).
 *
 * <p>Unit tests should not use this class: they use {@code CanaryConfig.tiny()} or tiny random
 * models. Tests that call it are named {@code *IT}.
 */
public final class SampleCanary {
    /**
     * Member works, 5 of the 15: the epub and four plain-text works (the pdf, html, md and jsonl
     * works are all non-members, as is {@code the-missing-glyph} with its non-BMP text).
     */
    public static final Set<String> MEMBERS =
            Set.of(
                    "harbour-lights",
                    "tin-roof-hymns",
                    "kiln-weather",
                    "the-night-kitchen",
                    "tidal-island-notes");

    /** Times each member work appears in the training stream. */
    public static final int REPEAT = 100;

    /** Transformer blocks (the CLI default has 4; 2 train twice as fast and memorize as well). */
    public static final int LAYERS = 2;

    private static volatile Path cached;
    private static volatile Path cachedIndex;

    private SampleCanary() {}

    /** The canary's settings. */
    public static CanaryConfig config() {
        return CanaryConfig.builder()
                .arch(Architecture.LLAMA)
                .vocabSize(2048)
                .hidden(256)
                .layers(LAYERS)
                .heads(4)
                .intermediate(688)
                .contextLength(128)
                .batchSize(4)
                .steps(0)
                .repeat(REPEAT)
                .learningRate(3e-3)
                .seed(42)
                .members(MEMBERS)
                .build();
    }

    /**
     * The trained model folder ({@code config.json, model.safetensors, tokenizer.json,
     * membership.json}); trains it on first use (a few minutes), then returns at once.
     */
    public static synchronized Path modelDir() {
        Path dir = cached;
        if (dir != null) {
            return dir;
        }
        try {
            dir = trainOrReuse();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cached = dir;
        return dir;
    }

    /**
     * An index of {@code corpora-sample} (works and controls, 8-grams, as {@code memaudit index
     * build} makes it by default), built once per corpus content like the model.
     */
    @SuppressWarnings("try") // the lock is held by the try block, not used in it
    public static synchronized Path indexDir() {
        Path dir = cachedIndex;
        if (dir != null) {
            return dir;
        }
        try {
            Path root = repoRoot();
            Path base = Files.createDirectories(root.resolve("target").resolve("test-canary"));
            dir = base.resolve("index-" + corpusKey(root, "ngram=8", true));
            if (!Files.isDirectory(dir)) {
                try (FileChannel ch =
                                FileChannel.open(
                                        base.resolve(".lock"),
                                        StandardOpenOption.CREATE,
                                        StandardOpenOption.WRITE);
                        FileLock lock = ch.lock()) {
                    if (!Files.isDirectory(dir)) {
                        Path tmp = Files.createTempDirectory(base, ".index-");
                        try {
                            Path out = tmp.resolve("index");
                            new IndexBuilder(Clock.systemUTC(), m -> {})
                                    .build(corpusDir(), out, new IndexBuilder.Options(8, true, 1));
                            moveAtomically(out, dir);
                        } finally {
                            FileTrees.delete(tmp);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cachedIndex = dir;
        return dir;
    }

    /** Member work ids (sorted). */
    public static Set<String> members() {
        return new TreeSet<>(MEMBERS);
    }

    /** The other works of the sample corpus (sorted). */
    public static Set<String> nonMembers() {
        Set<String> out = new TreeSet<>();
        for (CorpusText t : texts()) {
            if (!MEMBERS.contains(t.id())) {
                out.add(t.id());
            }
        }
        return out;
    }

    /** The sample corpus folder ({@code <repo>/corpora-sample}). */
    public static Path corpusDir() {
        return repoRoot().resolve("corpora-sample");
    }

    /** The repository root: the nearest folder up from here that holds {@code corpora-sample}. */
    public static Path repoRoot() {
        String prop = System.getProperty("memaudit.repo.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "corpora-sample"))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("corpora-sample"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException(
                "no corpora-sample folder above " + Path.of("").toAbsolutePath());
    }

    /** The works of the sample corpus as the index stores them (controls left out). */
    public static List<CorpusText> texts() {
        CorpusManifest manifest = CorpusManifest.load(corpusDir());
        List<CorpusText> texts = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        new CorpusLoader()
                .load(
                        manifest.works(),
                        w -> texts.add(new CorpusText(w.id(), w.text())),
                        p -> problems.add(p.toString()));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("corpora-sample does not load: " + problems);
        }
        return texts;
    }

    @SuppressWarnings("try") // the lock is held by the try block, not used in it
    private static Path trainOrReuse() throws IOException {
        Path root = repoRoot();
        Path base = root.resolve("target").resolve("test-canary");
        Files.createDirectories(base);
        Path dir = base.resolve(key(root));
        if (Files.isRegularFile(dir.resolve("membership.json"))) {
            return dir;
        }
        try (FileChannel ch =
                        FileChannel.open(
                                base.resolve(".lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            if (Files.isRegularFile(dir.resolve("membership.json"))) {
                return dir; // another JVM trained it while this one waited
            }
            Path tmp = Files.createTempDirectory(base, ".training-");
            try {
                long t0 = System.nanoTime();
                Path out = tmp.resolve("model");
                CanaryTrainer.train(config(), texts(), out, System.err);
                System.err.printf(
                        "SampleCanary: trained in %.1f s into %s%n",
                        (System.nanoTime() - t0) / 1e9, dir);
                moveAtomically(out, dir);
            } finally {
                FileTrees.delete(tmp);
            }
            return dir;
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static String key(Path root) throws IOException {
        // Set.copyOf's order changes from JVM to JVM: hash the members sorted
        return corpusKey(
                root, config().withMembers(null) + " members=" + new TreeSet<>(MEMBERS), false);
    }

    private static String corpusKey(Path root, String settings, boolean controls)
            throws IOException {
        MessageDigest md = Sha256.newDigest();
        md.update(settings.getBytes(StandardCharsets.UTF_8));
        CorpusManifest manifest = CorpusManifest.load(root.resolve("corpora-sample"));
        md.update(Sha256.of(manifest.manifestFile()).getBytes(StandardCharsets.UTF_8));
        List<WorkEntry> all = new ArrayList<>(manifest.works());
        if (controls) {
            all.addAll(manifest.controls());
        }
        for (WorkEntry e : all) {
            md.update(e.id().getBytes(StandardCharsets.UTF_8));
            md.update(Sha256.of(e.path()).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest(), 0, 8);
    }
}
