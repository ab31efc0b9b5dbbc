package dev.memaudit.core.records.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.Records;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * attempts_needed in JSON: an integer, a float beyond 2^53, {"log10": x} beyond a double, or
 * "unreachable"; each reads back as written, and anything else is refused (never read as 0 or as a
 * huge number).
 */
class AttemptsNeededTest {
    private static String json(AttemptsNeeded a) throws Exception {
        return Records.MAPPER.writeValueAsString(a);
    }

    private static AttemptsNeeded read(String json) throws Exception {
        return Records.MAPPER.readValue(json, AttemptsNeeded.class);
    }

    @Test
    void everyFormReadsBackAsWritten() throws Exception {
        assertThat(json(AttemptsNeeded.of(7))).isEqualTo("7");
        assertThat(json(AttemptsNeeded.of(new BigDecimal("1.4e17")))).isEqualTo("1.4E17");
        assertThat(json(AttemptsNeeded.ofLog10(347.5))).isEqualTo("{\"log10\":347.5}");
        assertThat(json(AttemptsNeeded.UNREACHABLE)).isEqualTo("\"unreachable\"");
        for (AttemptsNeeded a :
                new AttemptsNeeded[] {
                    AttemptsNeeded.of(7),
                    AttemptsNeeded.of(new BigDecimal("1.4e17")),
                    AttemptsNeeded.ofLog10(347.5),
                    AttemptsNeeded.UNREACHABLE
                }) {
            assertThat(read(json(a))).isEqualTo(a);
        }
        assertThat(read("\"unreachable\"").reachable()).isFalse();
        assertThat(read("{\"log10\":400}").log10()).isEqualTo(400.0);
        assertThat(AttemptsNeeded.of(1000).log10()).isEqualTo(3.0);
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad :
                new String[] {"\"never\"", "0", "-3", "{\"log10\":12}", "{\"n\":5}", "true"}) {
            assertThatThrownBy(() -> read(bad)).as(bad).isInstanceOf(Exception.class);
        }
        // null is not "unreachable" (the version-1 spelling): a windows.jsonl v2 line refuses it
        WindowRecord w =
                new WindowRecord(
                        WindowRecord.SCHEMA_VERSION,
                        "w",
                        0,
                        0,
                        1,
                        1,
                        2,
                        1,
                        1,
                        0,
                        1,
                        2,
                        Map.of("t1", 0.5),
                        Map.of("t1", -0.69),
                        false,
                        0,
                        Map.of("t1", Map.of("0.5", AttemptsNeeded.of(1))),
                        3.5,
                        0,
                        null,
                        null,
                        null);
        ObjectNode tree = (ObjectNode) Records.tree(w);
        ((ObjectNode) tree.path("attempts_needed").path("t1")).putNull("0.5");
        assertThatThrownBy(() -> Records.bind(tree, WindowRecord.class, "windows.jsonl:1"))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("windows.jsonl:1: attempts_needed.t1.0.5");
    }
}
