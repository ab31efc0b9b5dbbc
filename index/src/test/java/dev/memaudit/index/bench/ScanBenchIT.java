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
 * corpus occurrence of it is found, the baseline finds the same spans, and the child-JVM build
 * works under -Xmx1g. Speed is not asserted (figures come from {@code memaudit bench scan}).
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
        assertThat(text.toString()).contains("M words/s").contains("MB/s");
    }
}
