package dev.memaudit.index.source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.run.Reservation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The list of works (and control texts) of a corpus: a {@code corpus.yaml} file, or a folder.
 *
 * <p>corpus.yaml has the top-level keys {@code works:} and optional {@code controls:}, each a list
 * of {@code {id, title, authors, rightsholder, license, year, path, format, encoding,
 * reservation}}; {@code authors} is a string or a list of strings; {@code reservation} a mapping
 * {@code {kind: tdmrep|rsl|robots|contract, since: YYYY-MM-DD, url}} (url optional); and optional
 * {@code limits:}, a mapping of {@link ReadLimits.Key} names to values (e.g. {@code
 * max_document_bytes: 256MiB}) that the readers of this corpus keep to instead of the defaults.
 * Unknown keys are errors. {@code path} is relative to the manifest's folder and must stay inside
 * it (no {@code ..}, no absolute path, no symbolic link leading out). Ids are unique across works
 * and controls, use only {@code [A-Za-z0-9._/-]} and do not start with '/'. A manifest must list at
 * least one work or control. Every problem in a manifest is reported at once, each with its file,
 * line and key. Whether the files exist is checked when they are read ({@link CorpusLoader}), as a
 * per-work problem.
 *
 * <p>A folder without corpus.yaml holds works only: every file with a known extension, at any depth
 * (hidden files and folders excepted), in path order; its id is its path relative to the folder
 * without the extension, with '/' separators.
 */
public final class CorpusManifest {
    /** The manifest file looked for in a folder. */
    public static final String FILE_NAME = "corpus.yaml";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._/-]+");

    /**
     * Code points a corpus.yaml may have: SnakeYAML's default of 3 Mi would refuse a catalogue of
     * some 20,000 works; the file is read as a stream of events, so 64 Mi costs little memory.
     */
    static final int MAX_YAML_CODE_POINTS = 64 << 20;

    private static final YAMLFactory YAML = yamlFactory();

    private static YAMLFactory yamlFactory() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_YAML_CODE_POINTS);
        return YAMLFactory.builder().loaderOptions(options).build();
    }

    private static final List<String> KEYS =
            List.of(
                    "id",
                    "title",
                    "authors",
                    "rightsholder",
                    "license",
                    "year",
                    "path",
                    "format",
                    "encoding",
                    "reservation");

    private final Path root;
    private final Path manifestFile;
    private final List<WorkEntry> works;
    private final List<WorkEntry> controls;
    private final ReadLimits limits;

    private CorpusManifest(
            Path root,
            Path manifestFile,
            List<WorkEntry> works,
            List<WorkEntry> controls,
            ReadLimits limits) {
        this.root = root;
        this.manifestFile = manifestFile;
        this.works = List.copyOf(works);
        this.controls = List.copyOf(controls);
        this.limits = limits;
    }

    /**
     * A corpus.yaml file, or a folder (uses {@code <folder>/corpus.yaml} if present, else every
     * file with a known extension, recursively, id = relative path without extension, '/'
     * separators).
     *
     * @throws MemauditException BAD_INPUT naming file, line and key of every problem found
     */
    public static CorpusManifest load(Path dirOrYaml) {
        Path path = dirOrYaml.toAbsolutePath().normalize();
        if (Files.isDirectory(path)) {
            Path yaml = path.resolve(FILE_NAME);
            return Files.isRegularFile(yaml) ? fromYaml(yaml) : fromFolder(path);
        }
        if (Files.isRegularFile(path)) {
            return fromYaml(path);
        }
        throw MemauditException.badInput(
                "corpus not found: " + dirOrYaml + " is neither a folder nor a corpus.yaml file");
    }

    /** The folder that entry paths are relative to. */
    public Path root() {
        return root;
    }

    /** The corpus.yaml read, or null in folder mode. */
    public Path manifestFile() {
        return manifestFile;
    }

    /** The works under audit, in manifest order (folder mode: path order). */
    public List<WorkEntry> works() {
        return works;
    }

    /** The control texts, in manifest order; empty in folder mode. */
    public List<WorkEntry> controls() {
        return controls;
    }

    /** The limits the corpus.yaml sets, the defaults for the others (and in folder mode). */
    public ReadLimits limits() {
        return limits;
    }

    // ---- folder mode ----

    private static CorpusManifest fromFolder(Path root) {
        Map<String, WorkSource> byExtension = extensions();
        List<String> problems = new ArrayList<>();
        List<WorkEntry> works = new ArrayList<>();
        Map<String, String> fileById = new HashMap<>();
        Path realRoot = realPath(root);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files =
                    walk.filter(p -> !p.equals(root))
                            .filter(p -> !isHidden(root.relativize(p)))
                            .filter(Files::isRegularFile)
                            .sorted()
                            .toList();
        } catch (IOException | UncheckedIOException e) {
            throw MemauditException.badInput("cannot list corpus folder " + root + ": " + e, e);
        }
        for (Path file : files) {
            String relative = slashes(root.relativize(file));
            String extension = CorpusLoader.extensionOf(relative);
            if (!byExtension.containsKey(extension)) {
                continue;
            }
            if (!realPath(file).startsWith(realRoot)) {
                problems.add(relative + ": symbolic link leads outside the corpus folder " + root);
                continue;
            }
            String id = relative.substring(0, relative.length() - extension.length() - 1);
            String earlier = fileById.putIfAbsent(id, relative);
            if (earlier != null) {
                problems.add(
                        relative
                                + ": id '"
                                + id
                                + "' is also the id of "
                                + earlier
                                + "; rename one of them or write a corpus.yaml");
                continue;
            }
            works.add(
                    new WorkEntry(
                            id, null, List.of(), null, null, null, file, relative, null, null,
                            Role.WORK));
        }
        if (problems.isEmpty() && works.isEmpty()) {
            problems.add(
                    "no works found: no corpus.yaml and no file with a known extension ("
                            + String.join(", ", new TreeSet<>(byExtension.keySet()))
                            + ")");
        }
        if (!problems.isEmpty()) {
            throw MemauditException.badInput(report("corpus folder " + root, problems));
        }
        return new CorpusManifest(root, null, works, List.of(), ReadLimits.DEFAULTS);
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    // ---- corpus.yaml ----

    private static CorpusManifest fromYaml(Path file) {
        return new YamlReader(file).read();
    }

    /** A field value and the line it is on. */
    private record Field(Object value, int line) {}

    private static final class YamlReader {
        private final Path file;
        private final Path root;
        private final List<String> problems = new ArrayList<>();
        private final Map<String, Integer> idLines = new HashMap<>();
        private final Map<String, WorkSource> byExtension = extensions();
        private final Set<String> formats = new TreeSet<>();

        YamlReader(Path file) {
            this.file = file;
            this.root = file.getParent();
            for (WorkSource source : CorpusLoader.builtInSources()) {
                formats.add(source.format());
            }
        }

        CorpusManifest read() {
            List<WorkEntry> works = new ArrayList<>();
            List<WorkEntry> controls = new ArrayList<>();
            ReadLimits limits = ReadLimits.DEFAULTS;
            try (JsonParser parser = YAML.createParser(file.toFile())) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    problem(1, "the file is empty; it needs a works: list");
                } else if (token != JsonToken.START_OBJECT) {
                    problem(
                            line(parser),
                            "the top level must be a mapping with works: and controls:, got "
                                    + describe(token));
                    parser.skipChildren();
                } else {
                    Set<String> seen = new HashSet<>();
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String key = parser.currentName();
                        int keyLine = line(parser);
                        parser.nextToken();
                        if (!seen.add(key)) {
                            problem(keyLine, "key '" + key + "' appears twice");
                            parser.skipChildren();
                        } else if (key.equals("works")) {
                            readList(parser, "works", Role.WORK, works);
                        } else if (key.equals("controls")) {
                            readList(parser, "controls", Role.CONTROL, controls);
                        } else if (key.equals("limits")) {
                            limits = readLimits(parser, keyLine);
                        } else {
                            problem(
                                    keyLine,
                                    "unknown key '"
                                            + key
                                            + "' (allowed: works, controls); reading limits go"
                                            + " under limits:");
                            parser.skipChildren();
                        }
                    }
                }
            } catch (JsonProcessingException e) {
                int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
                problem(line, "not valid YAML: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw MemauditException.badInput("cannot read " + file + ": " + e, e);
            }
            if (problems.isEmpty() && works.isEmpty() && controls.isEmpty()) {
                problem(1, "lists no works: add entries under works:");
            }
            if (!problems.isEmpty()) {
                throw MemauditException.badInput(report(file.toString(), problems));
            }
            return new CorpusManifest(root, file, works, controls, limits);
        }

        /** The {@code limits:} mapping; every bad key or value is a problem with its line. */
        private ReadLimits readLimits(JsonParser parser, int line) throws IOException {
            JsonToken token = parser.currentToken();
            ReadLimits limits = ReadLimits.DEFAULTS;
            if (token == JsonToken.VALUE_NULL) {
                return limits;
            }
            if (token != JsonToken.START_OBJECT) {
                problem(
                        line,
                        "limits: must be a mapping (max_work_bytes: 512MiB, …), got "
                                + describe(token));
                parser.skipChildren();
                return limits;
            }
            Set<String> seen = new HashSet<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int keyLine = line(parser);
                JsonToken value = parser.nextToken();
                ReadLimits.Key key = ReadLimits.Key.of(name);
                if (key == null) {
                    problem(
                            keyLine,
                            "limits: unknown key '"
                                    + name
                                    + "' (allowed: "
                                    + ReadLimits.Key.names()
                                    + ")");
                    parser.skipChildren();
                } else if (!seen.add(name)) {
                    problem(keyLine, "limits: key '" + name + "' appears twice");
                    parser.skipChildren();
                } else if (!value.isScalarValue() || value == JsonToken.VALUE_NULL) {
                    problem(
                            keyLine,
                            "limits: " + name + " must be a single value, got " + describe(value));
                    parser.skipChildren();
                } else {
                    try {
                        limits = limits.with(key, key.parse(parser.getText()));
                    } catch (IllegalArgumentException e) {
                        problem(keyLine, "limits: " + e.getMessage());
                    }
                }
            }
            return limits;
        }

        private void readList(JsonParser parser, String name, Role role, List<WorkEntry> out)
                throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_NULL) {
                return;
            }
            if (token != JsonToken.START_ARRAY) {
                problem(line(parser), name + ": must be a list of entries, got " + describe(token));
                parser.skipChildren();
                return;
            }
            int index = 0;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                String where = name + "[" + index + "]";
                index++;
                if (token != JsonToken.START_OBJECT) {
                    problem(
                            line(parser),
                            where + ": must be a mapping (id: …, path: …), got " + describe(token));
                    parser.skipChildren();
                    continue;
                }
                WorkEntry entry = readEntry(parser, where, role);
                if (entry != null) {
                    out.add(entry);
                }
            }
        }

        private WorkEntry readEntry(JsonParser parser, String where, Role role) throws IOException {
            int startLine = line(parser);
            Map<String, Field> fields = new LinkedHashMap<>();
            boolean ok = true;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                int keyLine = line(parser);
                JsonToken value = parser.nextToken();
                if (!KEYS.contains(key)) {
                    problem(
                            keyLine,
                            where
                                    + ": unknown key '"
                                    + key
                                    + "' (allowed: "
                                    + String.join(", ", KEYS)
                                    + ")");
                    parser.skipChildren();
                    ok = false;
                } else if (fields.containsKey(key)) {
                    problem(keyLine, where + ": key '" + key + "' appears twice");
                    parser.skipChildren();
                    ok = false;
                } else {
                    Object parsed = readValue(parser, value, key, where, keyLine);
                    if (parsed == INVALID) {
                        ok = false;
                    } else {
                        fields.put(key, new Field(parsed, keyLine));
                    }
                }
            }
            String id = (String) value(fields, "id");
            String label = id == null ? where : where + " (id '" + id + "')";
            if (id == null) {
                problem(startLine, where + ": missing key 'id'");
                ok = false;
            } else if (!ID.matcher(id).matches() || id.startsWith("/")) {
                problem(
                        lineOf(fields, "id", startLine),
                        label
                                + ": id may use only letters, digits and . _ / - and must not"
                                + " start with '/'");
                ok = false;
            } else {
                Integer earlier = idLines.putIfAbsent(id, lineOf(fields, "id", startLine));
                if (earlier != null) {
                    problem(
                            lineOf(fields, "id", startLine),
                            label + ": duplicate id, already used at line " + earlier);
                    ok = false;
                }
            }
            String format = (String) value(fields, "format");
            if (format != null && !formats.contains(format.toLowerCase(Locale.ROOT))) {
                problem(
                        lineOf(fields, "format", startLine),
                        label
                                + ": unknown format '"
                                + format
                                + "' (known: "
                                + String.join(", ", formats)
                                + ")");
                ok = false;
            }
            String encoding = (String) value(fields, "encoding");
            if (encoding != null && !charsetSupported(encoding)) {
                problem(
                        lineOf(fields, "encoding", startLine),
                        label + ": unknown encoding '" + encoding + "' (e.g. UTF-8, windows-1252)");
                ok = false;
            }
            String relative = (String) value(fields, "path");
            Path resolved = null;
            if (relative == null || relative.isBlank()) {
                problem(startLine, label + ": missing key 'path'");
                ok = false;
            } else {
                resolved = resolveInside(relative, label, lineOf(fields, "path", startLine));
                ok &= resolved != null;
                if (resolved != null
                        && format == null
                        && !byExtension.containsKey(CorpusLoader.extensionOf(relative))) {
                    problem(
                            lineOf(fields, "path", startLine),
                            label
                                    + ": cannot tell the format of '"
                                    + relative
                                    + "' from its extension; add format: (one of "
                                    + String.join(", ", formats)
                                    + ")");
                    ok = false;
                }
            }
            if (!ok) {
                return null;
            }
            @SuppressWarnings("unchecked")
            List<String> authors = (List<String>) value(fields, "authors");
            return new WorkEntry(
                    id,
                    (String) value(fields, "title"),
                    authors,
                    (String) value(fields, "rightsholder"),
                    (String) value(fields, "license"),
                    (Integer) value(fields, "year"),
                    resolved,
                    slashes(root.relativize(resolved)),
                    format == null ? null : format.toLowerCase(Locale.ROOT),
                    encoding,
                    role,
                    (Reservation) value(fields, "reservation"));
        }

        private static final Object INVALID = new Object();

        /** The value of {@code key}, or INVALID after recording a problem. */
        private Object readValue(
                JsonParser parser, JsonToken token, String key, String where, int line)
                throws IOException {
            if (token == JsonToken.VALUE_NULL) {
                return null;
            }
            if (key.equals("reservation")) {
                return readReservation(parser, token, where, line);
            }
            if (key.equals("year")) {
                if (token == JsonToken.VALUE_NUMBER_INT) {
                    return parser.getIntValue();
                }
                problem(line, where + ": year must be a whole number, got " + describe(parser));
                parser.skipChildren();
                return INVALID;
            }
            if (key.equals("authors") && token == JsonToken.START_ARRAY) {
                List<String> authors = new ArrayList<>();
                boolean valid = true;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (token.isScalarValue() && token != JsonToken.VALUE_NULL) {
                        authors.add(parser.getText());
                    } else {
                        valid = false;
                        parser.skipChildren();
                    }
                }
                if (!valid) {
                    problem(line, where + ": authors must be a name or a list of names");
                    return INVALID;
                }
                return authors;
            }
            if (!token.isScalarValue()) {
                problem(
                        line,
                        where + ": " + key + " must be a single value, got " + describe(token));
                parser.skipChildren();
                return INVALID;
            }
            String text = parser.getText();
            return key.equals("authors") ? List.of(text) : text;
        }

        private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

        /** {@code reservation: {kind, since, url}}, or INVALID after recording its problems. */
        private Object readReservation(JsonParser parser, JsonToken token, String where, int line)
                throws IOException {
            if (token != JsonToken.START_OBJECT) {
                problem(
                        line,
                        where
                                + ": reservation must be a mapping {kind: "
                                + String.join("|", Reservation.KINDS)
                                + ", since: YYYY-MM-DD, url: …}, got "
                                + describe(token));
                parser.skipChildren();
                return INVALID;
            }
            Map<String, String> values = new LinkedHashMap<>();
            boolean valid = true;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int keyLine = line(parser);
                JsonToken value = parser.nextToken();
                if (!List.of("kind", "since", "url").contains(name)) {
                    problem(
                            keyLine,
                            where
                                    + ": reservation: unknown key '"
                                    + name
                                    + "' (allowed: kind, since, url)");
                    parser.skipChildren();
                    valid = false;
                } else if (!value.isScalarValue() || value == JsonToken.VALUE_NULL) {
                    problem(
                            keyLine,
                            where
                                    + ": reservation: "
                                    + name
                                    + " must be a single value, got "
                                    + describe(value));
                    parser.skipChildren();
                    valid = false;
                } else if (values.put(name, parser.getText()) != null) {
                    problem(keyLine, where + ": reservation: key '" + name + "' appears twice");
                    valid = false;
                }
            }
            String kind = values.get("kind");
            String since = values.get("since");
            if (kind == null || !Reservation.KINDS.contains(kind)) {
                problem(
                        line,
                        where
                                + ": reservation: kind must be one of "
                                + String.join(", ", Reservation.KINDS)
                                + (kind == null ? " (missing)" : ", got '" + kind + "'"));
                valid = false;
            }
            if (since == null || !DATE.matcher(since).matches() || !isDate(since)) {
                problem(
                        line,
                        where
                                + ": reservation: since must be a date YYYY-MM-DD"
                                + (since == null ? " (missing)" : ", got '" + since + "'"));
                valid = false;
            }
            String url = values.get("url");
            if (url != null && !(url.startsWith("https://") || url.startsWith("http://"))) {
                problem(
                        line,
                        where
                                + ": reservation: url must start with https:// or http://, got '"
                                + url
                                + "'");
                valid = false;
            }
            return valid ? new Reservation(kind, since, url) : INVALID;
        }

        private static boolean isDate(String s) {
            try {
                java.time.LocalDate.parse(s);
                return true;
            } catch (java.time.format.DateTimeParseException e) {
                return false;
            }
        }

        private Path resolveInside(String relative, String label, int line) {
            Path given;
            try {
                given = Path.of(relative);
            } catch (RuntimeException e) {
                problem(line, label + ": path '" + relative + "' is not a valid path");
                return null;
            }
            if (given.isAbsolute() || relative.startsWith("/") || relative.startsWith("\\")) {
                problem(
                        line,
                        label
                                + ": path '"
                                + relative
                                + "' is absolute; give it relative to "
                                + root);
                return null;
            }
            Path resolved = root.resolve(given).normalize();
            if (!resolved.startsWith(root) || resolved.equals(root)) {
                problem(
                        line,
                        label
                                + ": path '"
                                + relative
                                + "' leads outside the corpus folder "
                                + root);
                return null;
            }
            if (Files.exists(resolved) && !realPath(resolved).startsWith(realPath(root))) {
                problem(
                        line,
                        label
                                + ": path '"
                                + relative
                                + "' is a symbolic link leading outside the corpus folder "
                                + root);
                return null;
            }
            return resolved;
        }

        private void problem(int line, String message) {
            problems.add("line " + line + ": " + message);
        }
    }

    private static Object value(Map<String, Field> fields, String key) {
        Field field = fields.get(key);
        return field == null ? null : field.value();
    }

    private static int lineOf(Map<String, Field> fields, String key, int fallback) {
        Field field = fields.get(key);
        return field == null ? fallback : field.line();
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> "a mapping";
            case VALUE_NULL -> "nothing";
            default -> "a single value";
        };
    }

    private static String describe(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        return token.isScalarValue() ? "'" + parser.getText() + "'" : describe(token);
    }

    private static boolean charsetSupported(String name) {
        try {
            return Charset.isSupported(name);
        } catch (IllegalCharsetNameException e) {
            return false;
        }
    }

    private static Map<String, WorkSource> extensions() {
        Map<String, WorkSource> byExtension = new HashMap<>();
        for (WorkSource source : CorpusLoader.builtInSources()) {
            for (String extension : source.extensions()) {
                byExtension.put(extension, source);
            }
        }
        return byExtension;
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path;
        }
    }

    private static String slashes(Path relative) {
        return relative.toString().replace('\\', '/');
    }

    private static String report(String what, List<String> problems) {
        if (problems.size() == 1) {
            return what + ": " + problems.get(0);
        }
        StringBuilder message = new StringBuilder(what + ": " + problems.size() + " problems:");
        for (String problem : problems) {
            message.append("\n  ").append(problem);
        }
        return message.toString();
    }
}
