package dev.memaudit.core.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.memaudit.core.records.run.StageConfig;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/run-folders.md against the record types: every file record and every stage config is
 * documented in a fenced block under a {@code <!-- record: <class> -->} marker, and each block
 * lists exactly the record's fields (a field the record lacks, or one the block lacks, fails), with
 * {@code ?} exactly on the optional ones, nested records too. The blocks keep the doc's
 * pseudo-JSON: {@code name}, {@code name?}, {@code name: value}, {@code {<key>: value}} for a map,
 * {@code [ … ]} for a list, {@code //} comments.
 */
class RunFoldersDocTest {
    private static final Pattern BLOCK =
            Pattern.compile(
                    "<!-- record: ([\\w.$]+) -->\\s*\\n[ \\t]*```[^\\n]*\\n(.*?)\\n[ \\t]*```",
                    Pattern.DOTALL);

    /** A documented value: its fields when an object, else null (a scalar, or a map of them). */
    record Doc(Map<String, Field> fields, Doc mapValue, Doc element) {}

    record Field(boolean optional, Doc value) {}

    static Path doc() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("docs/run-folders.md");
            if (Files.isRegularFile(d)) {
                return d;
            }
        }
        throw new IllegalStateException(
                "no docs/run-folders.md above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyRecordIsDocumentedFieldByField() throws IOException {
        String text = Files.readString(doc(), StandardCharsets.UTF_8);
        Set<Class<?>> wanted = new java.util.LinkedHashSet<>(RecordTypes.fileRecords());
        for (JsonSubTypes.Type t : StageConfig.class.getAnnotation(JsonSubTypes.class).value()) {
            wanted.add(t.value());
        }
        assertThat(problems(text, wanted)).as("docs/run-folders.md against the records").isEmpty();
    }

    @Test
    void theCheckFindsEachKindOfDifference() {
        String doc =
                "<!-- record: "
                        + RecordsTest.T.class.getName()
                        + " -->\n```\n{schema_version, count, inner: {count, nme}, names: [..],"
                        + " tokens, p, logs: {<scheme>: lp}, extra}   // comment, ignored\n```\n";
        assertThat(problems(doc, Set.of(RecordsTest.T.class, RecordsTest.Inner.class)))
                .containsExactlyInAnyOrder(
                        "T.inner.name: in the record, not in the doc",
                        "T.inner.nme: in the doc, not in the record",
                        "T.tokens: optional in the record, not marked ? in the doc",
                        "T.extra: in the doc, not in the record",
                        RecordsTest.Inner.class.getName() + ": no <!-- record: --> block");
    }

    static List<String> problems(String text, Set<Class<?>> wanted) {
        Map<Class<?>, Doc> documented = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            Class<?> type;
            try {
                type = Class.forName(m.group(1));
            } catch (ClassNotFoundException e) {
                problems.add("marker names no class: " + m.group(1));
                continue;
            }
            Doc d = new Parser(m.group(2)).object();
            if (documented.put(type, d) != null) {
                problems.add(type.getSimpleName() + " is documented twice");
            }
        }
        for (Class<?> type : wanted) {
            if (!documented.containsKey(type)) {
                problems.add(type.getName() + ": no <!-- record: --> block");
            }
        }
        documented.forEach(
                (type, d) -> compare(type, d, type.getSimpleName(), documented, problems));
        return problems;
    }

    private static void compare(
            Class<?> type,
            Doc doc,
            String where,
            Map<Class<?>, Doc> documented,
            List<String> problems) {
        if (!type.isRecord()) {
            problems.add(where + ": " + type.getName() + " is not a record");
            return;
        }
        if (doc.fields() == null) {
            problems.add(where + ": documented as a map or value, the record has fields");
            return;
        }
        Map<String, String> names = Records.jsonNames(type);
        Set<String> recordFields = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            String name = names.get(c.getName());
            recordFields.add(name);
            Field f = doc.fields().get(name);
            if (f == null) {
                problems.add(where + "." + name + ": in the record, not in the doc");
                continue;
            }
            boolean optional = c.isAnnotationPresent(OptionalField.class);
            if (f.optional() != optional) {
                problems.add(
                        where
                                + "."
                                + name
                                + ": "
                                + (optional
                                        ? "optional in the record, not marked ? in the doc"
                                        : "marked ? in the doc, required in the record"));
            }
            nested(c.getGenericType(), f.value(), where + "." + name, documented, problems);
        }
        for (String name : doc.fields().keySet()) {
            if (!recordFields.contains(name)) {
                problems.add(where + "." + name + ": in the doc, not in the record");
            }
        }
    }

    private static void nested(
            Type type,
            Doc doc,
            String where,
            Map<Class<?>, Doc> documented,
            List<String> problems) {
        if (type instanceof Class<?> c && c.isRecord()) {
            if (doc == null || doc.fields() == null) {
                if (!documented.containsKey(c)) {
                    problems.add(
                            where
                                    + ": a record ("
                                    + c.getSimpleName()
                                    + ") with neither its fields here nor a block of its own");
                }
                return;
            }
            compare(c, doc, where, documented, problems);
        } else if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw)) {
                nested(
                        args[0],
                        doc == null ? null : doc.element(),
                        where + "[]",
                        documented,
                        problems);
            } else if (Map.class.isAssignableFrom(raw)
                    && args[1] instanceof Class<?> v
                    && v.isRecord()) {
                nested(
                        v,
                        doc == null ? null : doc.mapValue(),
                        where + ".<key>",
                        documented,
                        problems);
            }
        }
    }

    /** The pseudo-JSON of a block: objects, maps, lists and values (anything else). */
    static final class Parser {
        private final List<String> tokens = new ArrayList<>();
        private int i;

        Parser(String block) {
            String text = block.replaceAll("//[^\\n]*", " ");
            Matcher t =
                    Pattern.compile("\\{|\\}|\\[|\\]|,|:|\\||\"[^\"]*\"|[^\\s{}\\[\\],:|\"]+")
                            .matcher(text);
            while (t.find()) {
                tokens.add(t.group());
            }
        }

        private String peek() {
            return i < tokens.size() ? tokens.get(i) : "";
        }

        Doc object() {
            expect("{");
            Map<String, Field> fields = new LinkedHashMap<>();
            Doc mapValue = null;
            while (!peek().equals("}")) {
                String key = tokens.get(i++);
                Doc value = null;
                if (peek().equals(":")) {
                    i++;
                    value = value();
                }
                if (key.startsWith("<") || key.startsWith("\"")) {
                    // a map: its keys are examples or placeholders; its values are what counts
                    mapValue = value;
                } else {
                    boolean optional = key.endsWith("?");
                    fields.put(
                            optional ? key.substring(0, key.length() - 1) : key,
                            new Field(optional, value));
                }
                if (peek().equals(",")) {
                    i++;
                }
            }
            expect("}");
            return fields.isEmpty() ? new Doc(null, mapValue, null) : new Doc(fields, null, null);
        }

        private Doc value() {
            Doc v = one();
            // alternatives ({…} | null): the first one is the shape
            while (peek().equals("|")) {
                i++;
                one();
            }
            return v;
        }

        private Doc one() {
            if (peek().equals("{")) {
                return object();
            }
            if (peek().equals("[")) {
                i++;
                Doc element = null;
                while (!peek().equals("]")) {
                    Doc v = value();
                    element = element == null ? v : element;
                    if (peek().equals(",")) {
                        i++;
                    }
                }
                i++;
                return new Doc(null, null, element);
            }
            // a scalar: everything up to the next separator or alternative
            while (!peek().isEmpty() && !Set.of(",", "}", "]", "|").contains(peek())) {
                i++;
            }
            return null;
        }

        private void expect(String s) {
            if (!peek().equals(s)) {
                throw new IllegalArgumentException(
                        "expected " + s + " at token " + i + " (" + peek() + ") in " + tokens);
            }
            i++;
        }
    }
}
