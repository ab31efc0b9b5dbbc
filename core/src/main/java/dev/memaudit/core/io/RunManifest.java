package dev.memaudit.core.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code manifest.json} of a run folder: tool version, command line, effective configuration,
 * seeds, UTC start and end, and the SHA-256 of every input and output, so that a result can say
 * exactly what produced it. Written when the run ends (and rewritten by a resumed run).
 */
public final class RunManifest {
    /** Version of the manifest layout. */
    public static final int SCHEMA_VERSION = 1;

    private final Clock clock;
    private final String command;
    private final List<String> args;
    private final String started;
    private final Map<String, Object> config = new LinkedHashMap<>();
    private final Map<String, Object> inputs = new TreeMap<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();

    public RunManifest(Clock clock, String command, List<String> args) {
        this.clock = clock;
        this.command = command;
        this.args = List.copyOf(args);
        this.started = Instant.now(clock).toString();
    }

    /** Records one effective setting. */
    public RunManifest config(String key, Object value) {
        config.put(key, value);
        return this;
    }

    /** Records an input file by its SHA-256 under a name (usually its path). */
    public RunManifest input(String name, Path file) {
        inputs.put(name, Map.of("sha256", Sha256.of(file), "bytes", size(file)));
        return this;
    }

    /** Records an input known by its hash only (e.g. a work's source as the index recorded it). */
    public RunManifest inputHash(String name, String sha256) {
        inputs.put(name, Map.of("sha256", sha256));
        return this;
    }

    /** Adds a top-level section (e.g. counters). */
    public RunManifest section(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    /** Hashes every file in {@code runDir} except the manifest itself and writes the manifest. */
    public void write(Path runDir) {
        Map<String, Object> outputs = new TreeMap<>();
        try (var files = Files.walk(runDir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String rel = runDir.relativize(f).toString().replace('\\', '/');
                if (!rel.equals("manifest.json") && !rel.endsWith(".tmp")) {
                    outputs.put(rel, Map.of("sha256", Sha256.of(f), "bytes", size(f)));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + runDir, e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", SCHEMA_VERSION);
        m.put("tool", "memaudit");
        m.put("tool_version", ToolVersion.get());
        m.put("command", command);
        m.put("args", new ArrayList<>(args));
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("started_utc", started);
        m.put("ended_utc", Instant.now(clock).toString());
        m.put("config", config);
        m.put("inputs", inputs);
        m.put("outputs", outputs);
        m.putAll(extra);
        Json.writePretty(runDir.resolve("manifest.json"), m);
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + f, e);
        }
    }
}
