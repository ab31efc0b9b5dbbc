package dev.memaudit.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A mapping of a strict YAML configuration file, read with the line of every key so that each
 * problem names the file, line and key. Readers take values with the typed getters, which check
 * types and ranges; every problem is collected, and {@link Problems#throwIfAny()} reports them all
 * at once (exit 3). Unknown keys are errors ({@link #allowOnly}), duplicate keys too.
 */
public final class YamlSection {
    /** A scalar, list or mapping and the line it starts on (1-based). */
    private record Value(Object value, int line) {}

    private final String path;
    private final int line;
    private final Map<String, Value> entries;
    private final Problems problems;

    private YamlSection(String path, int line, Map<String, Value> entries, Problems problems) {
        this.path = path;
        this.line = line;
        this.entries = entries;
        this.problems = problems;
    }

    /** Collected problems of one file. */
    public static final class Problems {
        private final Path file;
        private final List<Map.Entry<Integer, String>> list = new ArrayList<>();

        Problems(Path file) {
            this.file = file;
        }

        /** Adds a problem at a line. */
        public void add(int line, String message) {
            list.add(Map.entry(line, file + ":" + line + ": " + message));
        }

        /** Whether any problem was found. */
        public boolean any() {
            return !list.isEmpty();
        }

        /** Throws one bad-input error listing every problem, if there are any. */
        public void throwIfAny() {
            if (!list.isEmpty()) {
                List<String> lines =
                        list.stream()
                                .sorted(Map.Entry.comparingByKey())
                                .map(Map.Entry::getValue)
                                .toList();
                throw MemauditException.badInput(
                        lines.size() == 1
                                ? lines.get(0)
                                : lines.size() + " problems:\n  " + String.join("\n  ", lines));
            }
        }
    }

    /** Reads the top-level mapping of {@code file}; an empty file is an empty mapping. */
    public static YamlSection read(Path file) {
        Problems problems = new Problems(file);
        try (JsonParser p = new YAMLFactory().createParser(file.toFile())) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YamlSection("", 1, new LinkedHashMap<>(), problems);
            }
            if (t != JsonToken.START_OBJECT) {
                problems.add(line(p), "the top level must be a mapping of keys");
                problems.throwIfAny();
            }
            Object root = readValue(p, problems);
            @SuppressWarnings("unchecked")
            Map<String, Value> map = (Map<String, Value>) root;
            return new YamlSection("", 1, map, problems);
        } catch (JsonProcessingException e) {
            int at = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            problems.add(at, "not valid YAML: " + e.getOriginalMessage());
            problems.throwIfAny();
            throw new AssertionError("unreachable");
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static int line(JsonParser p) {
        return p.currentLocation().getLineNr();
    }

    private static Object readValue(JsonParser p, Problems problems) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Value> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = line(p);
                    p.nextToken();
                    Object v = readValue(p, problems);
                    if (map.containsKey(key)) {
                        problems.add(keyLine, "key '" + key + "' appears twice");
                    } else {
                        map.put(key, new Value(v, keyLine));
                    }
                }
                return map;
            }
            case START_ARRAY -> {
                List<Value> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    int at = line(p);
                    list.add(new Value(readValue(p, problems), at));
                }
                return list;
            }
            case VALUE_NULL -> {
                return null;
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            default -> {
                return p.getText();
            }
        }
    }

    /** The problems collected for this file so far. */
    public Problems problems() {
        return problems;
    }

    /** Whether {@code key} is present (with any value, null included). */
    public boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The line of {@code key}, or of this mapping when the key is absent. */
    public int lineOf(String key) {
        Value v = entries.get(key);
        return v == null ? line : v.line();
    }

    private String name(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Records every key that is not in {@code allowed} as a problem. */
    public YamlSection allowOnly(String... allowed) {
        Set<String> ok = new TreeSet<>(List.of(allowed));
        for (var e : entries.entrySet()) {
            if (!ok.contains(e.getKey())) {
                problems.add(
                        e.getValue().line(),
                        "unknown key '"
                                + name(e.getKey())
                                + "' (allowed here: "
                                + String.join(", ", ok)
                                + ")");
            }
        }
        return this;
    }

    /** A nested mapping, or null when absent; a non-mapping value is a problem. */
    public YamlSection section(String key) {
        Value v = entries.get(key);
        if (v == null || v.value() == null) {
            return null;
        }
        if (!(v.value() instanceof Map<?, ?> m)) {
            problems.add(v.line(), name(key) + " must be a mapping of keys");
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Value> map = (Map<String, Value>) m;
        return new YamlSection(name(key), v.line(), map, problems);
    }

    /** A string, or {@code fallback} when absent. */
    public String string(String key, String fallback) {
        Value v = entries.get(key);
        if (v == null || v.value() == null) {
            return fallback;
        }
        if (v.value() instanceof Map || v.value() instanceof List) {
            problems.add(v.line(), name(key) + " must be a single value");
            return fallback;
        }
        return String.valueOf(v.value());
    }

    /** A whole number in [min, max], or {@code fallback} when absent. */
    public long integer(String key, long fallback, long min, long max) {
        Value v = entries.get(key);
        if (v == null || v.value() == null) {
            return fallback;
        }
        if (!(v.value() instanceof Long n)) {
            problems.add(v.line(), name(key) + " must be a whole number, got '" + v.value() + "'");
            return fallback;
        }
        if (n < min || n > max) {
            problems.add(
                    v.line(), name(key) + " must be between " + min + " and " + max + ", got " + n);
            return fallback;
        }
        return n;
    }

    /** A number in [min, max], or {@code fallback} when absent. */
    public double number(String key, double fallback, double min, double max) {
        Value v = entries.get(key);
        if (v == null || v.value() == null) {
            return fallback;
        }
        if (!(v.value() instanceof Number n)) {
            problems.add(v.line(), name(key) + " must be a number, got '" + v.value() + "'");
            return fallback;
        }
        double d = n.doubleValue();
        if (!(d >= min && d <= max)) {
            problems.add(
                    v.line(),
                    String.format(
                            Locale.ROOT,
                            "%s must be between %s and %s, got %s",
                            name(key),
                            min,
                            max,
                            d));
            return fallback;
        }
        return d;
    }

    /** A boolean, or {@code fallback} when absent. */
    public boolean bool(String key, boolean fallback) {
        Value v = entries.get(key);
        if (v == null || v.value() == null) {
            return fallback;
        }
        if (!(v.value() instanceof Boolean b)) {
            problems.add(v.line(), name(key) + " must be true or false, got '" + v.value() + "'");
            return fallback;
        }
        return b;
    }

    /** A list of strings (a single string counts as a list of one), or null when absent. */
    public List<String> strings(String key) {
        Value v = entries.get(key);
        if (v == null || v.value() == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (v.value() instanceof List<?> list) {
            for (Object o : list) {
                Value item = (Value) o;
                if (item.value() instanceof Map || item.value() instanceof List) {
                    problems.add(item.line(), name(key) + " must list plain values");
                } else {
                    out.add(String.valueOf(item.value()));
                }
            }
        } else if (v.value() instanceof Map) {
            problems.add(v.line(), name(key) + " must be a list");
        } else {
            out.add(String.valueOf(v.value()));
        }
        return out;
    }
}
