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

    @Override
    protected List<OverLimit> overLimitInputs(Path dir) throws Exception {
        Path twoKib =
                Files.writeString(
                        dir.resolve("two-kib.html"), "<p>" + "Some words. ".repeat(170) + "</p>\n");
        Path tags = Files.writeString(dir.resolve("tags.html"), "<p>a".repeat(1500));
        // 813 '<', but each new paragraph reopens the 12 formatting elements: 5,200 elements
        Path clones =
                Files.writeString(
                        dir.resolve("clones.html"),
                        "<p><b><i><u><s><em><strong><small><big><tt><font><code><nobr>"
                                + "</p><p>x".repeat(400));
        Path deep =
                Files.writeString(
                        dir.resolve("deep.html"),
                        "<div>".repeat(600) + "deep" + "</div>".repeat(600));
        Path text = Files.writeString(dir.resolve("text.html"), "<p>" + "Word ".repeat(400));
        return List.of(
                new OverLimit(
                        "file over max_document_bytes",
                        twoKib,
                        limit(ReadLimits.Key.MAX_DOCUMENT_BYTES, 1024),
                        ReadLimits.Key.MAX_DOCUMENT_BYTES,
                        "the file is 2 KiB, over the limit of 1 KiB",
                        limit(ReadLimits.Key.MAX_DOCUMENT_BYTES, 4096)),
                new OverLimit(
                        "1,500 tags over max_elements 1,000 (counted before parsing)",
                        tags,
                        limit(ReadLimits.Key.MAX_ELEMENTS, 1000),
                        ReadLimits.Key.MAX_ELEMENTS,
                        "the HTML has more than 1,000 tags",
                        limit(ReadLimits.Key.MAX_ELEMENTS, 10_000)),
                new OverLimit(
                        "reopened formatting elements over max_elements (counted while parsing)",
                        clones,
                        limit(ReadLimits.Key.MAX_ELEMENTS, 1000),
                        ReadLimits.Key.MAX_ELEMENTS,
                        "the HTML has more than 1,000 elements",
                        limit(ReadLimits.Key.MAX_ELEMENTS, 10_000)),
                new OverLimit(
                        "600 nested divs, default max_depth",
                        deep,
                        ReadLimits.DEFAULTS,
                        ReadLimits.Key.MAX_DEPTH,
                        "the HTML nests elements more than 512 deep (<div>)",
                        limit(ReadLimits.Key.MAX_DEPTH, 1000)),
                new OverLimit(
                        "text over max_work_bytes",
                        text,
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 1024),
                        ReadLimits.Key.MAX_WORK_BYTES,
                        "the extracted text passes 1 KiB in UTF-8",
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 4096)));
    }

    @Test
    void aOneGigabyteFileFailsBeforeItIsParsed() throws Exception {
        // 8 KiB of real HTML, then a sparse hole: parsing it would need several GiB of heap
        byte[] head =
                ("<html><body><p>" + "A real paragraph of the page. ".repeat(270))
                        .getBytes(StandardCharsets.US_ASCII);
        Path huge =
                dev.memaudit.core.testing.LargeFixtures.sparse(
                        temp.resolve("huge.html"),
                        head,
                        1L << 30,
                        "</p></body></html>".getBytes(StandardCharsets.US_ASCII));
        Outcome outcome = load(entry(huge, null));
        assertThat(outcome.works()).isEmpty();
        assertThat(outcome.problems())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.limit()).isEqualTo(ReadLimits.Key.MAX_DOCUMENT_BYTES);
                            assertThat(p.reason())
                                    .startsWith(
                                            "the file is 1,073,749,957 bytes (1.0 GiB), over the"
                                                    + " limit of 64 MiB (max_document_bytes;");
                        });
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
