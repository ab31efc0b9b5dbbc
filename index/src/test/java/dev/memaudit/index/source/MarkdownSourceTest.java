package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownSourceTest extends WorkSourceContractTest {

    @Override
    protected WorkSource source() {
        return new MarkdownSource();
    }

    @Override
    protected List<Good> goodInputs(Path dir) throws Exception {
        return List.of(
                new Good(
                        "fixture",
                        fixture("md/garden-notes.md"),
                        null,
                        List.of(
                                Expected.text(
                                        "garden-notes",
                                        readFixture("md/garden-notes.expected.txt")))));
    }

    @Override
    protected List<Bad> badInputs(Path dir) throws Exception {
        return List.of(
                new Bad(
                        "invalid utf-8",
                        TextSourceTest.write(
                                dir,
                                "latin1.md",
                                TextSourceTest.bytes(new byte[0], "# Caf\u00e9", "ISO-8859-1")),
                        null,
                        WorkProblem.Kind.FAILED,
                        "not valid UTF-8 at line 1, byte offset 5 (0xE9)",
                        1,
                        List.of()),
                new Bad(
                        "binary",
                        TextSourceTest.write(dir, "zeros.md", new byte[] {'#', ' ', 0, 0}),
                        WorkProblem.Kind.FAILED,
                        "binary file, not text (NUL byte at offset 2)"));
    }

    @Test
    void keepsCodeAndLinkTextAndDropsMarkup() {
        assertThat(
                        MarkdownSource.toPlainText(
                                "Use `a*b` and [the **map**](http://x.example).\n\n    indented"
                                        + " code\n\n1. one\n2. two <span>inline</span>"))
                .isEqualTo("Use a*b and the map.\n\nindented code\n\none\ntwo inline");
    }
}
