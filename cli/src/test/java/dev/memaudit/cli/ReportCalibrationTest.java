package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.stats.DoseCalibration;
import dev.memaudit.stats.DoseCalibration.Estimate;
import dev.memaudit.stats.Orientation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report --calibration} through the CLI over a real scan of corpora-sample: a missing or bad
 * calibration.json exits 3 naming the file and the reason and writes no report; a good one is
 * summarized in the method section, pinned by hash in the manifest, and the bundle still verifies.
 * The calibration's numbers are written by the test through the stats module's writer (no canary is
 * trained). audit.yaml's {@code report: {calibration: …}} becomes the flag.
 */
class ReportCalibrationTest {
    @TempDir static Path tmp;
    static Path scan;

    @BeforeAll
    static void indexAndScan() {
        Path sample = Cli.repoRoot().resolve("corpora-sample");
        Path index = tmp.resolve("index");
        scan = tmp.resolve("scan");
        Cli.run("index", "build", "--corpus", sample.toString(), "--index", index.toString())
                .exits(0);
        Cli.run(
                        "scan",
                        "--index",
                        index.toString(),
                        "--outputs",
                        sample.resolve("outputs/sample-outputs.jsonl").toString(),
                        "--out",
                        scan.toString())
                .exits(0);
    }

    static Estimate est(double v, double lo, double hi) {
        return new Estimate(v, lo, hi, 4, null);
    }

    /** A ladder calibration at doses 0 and 16 where nothing was extractable. */
    static Path calibration(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        DoseCalibration.Table t =
                new DoseCalibration.Table(
                        0.05,
                        7,
                        List.of(7L),
                        List.of(0, 16),
                        List.of(
                                new DoseCalibration.FeatureDose(
                                        "nll",
                                        Orientation.ofFeature("nll"),
                                        16,
                                        est(0.875, 0.75, 1.0),
                                        est(0.25, 0.0, 0.5))),
                        List.of(
                                new DoseCalibration.TestDose(0, 2, 0, 0, est(0, 0, 0.842)),
                                new DoseCalibration.TestDose(16, 2, 0, 1, est(0.5, 0.013, 0.987))),
                        List.of(
                                new DoseCalibration.ExtractionDose(
                                        0, 2, est(0, 0, 0), est(0, 0, 0)),
                                new DoseCalibration.ExtractionDose(
                                        16, 2, est(0, 0, 0), est(0, 0, 0))),
                        new DoseCalibration.LogLinearFit(
                                new Estimate(
                                        Double.NaN,
                                        Double.NaN,
                                        Double.NaN,
                                        2,
                                        "needs works extracted at two or more doses ≥ 1, got dose 16"),
                                Double.NaN),
                        new DoseCalibration.LogLinearFit(
                                new Estimate(
                                        Double.NaN,
                                        Double.NaN,
                                        Double.NaN,
                                        2,
                                        "needs works extracted at two or more doses ≥ 1, got dose 16"),
                                Double.NaN));
        Map<String, Object> json = new LinkedHashMap<>(DoseCalibration.toMap(t));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("fast", true);
        settings.put("background", "/bg");
        settings.put("doses", List.of(0, 16));
        settings.put("background_tokens", 20000);
        settings.put("steps", 40);
        settings.put("chunk_tokens", 64);
        settings.put(
                "extraction_windows",
                Map.of("prefix_tokens", 32, "suffix_tokens", 32, "stride", 32));
        settings.put("extraction_coverage_scheme", "T1");
        json.put("settings", settings);
        json.put("canaries", List.of());
        Json.writePretty(file, json);
        return file;
    }

    @Test
    void aMissingCalibrationExits3NamingTheFile() {
        Path missing = tmp.resolve("no-such/calibration.json");
        Path out = tmp.resolve("report-missing");
        Cli.Result r =
                Cli.run(
                                "report",
                                "--run",
                                scan.toString(),
                                "--out",
                                out.toString(),
                                "--calibration",
                                missing.toString())
                        .exits(3)
                        .noStackTrace();
        assertThat(r.err()).contains(missing.toString()).contains("no such calibration file");
        assertThat(out.resolve("report.html")).doesNotExist();
    }

    @Test
    void aBadCalibrationExits3WithTheReason() throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"schema_version\": 9}\n");
        Cli.Result r =
                Cli.run(
                                "report",
                                "--run",
                                scan.toString(),
                                "--out",
                                tmp.resolve("report-bad").toString(),
                                "--calibration",
                                bad.toString())
                        .exits(3)
                        .noStackTrace();
        assertThat(r.err())
                .contains(bad.toString())
                .contains("schema_version 9 is not one this memaudit reads (1 or 2)");
        Path truncated = Files.writeString(tmp.resolve("truncated.json"), "{\"schema_version\": 2");
        assertThat(
                        Cli.run(
                                        "report",
                                        "--run",
                                        scan.toString(),
                                        "--out",
                                        tmp.resolve("report-truncated").toString(),
                                        "--calibration",
                                        truncated.toString())
                                .exits(3)
                                .noStackTrace()
                                .err())
                .contains(truncated.toString())
                .contains("not a calibration.json");
    }

    @Test
    void aCalibrationIsSummarizedPinnedAndTheBundleStillVerifies() throws IOException {
        Path cal = calibration(tmp.resolve("cal/calibration.json"));
        Path out = tmp.resolve("report-cal");
        Cli.run(
                        "report",
                        "--run",
                        scan.toString(),
                        "--out",
                        out.toString(),
                        "--calibration",
                        cal.toString())
                .exits(0)
                .noStackTrace();
        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html)
                .contains("Error rates of these methods, measured on canaries")
                .contains("FPR 0 / 2 = 0.000 [0.000, 0.842]")
                .contains("power 1 / 2 = 0.500 [0.013, 0.987]")
                .contains("<code>nll</code> 0.875 [0.750, 1.000]")
                .contains("Here the slope of the greedy share on log10(dose) is not measured")
                .contains(Sha256.of(cal));
        JsonNode config = Cli.readJson(out.resolve("manifest.json")).get("config");
        assertThat(config.get("calibration").get("sha256").asText()).isEqualTo(Sha256.of(cal));
        assertThat(config.get("calibration").get("schema_version").asInt()).isEqualTo(2);
        assertThat(config.get("calibration").has("dose_response_svg")).isFalse();
        assertThat(config.get("calibration").get("file").asText())
                .isEqualTo(cal.toAbsolutePath().normalize().toString());
        assertThat(Cli.run("verify", out.toString()).exits(0).out()).contains("ok: 2 manifest(s)");
        // verify re-hashes the calibration where it lies: a changed one fails, naming it
        Files.writeString(
                cal, Files.readString(cal).replace("\"alpha\" : 0.05", "\"alpha\" : 0.1"));
        assertThat(Cli.run("verify", out.toString()).exits(5).noStackTrace().err())
                .contains("changed " + cal.toRealPath());
        // a calibration no longer there is noted, not a failure
        Files.delete(cal);
        assertThat(Cli.run("verify", out.toString()).exits(0).out())
                .contains("not found; its SHA-256 was not checked");
    }

    @Test
    void withoutACalibrationTheReportSaysHowToMakeOne() throws IOException {
        Path out = tmp.resolve("report-none");
        Cli.run("report", "--run", scan.toString(), "--out", out.toString()).exits(0);
        assertThat(Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8))
                .contains("No calibration was given")
                .contains("memaudit canary calibrate");
        assertThat(Cli.readJson(out.resolve("manifest.json")).get("config").has("calibration"))
                .isFalse();
    }

    @Test
    void auditYamlPassesItsCalibrationToTheReportAndChecksTheFile() throws IOException {
        Path cal = calibration(tmp.resolve("audit-cal/calibration.json"));
        Path dir = Files.createDirectories(tmp.resolve("audit-ok"));
        Path yaml =
                Cli.auditFile(
                        dir, "model: {dir: " + dir + "}\nreport: {calibration: " + cal + "}\n");
        Cli.Result r = Cli.run("audit", yaml.toString(), "--dry-run").exits(0).noStackTrace();
        assertThat(r.out()).containsPattern("report +run: memaudit report .*--calibration " + cal);
        Path bad = Files.createDirectories(tmp.resolve("audit-bad"));
        Path yaml2 =
                Cli.auditFile(
                        bad, "model: {dir: " + bad + "}\nreport: {calibration: missing.json}\n");
        assertThat(Cli.run("audit", yaml2.toString(), "--dry-run").exits(3).noStackTrace().err())
                .contains(
                        "audit.yaml:4: report.calibration: no such file "
                                + bad.resolve("missing.json"));
    }
}
