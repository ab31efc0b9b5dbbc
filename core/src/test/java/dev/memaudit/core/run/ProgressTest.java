package dev.memaudit.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void showsShareRateAndEtaCountingOnlyThisRunsWork() {
        long[] now = {0};
        var buf = new ByteArrayOutputStream();
        Progress p =
                new Progress(
                        new PrintStream(buf, true, StandardCharsets.UTF_8),
                        "extract",
                        "windows",
                        100,
                        40,
                        true,
                        () -> now[0]);
        now[0] = 10_000_000_000L; // 10 s
        p.advance(20); // 20 windows in 10 s = 2/s; 40 left = 20 s
        assertThat(p.line(now[0]))
                .contains("60/100 windows (60%)")
                .contains("2.0 windows/s")
                .contains("ETA 0m20s");
        assertThat(buf.toString(StandardCharsets.UTF_8)).startsWith("\rextract [");
    }

    @Test
    void disabledDrawsNothing() {
        var buf = new ByteArrayOutputStream();
        try (Progress p = Progress.of(new PrintStream(buf), "scan", "outputs", 10, 0, false)) {
            p.advance(5);
        }
        assertThat(buf.size()).isZero();
    }

    @Test
    void longDurationsInHours() {
        assertThat(Progress.duration(3 * 3600 + 125)).isEqualTo("3h02m");
    }
}
