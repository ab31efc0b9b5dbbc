package dev.memaudit.core.records;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The one way run-folder files are read and written (layouts in docs/run-folders.md). Each file has
 * one record type marked {@link RecordFile}; reading checks the file's {@code schema_version}
 * before binding and binds strictly: a missing required field, a {@code null} where a value is
 * required, an unknown field, a number where text belongs (or the reverse) are each an integrity
 * failure (exit 5) reading {@code <file>:<line>: <field>: <reason>}. Components are required and
 * non-null unless marked {@link OptionalField}, {@link Nullable} or {@link NullableValues}.
 *
 * <p>JSON documents (works.json, manifest.json, …) are written indented with every object's keys
 * sorted, atomically; JSONL records one per line in the record's own field order. A NaN or infinite
 * number is never written (JSON has none; a value that could not be computed is null or absent):
 * trying to is an error.
 */
public final class Records {
    /** Strict on read (see the class comment), otherwise configured as {@link Json#MAPPER}. */
    public static final ObjectMapper MAPPER = mapper();

    private Records() {}

    private static ObjectMapper mapper() {
        JsonFactory factory = JsonFactory.builder().addDecorator(FiniteNumbers::new).build();
        JsonMapper m =
                Json.builder(factory)
                        .annotationIntrospector(new RecordIntrospector())
                        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                        .build();
        // A number or boolean where the record wants text: an error, not "1" or "true".
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    /** Refuses to write a non-finite number, which would otherwise become the string "NaN". */
    private static final class FiniteNumbers extends JsonGeneratorDelegate {
        FiniteNumbers(JsonFactory f, JsonGenerator g) {
            super(g, false);
        }

        @Override
        public void writeNumber(double v) throws java.io.IOException {
            if (!Double.isFinite(v)) {
                throw new com.fasterxml.jackson.core.JsonGenerationException(
                        "not a finite number: " + v, this);
            }
            super.writeNumber(v);
        }

        @Override
        public void writeNumber(float v) throws java.io.IOException {
            if (!Float.isFinite(v)) {
                throw new com.fasterxml.jackson.core.JsonGenerationException(
                        "not a finite number: " + v, this);
            }
            super.writeNumber(v);
        }
    }

    /** The {@code schema_version} a record type reads and writes. */
    public static int version(Class<?> type) {
        return fileOf(type).version();
    }

    /** The run-folder file name of a record type (e.g. {@code windows.jsonl}). */
    public static String fileName(Class<?> type) {
        return fileOf(type).name();
    }

    /**
     * A record type's components by Java name → JSON field name, in declaration order (as Jackson
     * binds them: snake case, {@code @JsonProperty} names).
     */
    public static Map<String, String> jsonNames(Class<?> type) {
        var description = MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(type));
        Map<String, String> byInternal = new java.util.HashMap<>();
        for (var p : description.findProperties()) {
            byInternal.put(p.getInternalName(), p.getName());
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (var c : type.getRecordComponents()) {
            String json = byInternal.get(c.getName());
            if (json == null) {
                throw new IllegalArgumentException(
                        type.getName() + "." + c.getName() + " is not bound");
            }
            out.put(c.getName(), json);
        }
        return out;
    }

    private static RecordFile fileOf(Class<?> type) {
        RecordFile f = type.getAnnotation(RecordFile.class);
        if (f == null) {
            throw new IllegalArgumentException(type.getName() + " is not marked @RecordFile");
        }
        return f;
    }

    /**
     * Reads a JSON document (not JSONL) into its record type.
     *
     * @throws MemauditException INTEGRITY naming file, line and field for anything but a valid
     *     record of the known version; BAD_INPUT when the file cannot be read
     */
    public static <T> T read(Path file, Class<T> type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw MemauditException.integrity(file + ": missing", e);
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw MemauditException.integrity(
                    at(file.toString(), e.getLocation())
                            + ": not valid JSON: "
                            + e.getOriginalMessage(),
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!(tree instanceof ObjectNode o)) {
            throw MemauditException.integrity(file + ": not a JSON object");
        }
        checkVersion(file + ":1", o, type);
        try {
            return MAPPER.readValue(bytes, type);
        } catch (JsonMappingException e) {
            throw problem(at(file.toString(), e.getLocation()), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Binds one parsed JSON object (a JSONL line) to its record type after checking its {@code
     * schema_version}.
     *
     * @param where names the object in messages, e.g. {@code file:line}
     */
    public static <T> T bind(ObjectNode object, Class<T> type, String where) {
        checkVersion(where, object, type);
        try {
            return MAPPER.treeToValue(object, type);
        } catch (JsonMappingException e) {
            throw problem(where, e);
        } catch (JsonProcessingException e) {
            throw MemauditException.integrity(where + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Reads every record of a JSONL file in order, calling {@code action} with each. */
    public static <T> void forEach(Path file, Class<T> type, Consumer<? super T> action) {
        try (RecordReader<T> in = RecordReader.open(file, type)) {
            for (T r; (r = in.next()) != null; ) {
                action.accept(r);
            }
        }
    }

    /** Every record of a JSONL file, in order (for files known to be small). */
    public static <T> List<T> readAll(Path file, Class<T> type) {
        List<T> out = new ArrayList<>();
        forEach(file, type, out::add);
        return out;
    }

    /**
     * Writes a record as a JSON document: indented, every object's keys sorted (so a file does not
     * depend on declaration order), final newline, atomically.
     */
    public static void write(Path file, Object record) {
        JsonNode tree;
        try {
            // through bytes, not valueToTree: only the writer refuses NaN, naming the field
            tree = MAPPER.readTree(line(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Json.writePretty(MAPPER, file, sorted(tree));
    }

    /** One JSONL line of a record (no newline), fields in the record's order. */
    public static byte[] line(Object record) {
        try {
            return MAPPER.writeValueAsBytes(record);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(
                    "cannot write "
                            + record.getClass().getSimpleName()
                            + ": "
                            + path(e)
                            + ": "
                            + e.getOriginalMessage(),
                    e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot write " + record.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** A record as a JSON tree (for display and comparison of whole records). */
    public static JsonNode tree(Object record) {
        return MAPPER.valueToTree(record);
    }

    /** A record as a JSON tree with every object's keys sorted, as {@link #write} writes it. */
    public static JsonNode sortedTree(Object record) {
        return sorted(MAPPER.valueToTree(record));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> keys = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                keys.put(e.getKey(), sorted(e.getValue()));
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            keys.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            var out = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> out.add(sorted(n)));
            return out;
        }
        return node;
    }

    private static void checkVersion(String where, ObjectNode o, Class<?> type) {
        int known = version(type);
        int oldest = fileOf(type).readsFrom() < 0 ? known : fileOf(type).readsFrom();
        JsonNode v = o.get("schema_version");
        if (v == null) {
            throw MemauditException.integrity(where + ": schema_version: missing (required)");
        }
        if (!v.isInt() || v.intValue() < oldest || v.intValue() > known) {
            throw MemauditException.integrity(
                    where
                            + ": schema_version "
                            + v
                            + " is not one this memaudit reads ("
                            + (oldest == known ? "" + known : oldest + " to " + known)
                            + ") for "
                            + fileOf(type).name());
        }
    }

    private static String at(String file, JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? file : file + ":" + loc.getLineNr();
    }

    /** {@code <where>: <field>: <reason>} for a binding failure. */
    static MemauditException problem(String where, JsonMappingException e) {
        String field = path(e);
        String reason;
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = new ArrayList<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            known.sort(null);
            reason = "unknown field (known: " + String.join(", ", known) + ")";
        } else if (e instanceof InvalidNullException) {
            reason = "null where a value is required";
        } else if (e instanceof InvalidTypeIdException t) {
            // the only polymorphic parts of run records are configs chosen by "command"
            if (field.isEmpty()) {
                field = "command";
            }
            reason = "'" + t.getTypeId() + "' is not a command this memaudit knows";
        } else if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            // a record's own check (its compact constructor) failed: its message says what is wrong
            reason = v.getCause().getMessage();
        } else if (e.getOriginalMessage() != null
                && e.getOriginalMessage().startsWith("Missing required creator property")) {
            reason = "missing (required)";
        } else if (e.getOriginalMessage() != null
                && e.getOriginalMessage().startsWith("Missing external type id property '")) {
            String m = e.getOriginalMessage();
            int from = m.indexOf('\'') + 1;
            field = m.substring(from, m.indexOf('\'', from));
            reason = "missing (required)";
        } else {
            reason = cleaned(e.getOriginalMessage());
        }
        String message = where + ": " + (field.isEmpty() ? "" : field + ": ") + reason;
        return MemauditException.integrity(message, e);
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String cleaned(String message) {
        if (message == null) {
            return "not valid";
        }
        int hint = message.indexOf(" (but ");
        return hint > 0 ? message.substring(0, hint) : message;
    }
}
