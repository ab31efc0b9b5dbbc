package dev.memaudit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlSectionTest {
    @TempDir Path tmp;

    private Path file(String text) throws Exception {
        Path f = tmp.resolve("audit.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void typedValuesWithDefaults() throws Exception {
        YamlSection y =
                YamlSection.read(
                        file(
                                "corpus: corpus.yaml\nextract:\n  stride: 32\n  seed: 7\n"
                                        + "  members: [a, b]\nppl:\n  alpha: 0.01\n"));
        assertThat(y.string("corpus", null)).isEqualTo("corpus.yaml");
        YamlSection ex = y.section("extract").allowOnly("stride", "seed", "members");
        assertThat(ex.integer("stride", 50, 1, 4096)).isEqualTo(32);
        assertThat(ex.integer("attempts", 2, 0, 100)).isEqualTo(2);
        assertThat(ex.strings("members")).containsExactly("a", "b");
        assertThat(y.section("ppl").number("alpha", 0.05, 0, 1)).isEqualTo(0.01);
        assertThat(y.section("report")).isNull();
        assertThat(y.problems().any()).isFalse();
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsLine() throws Exception {
        YamlSection y =
                YamlSection.read(
                        file(
                                "corpus: c.yaml\nextrakt: {}\nextract:\n  stride: -1\n"
                                        + "  seed: x\n  seed: 3\n"));
        y.allowOnly("corpus", "extract");
        YamlSection ex = y.section("extract");
        ex.integer("stride", 50, 1, 4096);
        ex.integer("seed", 0, 0, Long.MAX_VALUE);
        assertThatThrownBy(() -> y.problems().throwIfAny())
                .hasMessageContaining("4 problems")
                .hasMessageContaining("audit.yaml:5: extract.seed must be a whole number, got 'x'")
                .hasMessageContaining("audit.yaml:2: unknown key 'extrakt'")
                .hasMessageContaining(
                        "audit.yaml:4: extract.stride must be between 1 and 4096, got -1")
                .hasMessageContaining("audit.yaml:6: key 'seed' appears twice");
    }

    @Test
    void brokenYamlNamesTheLine() throws Exception {
        Path f = file("corpus: [a, b\nout: x\n");
        assertThatThrownBy(() -> YamlSection.read(f)).hasMessageContaining("not valid YAML");
    }
}
