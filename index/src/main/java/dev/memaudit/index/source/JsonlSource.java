package dev.memaudit.index.source;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.io.JsonlReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * JSON Lines files holding many works: one UTF-8 JSON object per line with {@code id} and {@code
 * text}, and optionally {@code title}, {@code authors} (string or list), {@code rightsholder},
 * {@code license} and {@code year}; the manifest entry's metadata is the default for every line. A
 * line's id is the work id as it is. Blank lines are ignored; other fields are ignored (datasets
 * carry their own). A malformed line (not UTF-8, not one JSON object, trailing text after it), one
 * without id or text, or one over a limit is a FAILED problem for that line, and the other lines
 * still load.
 *
 * <p>Limits: a line may have max_line_bytes (read with {@link JsonlReader}, which keeps no more of
 * a longer line than the limit and goes on with the next), its JSON may nest max_depth deep.
 */
public final class JsonlSource implements WorkSource {

    @Override
    public String format() {
        return "jsonl";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("jsonl", "ndjson");
    }

    @Override
    public void read(
            WorkEntry entry,
            String sourceSha256,
            ReadLimits limits,
            Consumer<LoadedWork> works,
            Consumer<WorkProblem> problems)
            throws WorkReadException, IOException {
        try (JsonlReader reader =
                new JsonlReader(entry.path(), limits.maxLineBytes(), mapper(limits))) {
            for (JsonlReader.Line line; (line = reader.next()) != null; ) {
                int lineNumber = (int) line.number();
                if (line.tooLong()) {
                    OverLimitException e =
                            limits.exceeded(
                                    ReadLimits.Key.MAX_LINE_BYTES,
                                    "line "
                                            + lineNumber
                                            + " is "
                                            + ReadLimits.formatBytes(line.bytes())
                                            + " long");
                    problems.accept(
                            new WorkProblem(
                                    null,
                                    entry.path(),
                                    lineNumber,
                                    WorkProblem.Kind.FAILED,
                                    e.getMessage(),
                                    e.limit()));
                    continue;
                }
                if (line.problem() != null) {
                    // Jackson's nesting check is set to max_depth: name the limit
                    boolean tooDeep = line.problem().contains("nesting depth");
                    problems.accept(
                            new WorkProblem(
                                    null,
                                    entry.path(),
                                    lineNumber,
                                    WorkProblem.Kind.FAILED,
                                    tooDeep
                                            ? limits.exceeded(
                                                            ReadLimits.Key.MAX_DEPTH,
                                                            "line "
                                                                    + lineNumber
                                                                    + " nests JSON more than "
                                                                    + limits.maxDepth()
                                                                    + " deep")
                                                    .getMessage()
                                            : line.problem(),
                                    tooDeep ? ReadLimits.Key.MAX_DEPTH : null));
                    continue;
                }
                try {
                    works.accept(parseLine(entry, sourceSha256, line.object()));
                } catch (LineException e) {
                    problems.accept(
                            new WorkProblem(
                                    e.id,
                                    entry.path(),
                                    lineNumber,
                                    WorkProblem.Kind.FAILED,
                                    e.getMessage()));
                }
            }
        }
    }

    /** A lenient mapper (datasets have their own fields) within the line and depth limits. */
    private static ObjectMapper mapper(ReadLimits limits) {
        ObjectMapper mapper = new ObjectMapper();
        // a second object after the first on one line (e.g. old Mac line ends) is an error, not a
        // work silently lost
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder().maxNestingDepth(limits.maxDepth()).build());
        return JsonlReader.lineMapper(mapper, limits.maxLineBytes());
    }

    private static LoadedWork parseLine(WorkEntry entry, String sha256, ObjectNode object)
            throws LineException {
        JsonNode idNode = object.get("id");
        String id = idNode != null && idNode.isValueNode() ? idNode.asText() : null;
        if (id == null || id.isEmpty()) {
            throw new LineException(null, "no \"id\" (each line needs an id and a text)");
        }
        JsonNode textNode = object.get("text");
        if (textNode == null || !textNode.isTextual()) {
            throw new LineException(id, "no \"text\" string for id '" + id + "'");
        }
        String title = string(object, "title", id, entry.title());
        List<String> authors = authors(object, id, entry.authors());
        String rightsholder = string(object, "rightsholder", id, entry.rightsholder());
        String license = string(object, "license", id, entry.license());
        Integer year = entry.year();
        JsonNode yearNode = object.get("year");
        if (yearNode != null && !yearNode.isNull()) {
            if (!yearNode.canConvertToInt() || !yearNode.isIntegralNumber()) {
                throw new LineException(id, "\"year\" must be an integer, got " + yearNode);
            }
            year = yearNode.intValue();
        }
        return new LoadedWork(
                id,
                title,
                authors,
                rightsholder,
                license,
                year,
                "jsonl",
                entry.role(),
                entry.path(),
                entry.relativePath(),
                sha256,
                textNode.textValue(),
                entry.reservation());
    }

    private static String string(ObjectNode object, String key, String id, String fallback)
            throws LineException {
        JsonNode value = object.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw new LineException(id, "\"" + key + "\" must be a string, got " + value);
        }
        return value.textValue();
    }

    private static List<String> authors(ObjectNode object, String id, List<String> fallback)
            throws LineException {
        JsonNode value = object.get("authors");
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (value.isTextual()) {
            return List.of(value.textValue());
        }
        if (value.isArray()) {
            List<String> authors = new ArrayList<>();
            for (JsonNode author : value) {
                if (!author.isTextual()) {
                    throw new LineException(
                            id, "\"authors\" must be a string or a list of strings, got " + value);
                }
                authors.add(author.textValue());
            }
            return authors;
        }
        throw new LineException(
                id, "\"authors\" must be a string or a list of strings, got " + value);
    }

    /** A problem with one line. */
    private static final class LineException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient String id;

        LineException(String id, String message) {
            super(message);
            this.id = id;
        }
    }
}
