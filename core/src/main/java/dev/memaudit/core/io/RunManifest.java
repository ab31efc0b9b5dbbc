package dev.memaudit.core.io;

import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.FileDigest;
import dev.memaudit.core.records.run.Manifest;
import dev.memaudit.core.records.run.StageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Writes the {@code manifest.json} ({@link Manifest}) of a run folder: tool version, command line,
 * effective configuration, seeds, UTC start and end, and the SHA-256 of every input and output, so
 * that a result can say exactly what produced it. Written when the run ends (and rewritten by a
 * resumed run).
 */
public final class RunManifest {
    /** Version of the manifest layout. */
    public static final int SCHEMA_VERSION = Manifest.SCHEMA_VERSION;

    private final Clock clock;
    private final List<String> args;
    private final String started;
    private final Map<String, FileDigest> inputs = new TreeMap<>();
    private final Map<String, Pending> hashing = new HashMap<>();
    private Map<String, Object> seeds;
    private Map<String, Object> backend;
    private Map<String, Integer> schemaVersions;
    private String runDir;
    private List<Manifest.ReportStage> stages;

    /** Starts a manifest; the start time is now. */
    public RunManifest(Clock clock, List<String> args) {
        this.clock = clock;
        this.args = List.copyOf(args);
        this.started = Instant.now(clock).toString();
    }

    /** Records an input file by its SHA-256 and size under a name (usually its path). */
    public RunManifest input(String name, Path file) {
        Pending ahead = hashing.remove(name);
        String sha256;
        if (ahead != null && ahead.path.equals(file)) {
            try {
                sha256 = ahead.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
        } else {
            sha256 = Sha256.of(file);
        }
        inputs.put(name, new FileDigest(sha256, size(file)));
        return this;
    }

    /**
     * Starts hashing input files (name to path, as {@link #input} will be given them) on one
     * background thread, so that hashing overlaps the run's single-threaded start (index open);
     * {@link #input} then waits for the hash instead of computing it. Hashing 20 MB of outputs cost
     * 0.3 s of a 1.5 s scan on the C1 compiler, which has no SHA-256 intrinsic.
     */
    public RunManifest hashAhead(Map<String, Path> files) {
        if (files.isEmpty()) {
            return this;
        }
        Map<String, Path> copy = new LinkedHashMap<>(files);
        List<Pending> pending = new ArrayList<>();
        for (Map.Entry<String, Path> f : copy.entrySet()) {
            Pending p = new Pending(f.getValue());
            hashing.put(f.getKey(), p);
            pending.add(p);
        }
        Thread t =
                new Thread(
                        () -> {
                            for (Pending p : pending) {
                                try {
                                    p.complete(Sha256.of(p.path));
                                } catch (RuntimeException e) {
                                    p.completeExceptionally(e);
                                }
                            }
                        },
                        "memaudit-hash-inputs");
        t.setDaemon(true);
        t.start();
        return this;
    }

    /** The inputs recorded so far (for tests). */
    Map<String, FileDigest> inputs() {
        return Map.copyOf(inputs);
    }

    /** A hash being computed ahead, for one path. */
    private static final class Pending extends CompletableFuture<String> {
        final Path path;

        Pending(Path path) {
            this.path = path;
        }
    }

    /** Records an input known by its hash only (e.g. a work's source as the index recorded it). */
    public RunManifest inputHash(String name, String sha256) {
        inputs.put(name, new FileDigest(sha256, null));
        return this;
    }

    /** The run's seeds by name. */
    public RunManifest seeds(Map<String, ?> seeds) {
        this.seeds = new LinkedHashMap<>(seeds);
        return this;
    }

    /** The model backend as it describes itself. */
    public RunManifest backend(Map<String, Object> backend) {
        this.backend = new LinkedHashMap<>(backend);
        return this;
    }

    /** Versions of files whose layout the manifest names (kept for older readers). */
    public RunManifest schemaVersions(Map<String, Integer> versions) {
        this.schemaVersions = new TreeMap<>(versions);
        return this;
    }

    /** A report bundle's run folder (relative to the bundle) and the stage folders it read. */
    public RunManifest report(String runDir, List<Manifest.ReportStage> stages) {
        this.runDir = runDir;
        this.stages = List.copyOf(stages);
        return this;
    }

    /**
     * Hashes every file in {@code runDir} except the manifest itself and writes the manifest.
     *
     * @param config the effective settings; its command is the manifest's
     */
    public Manifest write(Path runDir, StageConfig config) {
        Map<String, FileDigest> outputs = new TreeMap<>();
        try (var files = Files.walk(runDir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String rel = runDir.relativize(f).toString().replace('\\', '/');
                if (!rel.equals("manifest.json") && !rel.endsWith(".tmp")) {
                    outputs.put(rel, new FileDigest(Sha256.of(f), size(f)));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + runDir, e);
        }
        Manifest m =
                new Manifest(
                        SCHEMA_VERSION,
                        "memaudit",
                        ToolVersion.get(),
                        config.command(),
                        args,
                        System.getProperty("java.version"),
                        System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                        started,
                        Instant.now(clock).toString(),
                        config,
                        inputs,
                        outputs,
                        seeds,
                        backend,
                        schemaVersions,
                        this.runDir,
                        stages);
        Records.write(runDir.resolve("manifest.json"), m);
        return m;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + f, e);
        }
    }
}
