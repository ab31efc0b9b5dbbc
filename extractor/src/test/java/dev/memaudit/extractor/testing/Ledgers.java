package dev.memaudit.extractor.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Compares the ledgers of two extract runs record by record. */
public final class Ledgers {
    private Ledgers() {}

    /** Records of a JSONL ledger by key (work_id, window, attempt); fails on a duplicate key. */
    public static Map<String, JsonNode> byKey(Path file) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = Json.MAPPER.readTree(line);
            String key =
                    n.path("work_id").asText()
                            + "/"
                            + n.path("window").asText("-")
                            + "/"
                            + n.path("attempt").asText("-");
            assertThat(out.put(key, n)).as("duplicate record %s in %s", key, file).isNull();
        }
        return out;
    }

    /**
     * Asserts both ledgers hold the same keys and equal records (numbers within {@code tol}
     * relative, since batching may change the last float bits).
     */
    public static void assertSame(Path a, Path b, double tol) throws IOException {
        Map<String, JsonNode> ra = byKey(a);
        Map<String, JsonNode> rb = byKey(b);
        assertThat(rb.keySet()).as("keys of %s", b).isEqualTo(ra.keySet());
        for (String k : ra.keySet()) {
            assertClose(k, ra.get(k), rb.get(k), tol);
        }
    }

    private static void assertClose(String where, JsonNode x, JsonNode y, double tol) {
        if (x.isNumber() && y.isNumber()) {
            double dx = x.asDouble();
            double dy = y.asDouble();
            if (dx > 1e6 && dy > 1e6) {
                // exp of a summed log probability (attempts_needed = 1/p_z ~ 1e150): float32
                // logits carry ~1e-6 of that log, which is 1e-4 and more of the number itself
                assertThat(Math.abs(Math.log(dx) - Math.log(dy)))
                        .as("%s: %s vs %s (log)", where, dx, dy)
                        .isLessThanOrEqualTo(tol * Math.max(1, Math.abs(Math.log(dx))));
                return;
            }
            assertThat(Math.abs(dx - dy))
                    .as("%s: %s vs %s", where, dx, dy)
                    .isLessThanOrEqualTo(tol * Math.max(1, Math.max(Math.abs(dx), Math.abs(dy))));
            return;
        }
        if (x.isObject() || x.isArray()) {
            assertThat(y.size()).as(where).isEqualTo(x.size());
            if (x.isArray()) {
                for (int i = 0; i < x.size(); i++) {
                    assertClose(where + "[" + i + "]", x.get(i), y.get(i), tol);
                }
            } else {
                for (Iterator<String> it = x.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    assertThat(y.has(f)).as("%s.%s", where, f).isTrue();
                    assertClose(where + "." + f, x.get(f), y.get(f), tol);
                }
            }
            return;
        }
        assertThat(y).as(where).isEqualTo(x);
    }
}
