package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
    @TempDir Path tmp;

    private Path audit(String yaml) throws Exception {
        Path f = tmp.resolve("audit.yaml");
        Files.writeString(
                f,
                "corpus: "
                        + Cli.repoRoot().resolve("corpora-sample/corpus.yaml")
                        + "\n"
                        + "out: "
                        + tmp.resolve("out")
                        + "\n"
                        + yaml);
        return f;
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
    void theSampleAuditPlansEveryStageWithItsExactCommand() {
        Path yaml = Cli.repoRoot().resolve("corpora-sample/audit.yaml");
        Cli.Result r = Cli.run("audit", yaml.toString(), "--dry-run").exits(0).noStackTrace();
        assertThat(r.out())
                .contains("dry run")
                .containsPattern("index +run: memaudit index build --corpus \\S+corpus.yaml")
                .containsPattern(
                        "model +run: memaudit canary train .*--members harbour-lights,tin-roof-hymns")
                .containsPattern(
                        "scan +run: memaudit scan --index \\S+/index --outputs \\S+/sample/generations.jsonl");
    }
}
