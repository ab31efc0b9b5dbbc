package dev.memaudit.index.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * JSON Lines files holding many works: one UTF-8 JSON object per line with {@code id} and {@code
 * text}, and optionally {@code title}, {@code authors} (string or list), {@code rightsholder},
 * {@code license} and {@code year}; the manifest entry's metadata is the default for every line. A
 * line's id is the work id as it is. Blank lines are ignored; other fields are ignored (datasets
 * carry their own). A malformed line, or one without id or text, is a FAILED problem for that line,
 * and the other lines still load.
 */
public final class JsonlSource implements WorkSource {
    private static final ObjectMapper JSON = new ObjectMapper();

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
            Consumer<LoadedWork> works,
            Consumer<WorkProblem> problems)
            throws WorkReadException, IOException {
        var decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        int lineNumber = 0;
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(Files.newInputStream(entry.path()), decoder),
                        1 << 16)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                try {
                    works.accept(parseLine(entry, sourceSha256, line));
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
        } catch (CharacterCodingException e) {
            throw new WorkReadException(
                    WorkProblem.Kind.FAILED,
                    lineNumber + 1,
                    "not valid UTF-8 at line "
                            + (lineNumber + 1)
                            + "; JSONL must be UTF-8 (lines before it were loaded)",
                    e);
        }
    }

    private static LoadedWork parseLine(WorkEntry entry, String sha256, String line)
            throws LineException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new LineException(null, "malformed JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw new LineException(null, "not a JSON object");
        }
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
                textNode.textValue());
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
