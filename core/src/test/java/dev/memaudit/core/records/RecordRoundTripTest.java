package dev.memaudit.core.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every run-folder file type written and read back unchanged (JSONL types as a line, documents as a
 * file), and every required field of every type refused when missing, naming file, line and field.
 */
class RecordRoundTripTest {
    @TempDir Path tmp;

    static Stream<Object> samples() {
        return RecordSamples.all().stream();
    }

    private static boolean isJsonl(Class<?> type) {
        return Records.fileName(type).endsWith(".jsonl");
    }

    private Path written(Object record) {
        Path f = tmp.resolve(Records.fileName(record.getClass()));
        if (isJsonl(record.getClass())) {
            try {
                // a record among others: the second line
                byte[] line = Records.line(record);
                String text = new String(line, StandardCharsets.UTF_8);
                Files.writeString(f, text + "\n" + text + "\n", StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            Records.write(f, record);
        }
        return f;
    }

    private static Object read(Path f, Class<?> type) {
        if (isJsonl(type)) {
            List<?> all = Records.readAll(f, type);
            assertThat(all).hasSize(2);
            return all.get(1);
        }
        return Records.read(f, type);
    }

    @Test
    void everyFileTypeHasASample() {
        Set<Class<?>> sampled = new HashSet<>();
        RecordSamples.all().forEach(s -> sampled.add(s.getClass()));
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(RecordTypes.fileRecords());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aRecordReadsBackAsWritten(Object record) throws Exception {
        Path f = written(record);
        Object back = read(f, record.getClass());
        // compared as written: arrays and boxed numbers have no useful equals
        assertThat(new String(Records.line(back), StandardCharsets.UTF_8))
                .isEqualTo(new String(Records.line(record), StandardCharsets.UTF_8));
        if (!isJsonl(record.getClass())) {
            Path again = tmp.resolve("again.json");
            Records.write(again, back);
            assertThat(Files.readString(again)).isEqualTo(Files.readString(f));
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyRequiredFieldMissingIsNamedWithFileAndLine(Object record) throws Exception {
        Class<?> type = record.getClass();
        Map<String, String> names = Records.jsonNames(type);
        ObjectNode full = (ObjectNode) Records.tree(record);
        int checked = 0;
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.isAnnotationPresent(OptionalField.class)) {
                continue;
            }
            String field = names.get(c.getName());
            ObjectNode without = full.deepCopy();
            assertThat(without.remove(field)).as(field).isNotNull();
            Path f = tmp.resolve(Records.fileName(type));
            String expected;
            if (isJsonl(type)) {
                Files.writeString(f, full + "\n" + without + "\n", StandardCharsets.UTF_8);
                expected = f + ":2: " + field + ": missing (required)";
            } else {
                Files.writeString(
                        f,
                        Records.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(without),
                        StandardCharsets.UTF_8);
                expected = f + ":";
            }
            if (field.equals("schema_version")) {
                expected =
                        f + (isJsonl(type) ? ":2" : ":1") + ": schema_version: missing (required)";
            }
            String want = expected;
            assertThatThrownBy(() -> read(f, type))
                    .as("%s without %s", type.getSimpleName(), field)
                    .isInstanceOf(MemauditException.class)
                    .satisfies(
                            e -> {
                                assertThat(((MemauditException) e).category())
                                        .isEqualTo(ExitCategory.INTEGRITY);
                                assertThat(e.getMessage()).startsWith(want);
                                if (!field.equals("schema_version")) {
                                    // the field by name, and for a document the line it ends on
                                    assertThat(e.getMessage())
                                            .containsPattern(
                                                    "^\\Q"
                                                            + f
                                                            + "\\E:\\d+: .*\\Q"
                                                            + field
                                                            + "\\E: ");
                                }
                            });
            checked++;
        }
        assertThat(checked).isPositive();
    }

    @Test
    void aPolymorphicConfigOfAnUnknownCommandIsRefused() throws Exception {
        ObjectNode m = (ObjectNode) Records.tree(RecordSamples.manifest(RecordSamples.SCAN));
        m.put("command", "frobnicate");
        Path f = tmp.resolve("manifest.json");
        Files.writeString(f, m.toString());
        assertThatThrownBy(() -> Records.read(f, dev.memaudit.core.records.run.Manifest.class))
                .hasMessageContaining(
                        f + ":1: command: 'frobnicate' is not a command this memaudit knows");
    }

    @Test
    void chunkFeaturesKeepTheirOrderAndSampleSettingsAreSorted() {
        JsonNode chunk =
                Records.tree(
                        RecordSamples.all().stream()
                                .filter(s -> s instanceof dev.memaudit.core.records.ppl.ChunkRecord)
                                .findFirst()
                                .orElseThrow());
        String line =
                new String(
                        Records.line(
                                RecordSamples.all().stream()
                                        .filter(
                                                s ->
                                                        s
                                                                instanceof
                                                                dev.memaudit.core.records.ppl
                                                                        .ChunkRecord)
                                        .findFirst()
                                        .orElseThrow()),
                        StandardCharsets.UTF_8);
        assertThat(chunk.path("features").size()).isEqualTo(4);
        assertThat(line)
                .contains("{\"nll\":0.0048,\"ppl\":1.0048,\"min_k_5\":-0.054,\"zlib_ratio\"");
        String settings =
                new String(Records.line(RecordSamples.SAMPLE.settings()), StandardCharsets.UTF_8);
        assertThat(settings)
                .isEqualTo(
                        "{\"base_seed\":3,\"max_new_tokens\":64,\"stop_at_eos\":true,"
                                + "\"temperature\":1.0,\"top_k\":0,\"top_p\":1.0}");
    }
}
