package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextSourceTest extends WorkSourceContractTest {
    private static final String CRLF_TEXT = "Line one — première\r\nLine two\r\n";

    @Override
    protected WorkSource source() {
        return new TextSource();
    }

    @Override
    protected List<Good> goodInputs(Path dir) throws Exception {
        String utf16Text = "Ébène et 鶴, line one\nline two 𝄞\n";
        return List.of(
                new Good(
                        "utf-8 fixture",
                        fixture("txt/tide-clock.txt"),
                        null,
                        List.of(Expected.text("tide-clock", readFixture("txt/tide-clock.txt")))),
                new Good(
                        "utf-8 bom crlf",
                        write(dir, "bom.txt", bytes(bom(0xEF, 0xBB, 0xBF), CRLF_TEXT, "UTF-8")),
                        null,
                        List.of(Expected.text("bom", CRLF_TEXT))),
                new Good(
                        "utf-16le bom",
                        write(dir, "le16.txt", bytes(bom(0xFF, 0xFE), utf16Text, "UTF-16LE")),
                        null,
                        List.of(Expected.text("le16", utf16Text))),
                new Good(
                        "utf-16be bom",
                        write(dir, "be16.txt", bytes(bom(0xFE, 0xFF), utf16Text, "UTF-16BE")),
                        null,
                        List.of(Expected.text("be16", utf16Text))),
                new Good(
                        "utf-32le bom",
                        write(
                                dir,
                                "le32.txt",
                                bytes(bom(0xFF, 0xFE, 0x00, 0x00), utf16Text, "UTF-32LE")),
                        null,
                        List.of(Expected.text("le32", utf16Text))),
                new Good(
                        "declared windows-1252",
                        write(
                                dir,
                                "cp1252.txt",
                                bytes(new byte[0], "café – naïve", "windows-1252")),
                        "windows-1252",
                        List.of(Expected.text("cp1252", "café – naïve"))),
                new Good(
                        "empty file is a work with empty text",
                        write(dir, "empty.txt", new byte[0]),
                        null,
                        List.of(Expected.text("empty", ""))));
    }

    @Override
    protected List<Bad> badInputs(Path dir) throws Exception {
        byte[] png = {
            (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R'
        };
        return List.of(
                new Bad(
                        "invalid utf-8",
                        write(dir, "latin1.txt", bytes(new byte[0], "ok\r\nnaïve", "ISO-8859-1")),
                        null,
                        WorkProblem.Kind.FAILED,
                        "not valid UTF-8 at line 2, byte offset 6 (0xEF); convert it to UTF-8 or"
                                + " set encoding: in corpus.yaml",
                        2,
                        List.of()),
                new Bad(
                        "png renamed .txt",
                        write(dir, "picture.txt", png),
                        WorkProblem.Kind.FAILED,
                        "binary file, not text (NUL byte at offset 8)"),
                new Bad(
                        "declared encoding does not fit",
                        write(dir, "ascii.txt", bytes(new byte[0], "abc é", "ISO-8859-1")),
                        "US-ASCII",
                        WorkProblem.Kind.FAILED,
                        "not valid US-ASCII at line 1, byte offset 4 (0xE9)",
                        1,
                        List.of()));
    }

    @Test
    void decodesMultiByteCharactersSplitAcrossReadChunks() throws Exception {
        // 3-byte and 4-byte sequences land on every alignment relative to the 1 MiB chunk size
        StringBuilder text = new StringBuilder();
        while (text.length() < 3_000_000) {
            text.append("a€𝄞bc ");
        }
        Path file = write(temp, "long.txt", text.toString().getBytes(StandardCharsets.UTF_8));
        Outcome outcome = load(entry(file, null));
        assertThat(outcome.problems()).isEmpty();
        assertThat(outcome.works().get(0).text()).isEqualTo(text.toString());
    }

    @Test
    void reportsInvalidByteBeyondTheFirstChunkWithItsOffset() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] line = "0123456789\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 200_000; i++) {
            bytes.write(line);
        }
        bytes.write(new byte[] {'x', (byte) 0xC3, '('});
        Path file = write(temp, "late.txt", bytes.toByteArray());
        Outcome outcome = load(entry(file, null));
        assertThat(outcome.problems())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.reason())
                                    .contains("at line 200001, byte offset 2200001 (0xC3)");
                            assertThat(p.line()).isEqualTo(200_001);
                        });
    }

    @Override
    protected List<OverLimit> overLimitInputs(Path dir) throws Exception {
        Path big = Files.writeString(dir.resolve("two-kib.txt"), "word ".repeat(410));
        // 2,002 bytes of UTF-16 that are 3,000 bytes of UTF-8: the limit is on the text
        Path wide = write(dir, "wide.txt", bytes(bom(0xFF, 0xFE), "鶴".repeat(1000), "UTF-16LE"));
        return List.of(
                new OverLimit(
                        "text over max_work_bytes in UTF-8, not in the file",
                        wide,
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 2048),
                        ReadLimits.Key.MAX_WORK_BYTES,
                        "the extracted text is 3,000 bytes (2.9 KiB) in UTF-8, over the limit of 2"
                                + " KiB",
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 4096)),
                new OverLimit(
                        "file over max_work_bytes",
                        big,
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 1024),
                        ReadLimits.Key.MAX_WORK_BYTES,
                        "the file is 2,050 bytes (2.0 KiB), over the limit of 1 KiB",
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 4096)));
    }

    @Test
    void aTwoGigabyteFileFailsBeforeItIsRead() throws Exception {
        // sparse: no disk and no time; reading it would need over 2 GiB of heap, more than the
        // test JVM has
        Path huge =
                dev.memaudit.core.testing.LargeFixtures.sparse(
                        temp.resolve("huge.txt"),
                        "one line ".getBytes(StandardCharsets.US_ASCII),
                        2L << 30,
                        "\n".getBytes(StandardCharsets.US_ASCII));
        Outcome outcome = load(entry(huge, null));
        assertThat(outcome.works()).isEmpty();
        assertThat(outcome.problems())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.limit()).isEqualTo(ReadLimits.Key.MAX_WORK_BYTES);
                            assertThat(p.reason())
                                    .isEqualTo(
                                            "the file is 2,147,483,658 bytes (2.0 GiB), over the"
                                                    + " limit of 512 MiB (max_work_bytes; if the"
                                                    + " file is genuine, raise it in corpus.yaml"
                                                    + " limits: or with index build --limit"
                                                    + " max_work_bytes=…)");
                        });
    }

    static Path write(Path dir, String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    static byte[] bom(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    static byte[] bytes(byte[] prefix, String text, String charset) {
        byte[] body = text.getBytes(Charset.forName(charset));
        byte[] all = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(body, 0, all, prefix.length, body.length);
        return all;
    }
}
