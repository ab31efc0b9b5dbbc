package dev.memaudit.index.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark at a small size, for its correctness checks only: every planted passage and every
 * corpus occurrence of it is found, at the right code-point offsets in both texts, the baseline
 * finds the same spans, and the child-JVM build works under -Xmx1g. Speed is not asserted (figures
 * come from {@code memaudit bench scan}).
 */
class ScanBenchIT {
    @TempDir Path dir;

    @Test
    void smallBenchFindsEveryPlantedPassageAndOccurrence() throws Exception {
        StringWriter text = new StringWriter();
        Map<String, Object> f =
                new ScanBench(new PrintWriter(text))
                        .run(new ScanBench.Settings(3, 1, 2, 7, 12, 1), dir);
        assertThat(f.get("recall_planted")).as(text.toString()).isEqualTo(1.0);
        assertThat(f.get("recall_occurrences")).isEqualTo(1.0);
        assertThat((Long) f.get("occurrences"))
                .isGreaterThan(((Integer) f.get("planted")).longValue());
        assertThat(f.get("baseline_same_spans")).isEqualTo(true);
        // offsets as a user reads them: every planted passage inside a span of its work at the
        // right place in both texts, and every span's two ranges normalize to the same words
        assertThat(f.get("planted_at_right_offsets")).isEqualTo(f.get("planted"));
        assertThat(f.get("spans_reslice_verified")).isEqualTo(f.get("spans"));
        assertThat(text.toString()).contains("M words/s").contains("MB/s");
    }
}
