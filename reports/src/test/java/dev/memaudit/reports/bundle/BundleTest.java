package dev.memaudit.reports.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.reports.Fixtures;
import dev.memaudit.reports.ReportService;
import dev.memaudit.reports.bundle.VerifyResult.Kind;
import dev.memaudit.reports.run.StageFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reports written as signed bundles, then tampered with in every way verify must notice. */
class BundleTest {
    @TempDir Path tmp;
    Path run;
    Path report;
    KeyPair keys;

    @BeforeEach
    void writeSignedReport() throws IOException {
        run = Fixtures.copy("audit", tmp);
        keys = Ed25519Keys.generate();
        Path keyFile = tmp.resolve("k.pem");
        Files.writeString(keyFile, Ed25519Keys.pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        report = run.resolve("report");
        new ReportService(
                        Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC), m -> {})
                .write(
                        run,
                        report,
                        Fixtures.texts(),
                        new ReportService.Options(keyFile, 5),
                        List.of("report", "--run", run.toString()));
    }

    private VerifyResult verify(Path target) {
        return new Verifier(List.of()).verify(target, null);
    }

    @Test
    void aFreshBundleVerifiesFromTheBundleAndFromTheRunFolder() {
        assertThat(report.resolve("manifest.sig")).exists();
        assertThat(report.resolve("manifest.pub")).exists();
        VerifyResult fromBundle = verify(report);
        assertThat(fromBundle.problems()).isEmpty();
        assertThat(fromBundle.manifests()).hasSize(4);
        assertThat(fromBundle.notes()).anyMatch(n -> n.contains("Ed25519 signature valid"));
        // 14 stage files by their stage manifests (extract's skipped.jsonl and near bound
        // included), 17 (with those manifests) by the bundle, 6 outputs
        assertThat(fromBundle.files()).isEqualTo(14 + 17 + 6);
        assertThat(verify(run).problems()).isEmpty();
        assertThat(new Verifier(List.of()).verify(report, keys.getPublic()).problems()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "extract/windows.jsonl",
                "extract/attempts.jsonl",
                "ppl/chunks.jsonl",
                "ppl/works.json",
                "scan/spans.jsonl",
                "scan/manifest.json",
                "report/report.html",
                "report/works.csv",
                "report/spans.csv",
                "report/report.json",
                "report/summary.md",
                "report/manifest.pub",
                "report/manifest.json",
                "report/manifest.sig"
            })
    void flippingOneByteOfAnyFileIsCaughtAndNamed(String file) throws IOException {
        Path f = run.resolve(file);
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x01;
        Files.write(f, b);
        VerifyResult r = verify(report);
        assertThat(r.ok()).isFalse();
        assertThat(r.problems())
                .as("problems %s", r.problems())
                .anyMatch(
                        p ->
                                (p.file().endsWith(file) && p.kind() != Kind.UNLISTED)
                                        || (file.endsWith(".sig")
                                                && p.detail().contains(file.substring(7))));
    }

    @Test
    void aStageManifestMissingAFieldIsMalformedNamingLineAndField() throws IOException {
        Path m = run.resolve("extract/manifest.json");
        String text = Files.readString(m, StandardCharsets.UTF_8);
        Files.writeString(
                m,
                text.replaceFirst(",\\s*\"tool_version\"\\s*:\\s*\"[^\"]*\"", ""),
                StandardCharsets.UTF_8);
        VerifyResult r = verify(run);
        assertThat(r.problems())
                .filteredOn(p -> p.kind() == Kind.MALFORMED)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.file()).isEqualTo(m);
                            assertThat(p.detail())
                                    .matches(
                                            "not a memaudit manifest: line \\d+: tool_version: missing.*");
                        });
    }

    @Test
    void aRemovedFileIsMissing() throws IOException {
        Files.delete(run.resolve("ppl/chunks.jsonl"));
        VerifyResult r = verify(report);
        assertThat(r.problems())
                .filteredOn(p -> p.kind() == Kind.MISSING)
                .extracting(p -> run.relativize(p.file()).toString())
                .containsOnly("ppl/chunks.jsonl");
    }

    @Test
    void aFileReplacedByALinkToItsCopyIsCaught() throws IOException {
        Path csv = report.resolve("works.csv");
        Path elsewhere = tmp.resolve("works-copy.csv");
        Files.move(csv, elsewhere);
        Files.createSymbolicLink(csv, elsewhere);
        assertThat(verify(report).problems())
                .extracting(p -> p.kind() + " " + p.file().getFileName())
                .containsExactly("CHANGED works.csv");
    }

    @Test
    void anAddedFileIsUnlisted() throws IOException {
        Files.writeString(run.resolve("extract/extra.jsonl"), "{}\n");
        Files.writeString(report.resolve("notes.txt"), "added later\n");
        VerifyResult r = verify(run);
        assertThat(r.problems())
                .extracting(p -> p.kind() + " " + run.relativize(p.file().toAbsolutePath()))
                .containsExactly("UNLISTED extract/extra.jsonl", "UNLISTED report/notes.txt");
    }

    @Test
    void aSignatureByAnotherKeyFails() throws IOException {
        KeyPair other = Ed25519Keys.generate();
        byte[] manifest = Files.readAllBytes(report.resolve("manifest.json"));
        Files.writeString(
                report.resolve("manifest.sig"),
                java.util.Base64.getEncoder()
                        .encodeToString(Ed25519Keys.sign(other.getPrivate(), manifest)));
        VerifyResult r = verify(report);
        assertThat(r.problems())
                .extracting(Problem -> Problem.kind())
                .containsExactly(Kind.SIGNATURE);
        assertThat(r.problems().get(0).file().toString()).endsWith("manifest.json");
        assertThat(r.problems().get(0).detail()).contains("manifest.sig");
    }

    @Test
    void aPinnedKeyMustBeTheSigner() {
        VerifyResult r = new Verifier(List.of()).verify(report, Ed25519Keys.generate().getPublic());
        assertThat(r.problems()).extracting(p -> p.kind()).containsExactly(Kind.SIGNATURE);
        assertThat(r.problems().get(0).detail()).contains("not the public key given");
    }

    @Test
    void aPinnedKeyRequiresASignature() throws IOException {
        Files.delete(report.resolve("manifest.sig"));
        VerifyResult unpinned = verify(report);
        assertThat(unpinned.ok()).isTrue();
        assertThat(unpinned.notes()).anyMatch(n -> n.contains("bundle not signed"));
        VerifyResult pinned = new Verifier(List.of()).verify(report, keys.getPublic());
        assertThat(pinned.problems()).extracting(p -> p.kind()).containsExactly(Kind.SIGNATURE);
    }

    @Test
    void aManifestRewrittenToMatchATamperedFileBreaksTheSignature() throws IOException {
        // the attacker edits works.csv and fixes its hash in manifest.json, but cannot re-sign
        Path csv = report.resolve("works.csv");
        Files.writeString(csv, "work_id\r\nforged\r\n");
        Path manifest = report.resolve("manifest.json");
        String m = Files.readString(manifest);
        var node =
                (com.fasterxml.jackson.databind.node.ObjectNode)
                        dev.memaudit.core.io.Json.MAPPER.readTree(m);
        var entry =
                (com.fasterxml.jackson.databind.node.ObjectNode)
                        node.path("outputs").path("works.csv");
        entry.put("sha256", dev.memaudit.core.io.Sha256.of(csv));
        entry.put("bytes", Files.size(csv));
        dev.memaudit.core.io.Json.writePretty(manifest, node);
        VerifyResult r = verify(report);
        assertThat(r.problems()).extracting(p -> p.kind()).containsExactly(Kind.SIGNATURE);
    }

    @Test
    void stageChecksRunOnlyOnStagesWhoseFilesMatch() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        List<String> seen = new ArrayList<>();
        StageCheck rerun =
                new StageCheck() {
                    @Override
                    public String name() {
                        return "attempt re-run";
                    }

                    @Override
                    public boolean appliesTo(StageFolder stage) {
                        return stage.command().equals("extract") || stage.command().equals("ppl");
                    }

                    @Override
                    public List<VerifyResult.Problem> check(StageFolder stage) {
                        calls.incrementAndGet();
                        seen.add(stage.command());
                        return List.of(
                                new VerifyResult.Problem(
                                        stage.dir().resolve("attempts.jsonl"),
                                        Kind.CHECK,
                                        "attempt 3 of window 0 gave other text"));
                    }
                };
        Files.writeString(run.resolve("ppl/ppl.json"), "{}\n");
        VerifyResult r = new Verifier(List.of(rerun)).verify(report, null);
        assertThat(seen).containsExactly("extract");
        assertThat(r.problems()).extracting(p -> p.kind()).contains(Kind.CHECK, Kind.CHANGED);
        assertThat(r.notes())
                .anyMatch(n -> n.startsWith("attempt re-run skipped for ") && n.contains("ppl"));
    }

    @Test
    void theBundleListsEveryInputWithItsHashAndTheRunFolderRelatively() throws IOException {
        var m = dev.memaudit.core.io.Json.MAPPER.readTree(report.resolve("manifest.json").toFile());
        assertThat(m.path("command").asText()).isEqualTo("report");
        assertThat(m.path("run_dir").asText()).isEqualTo("..");
        assertThat(m.path("inputs").has("scan/manifest.json")).isTrue();
        assertThat(m.path("inputs").has("extract/attempts.jsonl")).isTrue();
        assertThat(m.path("inputs").size()).isEqualTo(17);
        assertThat(m.path("outputs").has("manifest.pub")).isTrue();
        assertThat(m.path("outputs").has("manifest.sig")).isFalse();
        assertThat(m.path("seeds").toString())
                .contains("\"extract.seed\":7")
                .contains("\"bootstrap\":11");
        assertThat(Files.readString(report.resolve("manifest.pub"), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN PUBLIC KEY-----");
    }

    @Test
    void thePublicKeyIsDerivedFromThePrivateKey() {
        KeyPair k = Ed25519Keys.generate();
        assertThat(Ed25519Keys.publicOf(k.getPrivate()).getEncoded())
                .isEqualTo(k.getPublic().getEncoded());
    }
}
