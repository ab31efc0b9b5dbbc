package dev.memaudit.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.AuditState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner over its seam, {@link StageCommands}: it hands each stage the exact command of the
 * plan, stops at the first stage that fails with that stage's exit code, and records in
 * audit-state.json what finished. (The stages themselves run in the cli tests and ITs.)
 */
class AuditRunnerTest {
    @TempDir Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

    /** Records each command; exits with {@code code} for the command named {@code failing}. */
    private static final class Recorded implements StageCommands {
        final List<List<String>> ran = new ArrayList<>();
        final Set<String> known;
        final String failing;
        final int code;

        Recorded(Set<String> known, String failing, int code) {
            this.known = known;
            this.failing = failing;
            this.code = code;
        }

        @Override
        public boolean has(String command) {
            return known.contains(command);
        }

        @Override
        public int run(List<String> args) {
            ran.add(List.copyOf(args));
            return args.get(0).equals(failing) ? code : 0;
        }
    }

    private AuditConfig config() throws Exception {
        Files.writeString(tmp.resolve("corpus.yaml"), "works: []\n");
        Path f = tmp.resolve("audit.yaml");
        Files.writeString(
                f,
                "corpus: corpus.yaml\n"
                        + "out: out\n"
                        + "stages: [index, model, extract, scan]\n"
                        + "model: {endpoint: 'http://127.0.0.1:9', model_name: m}\n"
                        + "extract: {attempts: 2, min_similarity: 0.9}\n");
        return AuditConfig.load(f);
    }

    @Test
    void eachStageGetsThePlannedCommandAndAFailureStopsTheAuditWithItsExitCode() throws Exception {
        AuditConfig cfg = config();
        Recorded commands = new Recorded(Set.of("index", "extract", "scan"), "extract", 4);
        int code =
                new AuditRunner(cfg, commands, new PrintWriter(out), new PrintWriter(err), clock)
                        .run(false);

        assertThat(code).isEqualTo(4);
        Path o = tmp.resolve("out").toAbsolutePath().normalize();
        Path corpus = tmp.resolve("corpus.yaml").toAbsolutePath().normalize();
        assertThat(commands.ran)
                .containsExactly(
                        List.of(
                                "index",
                                "build",
                                "--corpus",
                                corpus.toString(),
                                "--index",
                                o.resolve("index").toString(),
                                "--ngram",
                                "8"),
                        List.of(
                                "extract",
                                "--endpoint",
                                "http://127.0.0.1:9",
                                "--model-name",
                                "m",
                                "--index",
                                o.resolve("index").toString(),
                                "--out",
                                o.resolve("extract").toString(),
                                "--attempts",
                                "2",
                                "--min-similarity",
                                "0.9"));
        AuditState state = Records.read(o.resolve("audit-state.json"), AuditState.class);
        assertThat(state.stages()).containsOnlyKeys("index", "extract");
        assertThat(state.stages().get("index").finished()).isTrue();
        assertThat(state.stages().get("extract").finished()).isFalse();
        assertThat(state.stages().get("extract").command())
                .startsWith("memaudit extract --endpoint http://127.0.0.1:9 ");
    }

    @Test
    void aListOfEndpointsBecomesReplicas() throws Exception {
        Files.writeString(tmp.resolve("corpus.yaml"), "works: []\n");
        Path f = tmp.resolve("replicas.yaml");
        Files.writeString(
                f,
                "corpus: corpus.yaml\n"
                        + "out: out\n"
                        + "stages: [index, model, extract]\n"
                        + "model:\n"
                        + "  endpoint: ['http://127.0.0.1:9', 'http://127.0.0.1:10']\n"
                        + "  model_name: m\n");
        assertThat(AuditConfig.load(f).model().endpointFlags())
                .containsExactly(
                        "--endpoint",
                        "http://127.0.0.1:9",
                        "--endpoint",
                        "http://127.0.0.1:10",
                        "--model-name",
                        "m");
    }

    @Test
    void aDryRunExecutesNothingAndACommandThisBuildLacksIsNotRun() throws Exception {
        AuditConfig cfg = config();
        Recorded commands = new Recorded(Set.of("index", "extract"), null, 0);
        int code =
                new AuditRunner(cfg, commands, new PrintWriter(out), new PrintWriter(err), clock)
                        .run(true);

        assertThat(code).isZero();
        assertThat(commands.ran).isEmpty();
        assertThat(out.toString())
                .contains("dry run")
                .containsPattern("index +run: memaudit index build --corpus ")
                .contains("model    not applicable")
                .containsPattern("extract +run: memaudit extract --endpoint ")
                .contains("scan     unavailable: this build has no `memaudit scan`");
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
