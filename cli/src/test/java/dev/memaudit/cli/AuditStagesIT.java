package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `memaudit audit` runs real stages (tiny canaries: tens of seconds). */
class AuditStagesIT {
    @TempDir Path tmp;

    private Path audit(String yaml) throws Exception {
        return Cli.auditFile(tmp, yaml);
    }

    @Test
    void aFinishedStageIsSkippedAndAChangedOneSupersededNotDeleted() throws Exception {
        String stages = "stages: [index, model]\n";
        Path f = audit(stages + "model:\n  canary: {fast: true, steps: 2, seed: 5}\n");
        Cli.Result first = Cli.run("audit", f.toString()).exits(0).noStackTrace();
        assertThat(first.out()).contains("model    run: memaudit canary train");
        Path membership = tmp.resolve("out/model/membership.json");
        assertThat(membership).exists();

        Cli.Result again = Cli.run("audit", f.toString()).exits(0).noStackTrace();
        assertThat(again.out()).contains("model    current");

        Files.writeString(f, Files.readString(f).replace("seed: 5", "seed: 6"));
        Cli.Result changed = Cli.run("audit", f.toString()).exits(0).noStackTrace();
        assertThat(changed.out()).contains("model    run: memaudit canary train");
        assertThat(changed.err()).contains("earlier results moved to");
        try (var s = Files.list(tmp.resolve("out/superseded"))) {
            assertThat(s.toList())
                    .singleElement()
                    .satisfies(p -> assertThat(p.resolve("membership.json")).exists());
        }
        JsonNode state = Json.MAPPER.readTree(tmp.resolve("out/audit-state.json").toFile());
        assertThat(state.path("stages").path("model").path("finished").asBoolean()).isTrue();
        assertThat(state.path("stages").path("model").path("command").asText())
                .contains("--seed 6");
    }
}
