package dev.memaudit.core.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordsTest {
    @TempDir Path tmp;

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Inner(int count, String name) {}

    /** One of each kind of component. */
    @RecordFile(name = "t.jsonl", version = 3)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record T(
            int schemaVersion,
            int count,
            Inner inner,
            List<String> names,
            @OptionalField Integer tokens,
            @Nullable Double p,
            @NullableValues Map<String, Double> logs) {}

    private static final String FULL =
            "{\"schema_version\":3,\"count\":2,\"inner\":{\"count\":1,\"name\":\"a\"},"
                    + "\"names\":[\"x\"],\"p\":null,\"logs\":{\"t1\":null}}";

    private Path jsonl(String... lines) throws Exception {
        Path f = tmp.resolve("t.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    private AbstractThrowableAssert<?, ? extends Throwable> failsReading(String line)
            throws Exception {
        Path f = jsonl(FULL, line);
        return assertThatThrownBy(() -> Records.readAll(f, T.class))
                .isInstanceOf(MemauditException.class)
                .satisfies(
                        e ->
                                assertThat(((MemauditException) e).category())
                                        .isEqualTo(ExitCategory.INTEGRITY));
    }

    @Test
    void aCompleteRecordReadsWithItsOptionalAndNullableParts() throws Exception {
        List<T> all = Records.readAll(jsonl(FULL), T.class);
        assertThat(all).hasSize(1);
        T t = all.get(0);
        assertThat(t.tokens()).isNull();
        assertThat(t.p()).isNull();
        assertThat(t.logs()).containsEntry("t1", null);
        // absent optional stays absent, null nullable stays null: written back byte for byte
        assertThat(new String(Records.line(t), StandardCharsets.UTF_8)).isEqualTo(FULL);
    }

    @Test
    void aMissingPrimitiveIsNotZero() throws Exception {
        failsReading(FULL.replace("\"count\":2,", ""))
                .hasMessageContaining(tmp.resolve("t.jsonl") + ":2: count: missing (required)");
    }

    @Test
    void aMissingObjectIsNotNull() throws Exception {
        failsReading(FULL.replace("\"inner\":{\"count\":1,\"name\":\"a\"},", ""))
                .hasMessageContaining("t.jsonl:2: inner: missing (required)");
    }

    @Test
    void aMissingListIsNotEmpty() throws Exception {
        failsReading(FULL.replace("\"names\":[\"x\"],", ""))
                .hasMessageContaining("t.jsonl:2: names: missing (required)");
    }

    @Test
    void aMissingNestedFieldIsNamedByItsPath() throws Exception {
        failsReading(FULL.replace("\"count\":1,", ""))
                .hasMessageContaining("t.jsonl:2: inner.count: missing (required)");
    }

    @Test
    void aNullableFieldMustStillBePresent() throws Exception {
        failsReading(FULL.replace("\"p\":null,", ""))
                .hasMessageContaining("t.jsonl:2: p: missing (required)");
    }

    @Test
    void nullWhereAValueIsRequiredIsRefused() throws Exception {
        failsReading(FULL.replace("\"count\":2", "\"count\":null"))
                .hasMessageContaining("t.jsonl:2: count: null where a value is required");
        failsReading(FULL.replace("[\"x\"]", "[null]"))
                .hasMessageContaining("t.jsonl:2: names[0]: null where a value is required");
    }

    @Test
    void anUnknownFieldIsRefusedNamingTheKnownOnes() throws Exception {
        failsReading(FULL.replace("\"count\":2", "\"count\":2,\"cuont\":2"))
                .hasMessageContaining("t.jsonl:2: cuont: unknown field (known: count, inner,");
    }

    @Test
    void aValueOfTheWrongKindIsNotCoerced() throws Exception {
        failsReading(FULL.replace("\"count\":2", "\"count\":\"2\""))
                .hasMessageContaining("t.jsonl:2: count:");
        failsReading(FULL.replace("\"count\":2", "\"count\":2.5"))
                .hasMessageContaining("t.jsonl:2: count:");
        failsReading(FULL.replace("\"name\":\"a\"", "\"name\":7"))
                .hasMessageContaining("t.jsonl:2: inner.name:");
    }

    @Test
    void anUnknownOrMissingSchemaVersionIsRefusedBeforeBinding() throws Exception {
        failsReading("{\"schema_version\":4,\"whatever\":1}")
                .hasMessageContaining(
                        "t.jsonl:2: schema_version 4 is not one this memaudit reads (3)");
        failsReading(FULL.replace("\"schema_version\":3,", ""))
                .hasMessageContaining("t.jsonl:2: schema_version: missing (required)");
    }

    /** Version 3 added the optional {@code tokens}; version 2 files, without it, still read. */
    @RecordFile(name = "t.jsonl", version = 3, readsFrom = 2)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Later(int schemaVersion, int count, @OptionalField Integer tokens) {}

    @Test
    void anOlderVersionWithinReadsFromIsReadAndOneBeforeItOrAfterTheCurrentIsRefused()
            throws Exception {
        Path f =
                jsonl(
                        "{\"schema_version\":2,\"count\":1}",
                        "{\"schema_version\":3,\"count\":2,\"tokens\":5}");
        assertThat(Records.readAll(f, Later.class))
                .containsExactly(new Later(2, 1, null), new Later(3, 2, 5));
        for (String v : new String[] {"1", "4"}) {
            Path bad = jsonl("{\"schema_version\":" + v + ",\"count\":1}");
            assertThatThrownBy(() -> Records.readAll(bad, Later.class))
                    .isInstanceOf(MemauditException.class)
                    .hasMessageContaining(
                            "t.jsonl:1: schema_version "
                                    + v
                                    + " is not one this memaudit reads (2 to 3)");
        }
    }

    @Test
    void aJsonDocumentNamesTheLineOfTheProblem() throws Exception {
        Path f = tmp.resolve("t.json");
        Files.writeString(
                f,
                "{\n  \"schema_version\" : 3,\n  \"count\" : 2,\n  \"inner\" : {\n    \"count\" :"
                        + " \"one\",\n    \"name\" : \"a\"\n  },\n  \"names\" : [ ],\n  \"p\" :"
                        + " null,\n  \"logs\" : { }\n}\n");
        assertThatThrownBy(() -> Records.read(f, T.class))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(f + ":5: inner.count:");
    }

    @Test
    void aDocumentIsWrittenWithSortedKeysAndReadsBack() throws Exception {
        Path f = tmp.resolve("t.json");
        T t = new T(3, 2, new Inner(1, "a"), List.of("x"), 5, 0.5, Map.of("t1", -0.7));
        Records.write(f, t);
        String text = Files.readString(f);
        assertThat(text.indexOf("\"count\"")).isLessThan(text.indexOf("\"inner\""));
        assertThat(text.indexOf("\"p\"")).isLessThan(text.indexOf("\"schema_version\""));
        assertThat(Records.read(f, T.class)).isEqualTo(t);
    }

    @Test
    void aNonFiniteNumberIsNeverWritten() {
        T t = new T(3, 2, new Inner(1, "a"), List.of(), null, Double.NaN, Map.of());
        assertThatThrownBy(() -> Records.line(t)).hasMessageContaining("not a finite number");
        assertThatThrownBy(() -> Records.write(tmp.resolve("t.json"), t))
                .hasMessageContaining("not a finite number");
    }
}
