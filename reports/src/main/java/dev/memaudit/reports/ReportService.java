package dev.memaudit.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.FileTrees;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.io.ToolVersion;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.Manifest;
import dev.memaudit.core.records.run.ReportConfig;
import dev.memaudit.reports.bundle.Bundle;
import dev.memaudit.reports.bundle.Ed25519Keys;
import dev.memaudit.reports.calibration.CalibrationFile;
import dev.memaudit.reports.csv.CsvReports;
import dev.memaudit.reports.html.HtmlReport;
import dev.memaudit.reports.influence.InfluenceFolder;
import dev.memaudit.reports.md.SummaryMarkdown;
import dev.memaudit.reports.run.RunLoader;
import dev.memaudit.reports.run.RunView;
import dev.memaudit.reports.run.SourceTexts;
import dev.memaudit.reports.run.StageFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Writes a report folder (an evidence bundle) for a run folder: {@code report.html}, {@code
 * report.json}, {@code works.csv}, {@code spans.csv}, {@code summary.md}, then {@code
 * manifest.json} with the SHA-256 of every file of the stage folders read (inputs) and of every
 * file written (outputs), and, with a signing key, {@code manifest.pub} and {@code manifest.sig}.
 */
public final class ReportService {
    /** Version of report.json's layout. */
    public static final int REPORT_JSON_SCHEMA = 1;

    /**
     * @param signKey an Ed25519 private key (PKCS#8 PEM or DER) to sign the manifest, or null
     * @param attemptsPerWork most extraction attempts per work shown side by side
     * @param calibration a {@code calibration.json} of {@code memaudit canary calibrate} that the
     *     method section summarizes, or null
     * @param influence meter folders (or their influence.jsonl) whose influence the report shows;
     *     empty for none
     * @param influenceValidation a {@code validation.json} of {@code memaudit meter validate}, or
     *     null
     */
    public record Options(
            Path signKey,
            int attemptsPerWork,
            Path calibration,
            List<Path> influence,
            Path influenceValidation) {
        public Options(Path signKey, int attemptsPerWork) {
            this(signKey, attemptsPerWork, null);
        }

        public Options(Path signKey, int attemptsPerWork, Path calibration) {
            this(signKey, attemptsPerWork, calibration, List.of(), null);
        }

        public static Options defaults() {
            return new Options(null, 5, null);
        }
    }

    /** What was written. */
    public record Result(Path out, RunView view, boolean signed, List<String> files) {}

    private static final ObjectMapper SNAKE =
            Json.MAPPER
                    .copy()
                    .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(SerializationFeature.INDENT_OUTPUT);

    private final Clock clock;
    private final Consumer<String> log;

    public ReportService(Clock clock, Consumer<String> log) {
        this.clock = clock;
        this.log = log;
    }

    /**
     * The report folder used when {@code --out} is not given: {@code <run>/report} for a folder of
     * stage folders, {@code <run>-report} beside a single stage folder (whose own files must stay
     * as its manifest lists them).
     */
    public static Path defaultOut(Path run) {
        if (Files.isRegularFile(run.resolve(Bundle.MANIFEST))) {
            Path abs = run.toAbsolutePath().normalize();
            return abs.resolveSibling(abs.getFileName() + "-report");
        }
        return run.resolve("report");
    }

    public Result write(
            Path run, Path out, SourceTexts texts, Options options, List<String> commandLine) {
        PrivateKey key =
                options.signKey() == null ? null : Ed25519Keys.readPrivate(options.signKey());
        PublicKey pub = key == null ? null : Ed25519Keys.publicOf(key);
        // read before anything is written: a bad calibration file fails the report, naming it
        CalibrationFile calibration =
                options.calibration() == null ? null : CalibrationFile.read(options.calibration());
        List<InfluenceFolder> influence =
                options.influence() == null
                        ? List.of()
                        : options.influence().stream().map(InfluenceFolder::read).toList();
        InfluenceFolder.Validation validation =
                options.influenceValidation() == null
                        ? null
                        : InfluenceFolder.Validation.read(options.influenceValidation());
        if (validation != null && influence.isEmpty()) {
            throw MemauditException.usage(
                    "--influence-validation needs --influence: a validation describes the"
                            + " influence the report shows");
        }
        RunView view = new RunLoader(texts, options.attemptsPerWork()).load(run);
        prepareOut(out, view);
        String runName = run.toAbsolutePath().normalize().getFileName().toString();
        ReportInfo info =
                new ReportInfo(
                        ToolVersion.get(), Instant.now(clock).toString(), commandLine, runName);
        try {
            Files.createDirectories(out);
            write(
                    out,
                    "report.html",
                    HtmlReport.render(view, info, calibration, influence, validation));
            write(out, "works.csv", CsvReports.works(view));
            write(out, "spans.csv", CsvReports.spans(view));
            write(out, "summary.md", SummaryMarkdown.render(view, info));
            Files.write(out.resolve("report.json"), reportJson(view, info));
            if (pub != null) {
                write(out, Bundle.PUBLIC_KEY, Ed25519Keys.pem("PUBLIC KEY", pub.getEncoded()));
            }
            manifest(run, out, view, commandLine, pub != null, calibration, influence, validation);
            if (key != null) {
                byte[] manifest = Files.readAllBytes(out.resolve(Bundle.MANIFEST));
                write(
                        out,
                        Bundle.SIGNATURE,
                        Base64.getEncoder().encodeToString(Ed25519Keys.sign(key, manifest)) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + out, e);
        }
        List<String> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(out)) {
            list.map(p -> p.getFileName().toString()).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out, e);
        }
        log.accept("report for " + view.works().size() + " works written to " + out);
        return new Result(out, view, key != null, files);
    }

    /** Refuses an --out inside a stage folder or holding anything but an earlier report. */
    private static void prepareOut(Path out, RunView view) {
        Path abs = out.toAbsolutePath().normalize();
        for (StageFolder s : view.stages()) {
            if (abs.startsWith(s.dir().toAbsolutePath().normalize())) {
                throw MemauditException.usage(
                        "--out "
                                + out
                                + " is inside the stage folder "
                                + s.dir()
                                + ", whose files its manifest fixes; choose another folder");
            }
        }
        if (!Files.exists(out)) {
            return;
        }
        try (Stream<Path> list = Files.list(out)) {
            if (list.findAny().isEmpty()) {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + out, e);
        }
        Path m = out.resolve(Bundle.MANIFEST);
        boolean earlierReport;
        try {
            earlierReport =
                    Files.isRegularFile(m)
                            && Records.read(m, Manifest.class).config() instanceof ReportConfig;
        } catch (MemauditException e) {
            // not a manifest this memaudit reads: not an earlier report either
            earlierReport = false;
        }
        if (!earlierReport) {
            throw MemauditException.usage(
                    "--out "
                            + out
                            + " is not empty and is not an earlier report; choose an empty folder");
        }
        try {
            FileTrees.delete(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace the earlier report in " + out, e);
        }
    }

    private static void write(Path dir, String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private byte[] reportJson(RunView view, ReportInfo info) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema_version", REPORT_JSON_SCHEMA);
        root.put("tool_version", info.toolVersion());
        root.put("generated_utc", info.generatedUtc());
        root.put("command", info.command());
        List<Map<String, Object>> stages = new ArrayList<>();
        for (StageFolder s : view.stages()) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("command", s.command());
            st.put("folder", String.valueOf(s.dir().getFileName()));
            st.put("tool_version", s.manifest().toolVersion());
            st.put("args", s.manifest().args());
            st.put("config", s.configJson());
            st.put("started_utc", s.manifest().startedUtc());
            st.put("ended_utc", s.manifest().endedUtc());
            stages.add(st);
        }
        root.put("stages", stages);
        List<String> missing = new ArrayList<>();
        for (String k : List.of("scan", "extract", "ppl")) {
            if (!view.ran(k)) {
                missing.add(k);
            }
        }
        root.put("stages_not_run", missing);
        root.put("works", view.works());
        root.put("notes", view.notes());
        byte[] body = SNAKE.writeValueAsBytes(root);
        byte[] withNewline = java.util.Arrays.copyOf(body, body.length + 1);
        withNewline[body.length] = '\n';
        return withNewline;
    }

    private void manifest(
            Path run,
            Path out,
            RunView view,
            List<String> commandLine,
            boolean signed,
            CalibrationFile calibration,
            List<InfluenceFolder> influence,
            InfluenceFolder.Validation validation) {
        List<ReportConfig.InfluenceInput> influenceInputs = new ArrayList<>();
        for (InfluenceFolder f : influence) {
            influenceInputs.add(
                    new ReportConfig.InfluenceInput(
                            "influence",
                            f.file().toAbsolutePath().normalize().toString(),
                            f.sha256(),
                            f.method()));
        }
        if (validation != null) {
            influenceInputs.add(
                    new ReportConfig.InfluenceInput(
                            "validation",
                            validation.file().toAbsolutePath().normalize().toString(),
                            validation.sha256(),
                            null));
        }
        RunManifest m = new RunManifest(clock, commandLine);
        Path runAbs = run.toAbsolutePath().normalize();
        Path outAbs = out.toAbsolutePath().normalize();
        Map<String, Object> seeds = new TreeMap<>();
        List<Manifest.ReportStage> stages = new ArrayList<>();
        for (StageFolder s : view.stages()) {
            String rel =
                    runAbs.relativize(s.dir().toAbsolutePath().normalize())
                            .toString()
                            .replace('\\', '/');
            stages.add(
                    new Manifest.ReportStage(
                            s.command(),
                            rel.isEmpty() ? "." : rel,
                            s.manifest().toolVersion(),
                            s.manifest().args()));
            collectSeeds(s, seeds);
            try (Stream<Path> files = Files.walk(s.dir())) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    Path fa = f.toAbsolutePath().normalize();
                    if (!fa.startsWith(outAbs)) {
                        m.input(runAbs.relativize(fa).toString().replace('\\', '/'), f);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + s.dir(), e);
            }
        }
        m.report(relativeRun(outAbs, runAbs), stages);
        m.seeds(seeds);
        m.schemaVersions(Map.of("report.json", REPORT_JSON_SCHEMA));
        // the calibration lies outside the run folder, whose inputs verify re-hashes: its hash
        // goes into the report's config instead
        m.write(
                out,
                new ReportConfig(
                        run.toString(),
                        signed,
                        calibration == null
                                ? null
                                : new ReportConfig.CalibrationInput(
                                        calibration.file().toAbsolutePath().normalize().toString(),
                                        calibration.sha256(),
                                        calibration.schemaVersion(),
                                        calibration.doseResponseSvg() == null
                                                ? null
                                                : calibration.doseResponseSvg().toString(),
                                        calibration.doseResponseSvgSha256()),
                        influenceInputs.isEmpty() ? null : influenceInputs));
    }

    private static String relativeRun(Path outAbs, Path runAbs) {
        try {
            String rel = outAbs.relativize(runAbs).toString().replace('\\', '/');
            return rel.isEmpty() ? "." : rel;
        } catch (IllegalArgumentException e) {
            return runAbs.toString();
        }
    }

    /** Seeds of a stage: its {@code seeds} section and every config setting that is a seed. */
    private static void collectSeeds(StageFolder s, Map<String, Object> seeds) {
        if (s.manifest().seeds() != null) {
            seeds.put(s.command(), s.manifest().seeds());
        }
        s.config().configSeeds().forEach((k, v) -> seeds.put(s.command() + "." + k, v));
    }
}
