package dev.memaudit.audit;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.AuditState;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.source.CorpusManifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs an audit: each stage is the memaudit command a user would type (so the plan shows the exact
 * commands, and each stage folder's manifest records its own), run in this process. A stage is
 * skipped when its results are present and current: its fingerprint — the SHA-256 of its command
 * line and of the fingerprints of what it reads (model files, the indexed works) — equals the one
 * recorded in {@code audit-state.json} when it last finished. An unfinished stage with the same
 * fingerprint is resumed; a stage whose fingerprint changed is moved to {@code superseded/} (never
 * deleted) and run again. The index stage always runs: index building is incremental and keeps
 * unchanged works.
 */
public final class AuditRunner {
    /** Version of {@code audit-state.json}. */
    public static final int STATE_VERSION = AuditState.SCHEMA_VERSION;

    private final AuditConfig cfg;
    private final StageCommands commands;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Clock clock;
    private final Path stateFile;
    // Hashing the model's weights (gigabytes for a real model) once per audit, not once per stage;
    // forgotten when the model stage writes new weights.
    private String modelFingerprint;
    // audit-state.json's stages, in the order they last ran
    private Map<String, AuditState.Stage> state;

    public AuditRunner(
            AuditConfig cfg,
            StageCommands commands,
            PrintWriter out,
            PrintWriter err,
            Clock clock) {
        this.cfg = cfg;
        this.commands = commands;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.stateFile = cfg.out().resolve("audit-state.json");
    }

    /** One stage as planned: its folder, the command and whether it can run now. */
    record Stage(String name, Path dir, List<String> args, Path doneMarker, boolean resumable) {}

    /**
     * Runs (or with {@code dryRun} only prints) the plan.
     *
     * @return the exit code: 0, or the code of the first stage that failed
     */
    public int run(boolean dryRun) {
        state = readState();
        if (!dryRun) {
            createDirectories(cfg.out());
        }
        out.printf(
                Locale.ROOT,
                "audit %s -> %s%s%n",
                cfg.file(),
                cfg.out(),
                dryRun ? " (dry run: nothing is executed)" : "");
        List<String> done = new ArrayList<>();
        for (String name : AuditConfig.STAGES) {
            if (!cfg.stages().contains(name)) {
                continue;
            }
            Stage stage = plan(name);
            if (stage == null) {
                out.printf(Locale.ROOT, "  %-8s not applicable (%s)%n", name, notApplicable(name));
                continue;
            }
            String command = "memaudit " + String.join(" ", quoteAll(stage.args()));
            if (!commands.has(stage.args().get(0))) {
                out.printf(
                        Locale.ROOT,
                        "  %-8s unavailable: this build has no `memaudit %s`%n",
                        name,
                        stage.args().get(0));
                continue;
            }
            String fp = fingerprint(stage, done);
            AuditState.Stage had = state.get(name);
            boolean sameFp = fp != null && had != null && fp.equals(had.fingerprint());
            boolean finished = sameFp && had.finished();
            boolean present = Files.exists(stage.doneMarker());
            if (!name.equals("index") && finished && present) {
                out.printf(Locale.ROOT, "  %-8s current (finished %s)%n", name, had.endedUtc());
                done.add(name + "=" + fp);
                continue;
            }
            List<String> args = new ArrayList<>(stage.args());
            boolean resume =
                    stage.resumable() && sameFp && Files.isDirectory(stage.dir()) && !present;
            if (resume) {
                args.add("--resume");
            }
            String verb = resume ? "resume" : "run";
            out.printf(
                    Locale.ROOT,
                    "  %-8s %s: %s%s%n",
                    name,
                    verb,
                    command,
                    resume ? " --resume" : "");
            out.flush();
            if (dryRun) {
                done.add(name + "=" + (fp == null ? "unknown" : fp));
                continue;
            }
            if (!resume && !name.equals("index") && Files.exists(stage.dir())) {
                supersede(stage.dir(), name);
            }
            String started = Instant.now(clock).toString();
            state.put(name, new AuditState.Stage(fp, command, started, false, null));
            writeState();
            int code = commands.run(args);
            if (name.equals("model")) {
                modelFingerprint = null;
            }
            if (code != 0) {
                err.printf(
                        Locale.ROOT,
                        "memaudit: audit stage %s failed (exit %d); fix the cause and run the same"
                                + " `memaudit audit` again: finished stages are kept%s%n",
                        name,
                        code,
                        stage.resumable() ? " and this one resumes" : "");
                err.flush();
                return code;
            }
            // The fingerprint of what a stage read may only be known once it ran (a trained model).
            String after = fingerprint(stage, done);
            state.put(
                    name,
                    new AuditState.Stage(
                            after, command, started, true, Instant.now(clock).toString()));
            writeState();
            done.add(name + "=" + after);
        }
        Path report = cfg.out().resolve("report").resolve("report.html");
        if (!dryRun && Files.exists(report)) {
            out.printf(Locale.ROOT, "report: %s%n", report);
        }
        out.flush();
        return 0;
    }

    private String notApplicable(String name) {
        return name.equals("model")
                ? "the model is given, not trained"
                : "nothing to do with these settings";
    }

    private Stage plan(String name) {
        Path o = cfg.out();
        Path index = o.resolve("index");
        List<String> a = new ArrayList<>();
        switch (name) {
            case "index" -> {
                a.addAll(
                        List.of(
                                "index",
                                "build",
                                "--corpus",
                                str(cfg.corpus()),
                                "--index",
                                str(index)));
                a.addAll(List.of("--ngram", Integer.toString(cfg.ngram())));
                return new Stage(name, index, a, index.resolve("memaudit-index.json"), false);
            }
            case "model" -> {
                if (cfg.model().canaryFlags() == null) {
                    return null;
                }
                Path dir = o.resolve("model");
                a.addAll(
                        List.of(
                                "canary",
                                "train",
                                "--corpus",
                                str(cfg.corpus()),
                                "--out",
                                str(dir)));
                a.addAll(cfg.model().canaryFlags());
                return new Stage(name, dir, a, dir.resolve("membership.json"), false);
            }
            case "extract" -> {
                Path dir = o.resolve("extract");
                a.add("extract");
                a.addAll(modelFlags());
                a.addAll(List.of("--index", str(index), "--out", str(dir)));
                if (corpusHasControls()) {
                    // unrelated prefixes of the commonness control come from them too
                    a.addAll(List.of("--prior-controls", str(cfg.corpus())));
                }
                a.addAll(cfg.stageFlags().get("extract"));
                return new Stage(name, dir, a, dir.resolve("manifest.json"), true);
            }
            case "sample" -> {
                Path dir = o.resolve("sample");
                a.addAll(List.of("sample", "--campaign"));
                a.addAll(modelFlags());
                a.addAll(List.of("--index", str(index)));
                a.addAll(cfg.stageFlags().get("sample"));
                a.addAll(List.of("--out", str(dir)));
                return new Stage(name, dir, a, dir.resolve("manifest.json"), true);
            }
            case "scan" -> {
                Path dir = o.resolve("scan");
                a.addAll(List.of("scan", "--index", str(index)));
                a.addAll(
                        List.of(
                                "--outputs",
                                str(o.resolve("sample").resolve("generations.jsonl"))));
                a.addAll(List.of("--out", str(dir)));
                Path tok = modelDir() == null ? null : modelDir().resolve("tokenizer.json");
                if (tok != null) {
                    a.addAll(List.of("--tokenizer", str(tok)));
                }
                if (corpusHasControls()) {
                    a.addAll(List.of("--controls", str(cfg.corpus()))); // chance scores
                }
                a.addAll(cfg.stageFlags().get("scan"));
                return new Stage(name, dir, a, dir.resolve("manifest.json"), false);
            }
            case "ppl" -> {
                Path dir = o.resolve("ppl");
                a.add("ppl");
                a.addAll(modelFlags());
                a.addAll(List.of("--index", str(index), "--controls", str(cfg.corpus())));
                a.addAll(List.of("--out", str(dir)));
                a.addAll(cfg.stageFlags().get("ppl"));
                return new Stage(name, dir, a, dir.resolve("manifest.json"), true);
            }
            case "report" -> {
                Path dir = o.resolve("report");
                a.addAll(List.of("report", "--run", str(o), "--out", str(dir)));
                if (cfg.signKey() != null) {
                    a.addAll(List.of("--sign-key", str(cfg.signKey())));
                }
                if (cfg.calibration() != null) {
                    a.addAll(List.of("--calibration", str(cfg.calibration())));
                }
                return new Stage(name, dir, a, dir.resolve("manifest.json"), false);
            }
            default -> throw new IllegalArgumentException(name);
        }
    }

    private Path modelDir() {
        AuditConfig.ModelSpec m = cfg.model();
        if (m.dir() != null) {
            return m.dir();
        }
        return m.canaryFlags() != null ? cfg.out().resolve("model") : null;
    }

    private List<String> modelFlags() {
        Path dir = modelDir();
        return dir != null ? List.of("--model", str(dir)) : cfg.model().endpointFlags();
    }

    /**
     * SHA-256 over the stage's command line, the fingerprints of the stages before it, and what it
     * reads that no stage made (model files, the indexed works, the report's calibration.json);
     * null when that is not there yet.
     */
    private String fingerprint(Stage stage, List<String> before) {
        StringBuilder b = new StringBuilder(String.join("\u0000", stage.args()));
        before.forEach(d -> b.append('\u0001').append(d));
        if (!stage.name().equals("index")) {
            String works = indexFingerprint();
            if (works == null) {
                return null;
            }
            b.append("\u0002works=").append(works);
        }
        if (!stage.name().equals("index") && !stage.name().equals("model")) {
            String model = modelFingerprint();
            if (model == null) {
                return null;
            }
            b.append("\u0002model=").append(model);
        }
        if (stage.name().equals("report")
                && cfg.calibration() != null
                && Files.isRegularFile(cfg.calibration())) {
            // a calibration re-measured into the same file changes the report
            b.append("\u0002calibration=").append(Sha256.of(cfg.calibration()));
        }
        return sha256(b.toString());
    }

    private String modelFingerprint() {
        if (modelFingerprint == null) {
            modelFingerprint = hashModel();
        }
        return modelFingerprint;
    }

    private String hashModel() {
        Path dir = modelDir();
        if (dir == null) {
            return String.join(" ", cfg.model().endpointFlags());
        }
        if (!Files.isDirectory(dir)) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.endsWith(".safetensors") || n.endsWith(".json")) {
                    b.append(n).append('=').append(Sha256.of(f)).append('\n');
                }
            }
        } catch (IOException e) {
            throw MemauditException.badInput(dir + ": cannot list the model folder: " + e, e);
        }
        return sha256(b.toString());
    }

    private String indexFingerprint() {
        Path dir = cfg.out().resolve("index");
        if (!Files.exists(dir.resolve(IndexLayout.MANIFEST))) {
            return null;
        }
        IndexManifest n = IndexLayout.readManifest(dir);
        StringBuilder b = new StringBuilder("ngram=" + n.ngram());
        b.append(" normalizer=").append(n.normalizerVersion());
        for (IndexManifest.WorkInfo w : n.works()) {
            b.append('\n').append(w.id()).append('=');
            b.append(w.sourceSha256()).append(' ').append(w.role());
        }
        return sha256(b.toString());
    }

    private void supersede(Path dir, String name) {
        Path target =
                cfg.out()
                        .resolve("superseded")
                        .resolve(name + "-" + Instant.now(clock).toString().replace(':', '-'));
        try {
            Files.createDirectories(target.getParent());
            Files.move(dir, target);
            err.printf(
                    Locale.ROOT,
                    "memaudit: %s: settings or inputs changed; earlier results moved to %s%n",
                    name,
                    target);
        } catch (IOException e) {
            throw MemauditException.badInput("cannot move " + dir + " to " + target + ": " + e, e);
        }
    }

    private Map<String, AuditState.Stage> readState() {
        Map<String, AuditState.Stage> stages = new LinkedHashMap<>();
        if (Files.exists(stateFile)) {
            stages.putAll(Records.read(stateFile, AuditState.class).stages());
        }
        return stages;
    }

    private void writeState() {
        Records.write(stateFile, new AuditState(STATE_VERSION, state));
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw MemauditException.badInput(dir + ": cannot create: " + e.getMessage(), e);
        }
    }

    private static String str(Path p) {
        return p.toString();
    }

    private static List<String> quoteAll(List<String> args) {
        List<String> q = new ArrayList<>();
        for (String s : args) {
            q.add(s.matches("[A-Za-z0-9_./,:=@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'");
        }
        return q;
    }

    private static String sha256(String s) {
        return Sha256.of(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Whether the corpus lists controls, so the scan can score chance against them and extract draw
     * unrelated prefixes from them. A corpus that does not load is the index stage's error to
     * report (it runs first, with file and line); the plan only leaves the flag out.
     */
    private boolean corpusHasControls() {
        try {
            return !CorpusManifest.load(cfg.corpus()).controls().isEmpty();
        } catch (MemauditException e) {
            return false;
        }
    }
}
