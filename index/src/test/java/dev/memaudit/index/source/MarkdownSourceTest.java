package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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
                        "binary file, not text (NUL byte at offset 2)"),
                // commonmark's inline parser recurses once per level: a stack overflow, caught
                new Bad(
                        "emphasis nested 100,000 deep",
                        Files.writeString(
                                dir.resolve("deep-emphasis.md"),
                                "*".repeat(100_000) + "x" + "*".repeat(100_000)),
                        WorkProblem.Kind.FAILED,
                        "nested too deeply for the parser (stack overflow)"));
    }

    @Override
    protected List<OverLimit> overLimitInputs(Path dir) throws Exception {
        Path twoKib = Files.writeString(dir.resolve("two-kib.md"), "Some words. ".repeat(171));
        Path quotes = Files.writeString(dir.resolve("quotes.md"), ">".repeat(600) + " deep\n");
        Path list = Files.writeString(dir.resolve("list.md"), "- item\n".repeat(1500));
        Path text = Files.writeString(dir.resolve("text.md"), "Word ".repeat(400));
        return List.of(
                new OverLimit(
                        "file over max_document_bytes",
                        twoKib,
                        limit(ReadLimits.Key.MAX_DOCUMENT_BYTES, 1024),
                        ReadLimits.Key.MAX_DOCUMENT_BYTES,
                        "the file is 2,052 bytes (2.0 KiB)",
                        limit(ReadLimits.Key.MAX_DOCUMENT_BYTES, 4096)),
                new OverLimit(
                        "block quotes nested 600 deep, default max_depth",
                        quotes,
                        ReadLimits.DEFAULTS,
                        ReadLimits.Key.MAX_DEPTH,
                        "the Markdown nests blocks or inlines more than 512 deep",
                        limit(ReadLimits.Key.MAX_DEPTH, 1000)),
                new OverLimit(
                        "1,500 list items (4,500 nodes) over max_elements 1,000",
                        list,
                        limit(ReadLimits.Key.MAX_ELEMENTS, 1000),
                        ReadLimits.Key.MAX_ELEMENTS,
                        "the Markdown has more than 1,000 nodes",
                        limit(ReadLimits.Key.MAX_ELEMENTS, 10_000)),
                new OverLimit(
                        "text over max_work_bytes",
                        text,
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 1024),
                        ReadLimits.Key.MAX_WORK_BYTES,
                        "the extracted text passes 1 KiB in UTF-8",
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 4096)));
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
