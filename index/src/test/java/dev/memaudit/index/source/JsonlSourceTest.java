package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonlSourceTest extends WorkSourceContractTest {

    @Override
    protected WorkSource source() {
        return new JsonlSource();
    }

    @Override
    protected List<Good> goodInputs(Path dir) throws Exception {
        return List.of(
                new Good(
                        "fixture",
                        fixture("jsonl/letters.jsonl"),
                        null,
                        List.of(
                                Expected.text(
                                        "letters/001",
                                        "Dear Maud,\nThe lamp in the stairwell is fixed at last."),
                                new Expected(
                                        "letters/002",
                                        "Dear Maud, the rain has not stopped — we have stopped"
                                                + " minding.",
                                        "A Second Letter",
                                        List.of("J. Ferrier", "M. Ferrier")),
                                Expected.text("letters/003", ""))));
    }

    @Override
    protected List<Bad> badInputs(Path dir) throws Exception {
        Path mixed =
                Files.writeString(
                        dir.resolve("mixed.jsonl"),
                        """
                        {"id": "a", "text": "first"}
                        {"id": "b", "text": "unterminated
                        {"id": "c", "text": "third"}
                        """,
                        StandardCharsets.UTF_8);
        Path noText =
                Files.writeString(
                        dir.resolve("no-text.jsonl"),
                        "{\"id\": \"a\", \"text\": \"first\"}\n\n{\"id\": \"b\"}\n",
                        StandardCharsets.UTF_8);
        Path noId =
                Files.writeString(
                        dir.resolve("no-id.jsonl"),
                        "[1, 2]\n{\"id\": \"z\", \"text\": \"ok\"}\n",
                        StandardCharsets.UTF_8);
        return List.of(
                new Bad(
                        "malformed line",
                        mixed,
                        null,
                        WorkProblem.Kind.FAILED,
                        "malformed JSON",
                        2,
                        List.of("a", "c")),
                new Bad(
                        "line without text",
                        noText,
                        null,
                        WorkProblem.Kind.FAILED,
                        "no \"text\" string for id 'b'",
                        3,
                        List.of("a")),
                new Bad(
                        "line that is not an object",
                        noId,
                        null,
                        WorkProblem.Kind.FAILED,
                        "not a JSON object",
                        1,
                        List.of("z")));
    }

    @Override
    protected List<OverLimit> overLimitInputs(Path dir) throws Exception {
        Path longLine =
                Files.writeString(
                        dir.resolve("long-line.jsonl"),
                        "{\"id\": \"a\", \"text\": \"first\"}\n"
                                + "{\"id\": \"b\", \"text\": \""
                                + "word ".repeat(400)
                                + "\"}\r\n"
                                + "{\"id\": \"c\", \"text\": \"third\"}\n",
                        StandardCharsets.UTF_8);
        Path deep =
                Files.writeString(
                        dir.resolve("deep.jsonl"),
                        "{\"id\": \"a\", \"text\": \"first\"}\n"
                                + "{\"id\": \"b\", \"text\": \"x\", \"extra\": "
                                + "[".repeat(600)
                                + "]".repeat(600)
                                + "}\n",
                        StandardCharsets.UTF_8);
        return List.of(
                new OverLimit(
                        "a line over max_line_bytes between two good ones",
                        longLine,
                        limit(ReadLimits.Key.MAX_LINE_BYTES, 1024),
                        ReadLimits.Key.MAX_LINE_BYTES,
                        "line 2 is 2,023 bytes (2.0 KiB) long, over the limit of 1 KiB",
                        2,
                        List.of("a", "c"),
                        limit(ReadLimits.Key.MAX_LINE_BYTES, 4096)),
                new OverLimit(
                        "JSON nested 600 deep, default max_depth",
                        deep,
                        ReadLimits.DEFAULTS,
                        ReadLimits.Key.MAX_DEPTH,
                        "line 2 nests JSON more than 512 deep",
                        2,
                        List.of("a"),
                        limit(ReadLimits.Key.MAX_DEPTH, 1000)));
    }

    @Test
    void invalidUtf8FailsOnlyItsLine() throws Exception {
        Path file = temp.resolve("latin1.jsonl");
        try (var out = Files.newOutputStream(file)) {
            out.write("{\"id\": \"a\", \"text\": \"one\"}\n".getBytes(StandardCharsets.UTF_8));
            out.write(
                    "{\"id\": \"b\", \"text\": \"caf\u00e9\"}\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
            out.write("{\"id\": \"c\", \"text\": \"three\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        Outcome outcome = load(entry(file, null));
        assertThat(outcome.works()).extracting(LoadedWork::id).containsExactly("a", "c");
        assertThat(outcome.problems())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.line()).isEqualTo(2);
                            assertThat(p.reason()).isEqualTo("not valid UTF-8");
                        });
    }

    @Test
    void twoObjectsOnOneLineAreAnErrorNotASilentlyLostWork() throws Exception {
        Path file =
                Files.writeString(
                        temp.resolve("cr.jsonl"),
                        "{\"id\": \"a\", \"text\": \"one\"}\r{\"id\": \"b\", \"text\": \"two\"}\n");
        Outcome outcome = load(entry(file, null));
        assertThat(outcome.works()).isEmpty();
        assertThat(outcome.problems())
                .singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("malformed JSON"));
    }

    @Test
    void entryMetadataIsTheDefaultForEveryLine() {
        List<LoadedWork> works = load(entry(fixture("jsonl/letters.jsonl"), null)).works();
        assertThat(works.get(0).title()).isNull();
        assertThat(works.get(0).rightsholder()).isEqualTo("Example Rightsholder");
        assertThat(works.get(0).year()).isEqualTo(2024);
        assertThat(works.get(1).year()).isEqualTo(1931);
        assertThat(works.get(1).rightsholder()).isEqualTo("Example Rightsholder");
    }

    @Test
    void duplicateIdAcrossLinesIsAProblemForTheSecond() throws Exception {
        Path file =
                Files.writeString(
                        temp.resolve("dup.jsonl"),
                        "{\"id\": \"x\", \"text\": \"one\"}\n{\"id\": \"x\", \"text\": \"two\"}\n");
        Outcome outcome = load(entry(file, null));
        assertThat(outcome.works()).extracting(LoadedWork::text).containsExactly("one");
        assertThat(outcome.problems())
                .singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("duplicate work id 'x'"));
    }
}
