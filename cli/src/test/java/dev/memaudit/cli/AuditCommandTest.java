package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
    @TempDir Path tmp;

    private Path audit(String yaml) throws Exception {
        return Cli.auditFile(tmp, yaml);
    }

    @Test
    void badAuditFilesNameEveryProblemWithItsLine() throws Exception {
        Path f = audit("model:\n  canary: {repeat: 0}\nextrct: {}\nppl:\n  alpha: high\n");
        Cli.Result r = Cli.run("audit", f.toString()).exits(3).noStackTrace();
        assertThat(r.err())
                .contains("audit.yaml:5: unknown key 'extrct'")
                .contains("audit.yaml:4: model.canary.repeat must be between 1 and 100000, got 0")
                .contains("audit.yaml:7: ppl.alpha must be a number, got 'high'");
    }

    @Test
    void theSampleAuditPlansEveryStageWithItsExactCommand() throws Exception {
        // The sample audit file with its out folder moved here, so an earlier real run of it in
        // this checkout does not make its stages "current".
        Path yaml = tmp.resolve("audit.yaml");
        Files.writeString(yaml, Cli.sampleAudit(tmp.resolve("out")));
        Cli.Result r = Cli.run("audit", yaml.toString(), "--dry-run").exits(0).noStackTrace();
        assertThat(r.out())
                .contains("dry run")
                .containsPattern("index +run: memaudit index build --corpus \\S+corpus.yaml")
                .containsPattern(
                        "model +run: memaudit canary train .*--members harbour-lights,tin-roof-hymns,kiln-weather")
                .containsPattern(
                        "scan +run: memaudit scan --index \\S+/index --outputs \\S+/sample/generations.jsonl");
    }
}
