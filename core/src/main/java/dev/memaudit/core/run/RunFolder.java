package dev.memaudit.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A stage's run folder (see docs/run-folders.md). It pins the run's effective configuration in
 * {@code run-config.json} when the run starts, so that {@code --resume} continues only a run with
 * the same settings (a changed setting would mix two experiments in one ledger), and it removes a
 * finished run's {@code manifest.json} when resuming, because a folder without a manifest is an
 * unfinished run.
 */
public final class RunFolder {
    /** The file holding the configuration a run started with. */
    public static final String CONFIG_FILE = "run-config.json";

    private final Path dir;
    private final boolean resumed;

    private RunFolder(Path dir, boolean resumed) {
        this.dir = dir;
        this.resumed = resumed;
    }

    /**
     * Opens or creates a run folder.
     *
     * @param command the stage (e.g. {@code extract})
     * @param config every setting that changes the records (seeds included); values must be
     *     JSON-serializable
     * @param resume continue the run in {@code dir}; without it {@code dir} must be absent or empty
     */
    public static RunFolder open(Path dir, String command, Map<String, ?> config, boolean resume) {
        Map<String, Object> pinned = new LinkedHashMap<>();
        pinned.put("command", command);
        pinned.put("config", config);
        ObjectNode wanted;
        try {
            // Through text, as the file will be read back: a long 5 and the int 5 read from the
            // file must compare equal.
            wanted = (ObjectNode) Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(pinned));
        } catch (IOException e) {
            throw new IllegalArgumentException("run settings are not JSON: " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(dir);
            Path cfg = dir.resolve(CONFIG_FILE);
            boolean hasFiles;
            try (var s = Files.list(dir)) {
                hasFiles = s.findAny().isPresent();
            }
            if (hasFiles && !resume) {
                throw MemauditException.usage(
                        dir
                                + ": folder is not empty; pass --resume to continue the run in it,"
                                + " or choose a new --out folder");
            }
            boolean resumed = false;
            if (resume && Files.exists(cfg)) {
                JsonNode had;
                try {
                    had = Json.MAPPER.readTree(cfg.toFile());
                } catch (IOException e) {
                    throw MemauditException.integrity(
                            cfg + ": unreadable run configuration: " + e.getMessage(), e);
                }
                List<String> diff = differences(had, wanted);
                if (!diff.isEmpty()) {
                    throw MemauditException.usage(
                            dir
                                    + ": cannot resume with different settings ("
                                    + String.join(", ", diff)
                                    + "); use the original settings or a new --out folder");
                }
                resumed = true;
                Files.deleteIfExists(dir.resolve("manifest.json"));
            } else if (hasFiles) {
                throw MemauditException.usage(
                        dir + ": has files but no " + CONFIG_FILE + "; not a memaudit run folder");
            }
            if (!Files.exists(cfg)) {
                Json.writePretty(cfg, wanted);
            }
            return new RunFolder(dir, resumed);
        } catch (IOException e) {
            throw MemauditException.badInput(dir + ": cannot create: " + e.getMessage(), e);
        }
    }

    private static List<String> differences(JsonNode had, JsonNode wanted) {
        List<String> out = new ArrayList<>();
        if (!had.path("command").equals(wanted.path("command"))) {
            out.add(
                    "command was "
                            + had.path("command").asText()
                            + ", now "
                            + wanted.path("command").asText());
        }
        JsonNode a = had.path("config");
        JsonNode b = wanted.path("config");
        TreeSet<String> keys = new TreeSet<>();
        for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        for (String k : keys) {
            if (!a.path(k).equals(b.path(k))) {
                out.add(k + " was " + a.path(k) + ", now " + b.path(k));
            }
        }
        return out;
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** Whether an earlier run's configuration was found and is being continued. */
    public boolean resumed() {
        return resumed;
    }

    /** Opens the ledger {@code name} (e.g. {@code windows.jsonl}) of this run. */
    public RunLedger ledger(String name) {
        return RunLedger.open(dir.resolve(name), resumed);
    }
}
