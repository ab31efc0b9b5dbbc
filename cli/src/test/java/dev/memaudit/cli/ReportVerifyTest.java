package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} and {@code verify} over a real scan of corpora-sample: the texts come from the
 * index and the outputs file the scan recorded, hostile outputs stay text, and tampering exits 5
 * naming the file.
 */
class ReportVerifyTest {
    @TempDir static Path tmp;
    static Path index;
    static Path scan;

    @BeforeAll
    static void indexAndScan() {
        Path sample = Cli.repoRoot().resolve("corpora-sample");
        index = tmp.resolve("index");
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

    @Test
    void reportAndVerifyPrintTheirPhasesWithTimings() {
        Path out = tmp.resolve("timed-report");
        Cli.Result r =
                Cli.run("report", "--run", scan.toString(), "--out", out.toString(), "--timings")
                        .exits(0)
                        .noStackTrace();
        assertThat(r.err())
                .contains("timings (wall clock)")
                .contains("run folders, index open")
                .contains("report written")
                .contains("total");
        Cli.Result v = Cli.run("verify", out.toString(), "--timings").exits(0).noStackTrace();
        assertThat(v.out()).contains("ok: 2 manifest(s)").doesNotContain("timings");
        assertThat(v.err()).contains("verify (hashes, manifests, signature)").contains("total");
    }

    @Test
    void reportShowsPassagesFromTheIndexAndVerifies() throws IOException {
        Path out = tmp.resolve("plain-report");
        Cli.Result r =
                Cli.run("report", "--run", scan.toString(), "--out", out.toString())
                        .exits(0)
                        .noStackTrace();
        assertThat(r.out()).contains("report of 15 works (scan) in " + out);
        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html)
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; <mark>There is a thing")
                .contains("=HYPERLINK(&quot;x&quot;) <mark>The natural habitat")
                .contains("Kiln Weather")
                .doesNotContain("<script")
                .doesNotContain("work texts are not shown");
        String csv = Files.readString(out.resolve("spans.csv"), StandardCharsets.UTF_8);
        assertThat(csv)
                .contains("scan,harbour-lights,out-01-exact-harbour,39,311,1198,1470,48,,true,");
        assertThat(Cli.run("verify", out.toString()).exits(0).out()).contains("ok: 2 manifest(s)");
    }

    @Test
    void theDefaultOutOfAStageFolderIsBesideIt() throws IOException {
        Path copy = tmp.resolve("copy/scan");
        Files.createDirectories(copy);
        try (var files = Files.list(scan)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Cli.run("report", "--run", copy.toString()).exits(0);
        assertThat(tmp.resolve("copy/scan-report/report.html")).exists();
        assertThat(Cli.run("verify", tmp.resolve("copy").toString()).exits(0).out())
                .contains("ok: 2 manifest(s)");
    }

    @Test
    void signedBundleVerifiesWithItsKeyAndTamperingExits5NamingTheFile() throws IOException {
        Path keys = tmp.resolve("keys/audit");
        assertThat(Cli.run("keygen", "--out", keys.toString()).exits(0).out())
                .contains("audit.key");
        Path run = tmp.resolve("tamper");
        Path stage = run.resolve("scan");
        Files.createDirectories(stage);
        try (var files = Files.list(scan)) {
            for (Path f : files.toList()) {
                Files.copy(f, stage.resolve(f.getFileName()));
            }
        }
        Cli.run("report", "--run", run.toString(), "--sign-key", keys + ".key").exits(0);
        Path bundle = run.resolve("report");
        assertThat(bundle.resolve("manifest.sig")).exists();
        Cli.run("verify", bundle.toString(), "--public-key", keys + ".pub").exits(0);

        Cli.run("keygen", "--out", tmp.resolve("keys/other").toString()).exits(0);
        Cli.Result wrongKey =
                Cli.run(
                                "verify",
                                bundle.toString(),
                                "--public-key",
                                tmp.resolve("keys/other.pub").toString())
                        .exits(5)
                        .noStackTrace();
        assertThat(wrongKey.err()).contains("signature").contains("manifest.pub");

        Path spans = stage.resolve("spans.jsonl");
        byte[] b = Files.readAllBytes(spans);
        b[10] ^= 0x20;
        Files.write(spans, b);
        Cli.Result tampered = Cli.run("verify", run.toString()).exits(5).noStackTrace();
        assertThat(tampered.err()).contains("verification failed").contains("changed " + spans);
        assertThat(tampered.out()).contains("FAILED");
    }

    @Test
    void anOutFolderWithOtherFilesIsRefused() throws IOException {
        Path out = tmp.resolve("busy");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        Cli.Result r =
                Cli.run("report", "--run", scan.toString(), "--out", out.toString()).exits(2);
        assertThat(r.err()).contains("not empty and is not an earlier report");
        assertThat(out.resolve("keep.txt")).exists();
    }

    @Test
    void aMovedIndexIsNotedAndTheReportStillWritten() throws IOException {
        Path copy = tmp.resolve("moved/scan");
        Files.createDirectories(copy);
        try (var files = Files.list(scan)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                Files.writeString(copy.resolve(f.getFileName()), text, StandardCharsets.UTF_8);
            }
        }
        // a manifest that names an index folder that is not there
        Path m = copy.resolve("manifest.json");
        Files.writeString(
                m, Files.readString(m).replace(index.toString(), tmp.resolve("gone").toString()));
        Path out = tmp.resolve("moved/report");
        Cli.run("report", "--run", copy.toString(), "--out", out.toString()).exits(0);
        assertThat(Files.readString(out.resolve("report.html")))
                .contains("is not here: work texts are not shown (pass --index)");
        Cli.run(
                        "report",
                        "--run",
                        copy.toString(),
                        "--out",
                        out.toString(),
                        "--index",
                        index.toString())
                .exits(0);
        assertThat(Files.readString(out.resolve("report.html"))).contains("<mark>");
    }
}
