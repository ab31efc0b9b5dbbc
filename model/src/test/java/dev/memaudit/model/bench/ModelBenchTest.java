package dev.memaudit.model.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModelBenchTest {
    @Test
    void tinyBenchmarkPrintsEveryFigure() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelBench.Result r =
                ModelBench.run(
                        ModelBench.Settings.tiny(),
                        new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains(
                        "matmul peak:",
                        "scoring 2 × 64 tokens",
                        "greedy decoding",
                        "fp16 max error",
                        "reduced precision: best fp16 matmul",
                        "peak resident memory");
        assertThat(r.matmulGflops()).isPositive();
        assertThat(r.scoreTokensPerSecond()).isPositive();
        assertThat(r.decodeTokensPerSecond()).isPositive();
        assertThat(r.peakRssBytes()).isPositive();
    }
}
