package dev.memaudit.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.NotPinned;
import dev.memaudit.core.records.run.RunConfigFile;
import dev.memaudit.core.records.run.ServedByRecord;
import dev.memaudit.core.records.run.StageConfig;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * A stage's run folder (see docs/run-folders.md). It pins the run's settings in {@code
 * run-config.json} ({@link RunConfigFile}) when the run starts, so that {@code --resume} continues
 * only a run with the same settings (a changed setting would mix two experiments in one ledger;
 * settings marked {@link NotPinned} may change), and it removes a finished run's {@code
 * manifest.json} when resuming, because a folder without a manifest is an unfinished run.
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
     * @param config the stage's settings (its command is the config's)
     * @param resume continue the run in {@code dir}; without it {@code dir} must be absent or empty
     */
    public static RunFolder open(Path dir, StageConfig config, boolean resume) {
        RunConfigFile wanted = RunConfigFile.of(config);
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
                RunConfigFile had = Records.read(cfg, RunConfigFile.class);
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
                Records.write(cfg, wanted);
            }
            return new RunFolder(dir, resumed);
        } catch (IOException e) {
            throw MemauditException.badInput(dir + ": cannot create: " + e.getMessage(), e);
        }
    }

    /** The pinned settings that differ, as "key was a, now b". */
    private static List<String> differences(RunConfigFile had, RunConfigFile wanted) {
        List<String> out = new ArrayList<>();
        if (!had.command().equals(wanted.command())) {
            out.add("command was " + had.command() + ", now " + wanted.command());
            return out;
        }
        JsonNode a = Records.tree(had.config());
        JsonNode b = Records.tree(wanted.config());
        TreeSet<String> keys = new TreeSet<>();
        for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        keys.removeAll(notPinned(wanted.config().getClass()));
        for (String k : keys) {
            differences(k, a.path(k), b.path(k), out);
        }
        return out;
    }

    /** Objects (a model's identity) field by field, so the message names what differs. */
    private static void differences(String key, JsonNode a, JsonNode b, List<String> out) {
        if (a.isObject() && b.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                differences(key + "." + k, a.path(k), b.path(k), out);
            }
        } else if (!a.equals(b)) {
            out.add(key + " was " + shown(a) + ", now " + shown(b));
        }
    }

    private static String shown(JsonNode n) {
        return n.isMissingNode() ? "absent" : n.toString();
    }

    /**
     * Records that {@code address} (a model folder or server URL) serves this run from now on,
     * unless it is listed already, and returns every address that served the run, in order.
     */
    public List<String> servedBy(String address) {
        Path file = dir.resolve(Records.fileName(ServedByRecord.class));
        List<String> all = new ArrayList<>();
        if (Files.exists(file)) {
            Records.forEach(file, ServedByRecord.class, r -> all.add(r.address()));
        }
        if (!all.contains(address)) {
            try (RunLedger<ServedByRecord> l = RunLedger.open(file, ServedByRecord.class, true)) {
                l.append(new ServedByRecord(ServedByRecord.SCHEMA_VERSION, address));
            }
            all.add(address);
        }
        return all;
    }

    /** The JSON names of a config's {@link NotPinned} components. */
    private static List<String> notPinned(Class<?> type) {
        List<String> out = new ArrayList<>();
        var names = Records.jsonNames(type);
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.isAnnotationPresent(NotPinned.class)) {
                out.add(names.get(c.getName()));
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

    /** Opens the ledger of records of {@code type} (its file, e.g. {@code windows.jsonl}). */
    public <T> RunLedger<T> ledger(Class<T> type) {
        return RunLedger.open(dir.resolve(Records.fileName(type)), type, resumed);
    }
}
