package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtmlSourceTest extends WorkSourceContractTest {

    @Override
    protected WorkSource source() {
        return new HtmlSource();
    }

    @Override
    protected List<Good> goodInputs(Path dir) throws Exception {
        Path latin1 =
                Files.write(
                        dir.resolve("meta-charset.html"),
                        "<html><head><meta charset=\"ISO-8859-1\"></head><body><p>Caf\u00e9</p></body></html>"
                                .getBytes(StandardCharsets.ISO_8859_1));
        return List.of(
                new Good(
                        "fixture",
                        fixture("html/ferry-timetable.html"),
                        null,
                        List.of(
                                new Expected(
                                        "ferry-timetable",
                                        readFixture("html/ferry-timetable.expected.txt"),
                                        "The Last Ferry to Orrin",
                                        List.of()))),
                new Good(
                        "meta charset",
                        latin1,
                        null,
                        List.of(Expected.text("meta-charset", "Caf\u00e9"))));
    }

    @Override
    protected List<Bad> badInputs(Path dir) throws Exception {
        return List.of(
                new Bad(
                        "binary",
                        TextSourceTest.write(
                                dir,
                                "image.html",
                                TextSourceTest.bom(
                                        0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0,
                                        0x0D)),
                        WorkProblem.Kind.FAILED,
                        "binary file, not HTML (NUL byte at offset 8)"));
    }

    @Test
    void manifestTitleWinsOverHtmlTitle() {
        WorkEntry entry = entry(fixture("html/ferry-timetable.html"), null);
        WorkEntry titled =
                new WorkEntry(
                        entry.id(),
                        "Given Title",
                        List.of("A. Author"),
                        null,
                        null,
                        null,
                        entry.path(),
                        entry.relativePath(),
                        "html",
                        null,
                        Role.CONTROL);
        LoadedWork work = load(titled).works().get(0);
        assertThat(work.title()).isEqualTo("Given Title");
        assertThat(work.authors()).containsExactly("A. Author");
        assertThat(work.role()).isEqualTo(Role.CONTROL);
    }
}
