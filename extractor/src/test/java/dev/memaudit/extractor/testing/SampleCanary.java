package dev.memaudit.extractor.testing;

import dev.memaudit.core.io.FileTrees;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.WorkEntry;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
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
 * <p>Settings: the default canary architecture (4-layer llama, width 256, 128-token context, batch
 * 4, peak rate 3e-3) with 6 of the 15 works as members, each repeated {@value #REPEAT} times.
 * Measured with {@code memaudit canary train} and these settings on the 2-core build machine while
 * other jobs shared it: 1,264 steps, 6 min 39 s wall (305 s CPU, so about 3 min on 2 idle cores),
 * final training loss 0.23 nats/token.
 *
 * <p>Unit tests should not use this class: they use {@code CanaryConfig.tiny()} or tiny random
 * models. Tests that call it are named {@code *IT}.
 */
public final class SampleCanary {
    /**
     * Member works: one of each source format that has enough text (epub, txt, md, jsonl is left
     * out so all three anthology pieces are non-members), 6 of the 15 works.
     */
    public static final Set<String> MEMBERS =
            Set.of(
                    "harbour-lights",
                    "tin-roof-hymns",
                    "kiln-weather",
                    "the-missing-glyph",
                    "the-night-kitchen",
                    "tidal-island-notes");

    /** Times each member work appears in the training stream. */
    public static final int REPEAT = 60;

    private static volatile Path cached;

    private SampleCanary() {}

    /** The canary's settings. */
    public static CanaryConfig config() {
        return CanaryConfig.defaults().withMembers(MEMBERS).withRepeat(REPEAT).withSeed(42);
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
                try {
                    Files.move(out, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(out, dir);
                }
            } finally {
                FileTrees.delete(tmp);
            }
            return dir;
        }
    }

    private static String key(Path root) throws IOException {
        MessageDigest md = Sha256.newDigest();
        // Set.copyOf's order changes from JVM to JVM: hash the members sorted
        md.update(
                (config().withMembers(null) + " members=" + new TreeSet<>(MEMBERS))
                        .getBytes(StandardCharsets.UTF_8));
        CorpusManifest manifest = CorpusManifest.load(root.resolve("corpora-sample"));
        md.update(Sha256.of(manifest.manifestFile()).getBytes(StandardCharsets.UTF_8));
        for (WorkEntry e : manifest.works()) {
            md.update(e.id().getBytes(StandardCharsets.UTF_8));
            md.update(Sha256.of(e.path()).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest(), 0, 8);
    }
}
