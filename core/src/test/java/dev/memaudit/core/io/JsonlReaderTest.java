package dev.memaudit.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {
    @TempDir Path tmp;

    private List<JsonlReader.Line> read(byte[] bytes) throws Exception {
        Path f = tmp.resolve("x.jsonl");
        Files.write(f, bytes);
        List<JsonlReader.Line> lines = new ArrayList<>();
        try (JsonlReader r = new JsonlReader(f)) {
            for (JsonlReader.Line l; (l = r.next()) != null; ) {
                lines.add(l);
            }
        }
        return lines;
    }

    @Test
    void everyKindOfLineKeepsItsNumber() throws Exception {
        var b = new ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // BOM on line 1
        b.write("{\"id\":\"a\"}\r\n\n   \n{\"id\":".getBytes(StandardCharsets.UTF_8));
        b.write("\n[1,2]\n{\"id\":\"".getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {(byte) 0xC3, (byte) 0x28});
        b.write("\"}\n{\"id\":\"last\"}".getBytes(StandardCharsets.UTF_8)); // no final newline
        List<JsonlReader.Line> lines = read(b.toByteArray());
        assertThat(lines).extracting(JsonlReader.Line::number).containsExactly(1L, 4L, 5L, 6L, 7L);
        assertThat(lines.get(0).object().get("id").asText()).isEqualTo("a");
        assertThat(lines.get(1).problem()).startsWith("malformed JSON");
        assertThat(lines.get(2).problem()).isEqualTo("not a JSON object");
        assertThat(lines.get(3).problem()).isEqualTo("not valid UTF-8");
        assertThat(lines.get(4).object().get("id").asText()).isEqualTo("last");
    }

    @Test
    void asciiLinesParsedAsBytesReadAsTheDecodedOnes() throws Exception {
        // ASCII lines take the byte path, lines with a non-ASCII character the decoded one
        String text =
                "{\"id\":1,\"text\":\"caf\\u00e9\"}\n"
                        + "{\"id\":2,\"text\":\"café\"}\n"
                        + " \t\u001f \n"
                        + "{\"id\":3,\n"
                        + "{\"id\":\"é\",\n"
                        + "[\"a\"]\n"
                        + "[\"é\"]\n";
        List<JsonlReader.Line> lines = read(text.getBytes(StandardCharsets.UTF_8));
        assertThat(lines)
                .extracting(JsonlReader.Line::number)
                .containsExactly(1L, 2L, 4L, 5L, 6L, 7L);
        assertThat(lines.get(0).object().get("text").asText()).isEqualTo("café");
        assertThat(lines.get(1).object().get("text").asText()).isEqualTo("café");
        assertThat(lines.get(2).problem())
                .isEqualTo(lines.get(3).problem())
                .startsWith("malformed JSON");
        assertThat(lines.get(4).problem())
                .isEqualTo(lines.get(5).problem())
                .isEqualTo("not a JSON object");
        assertThat(lines.get(0).bytes()).isEqualTo(27);
    }

    @Test
    void linesLongerThanTheBufferAndManyLinesAcrossBufferEdges() throws Exception {
        String big = "x".repeat(200_000);
        StringBuilder text = new StringBuilder("{\"t\":\"" + big + "\"}\n");
        for (int i = 0; i < 20_000; i++) {
            text.append("{\"i\":").append(i).append("}\n");
        }
        List<JsonlReader.Line> lines = read(text.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(lines).hasSize(20_001);
        assertThat(lines.get(0).object().get("t").asText()).hasSize(200_000);
        for (int i = 0; i < 20_000; i++) {
            assertThat(lines.get(i + 1).object().get("i").asInt()).isEqualTo(i);
        }
    }

    private List<JsonlReader.Line> read(Path f, long maxLineBytes) throws Exception {
        List<JsonlReader.Line> lines = new ArrayList<>();
        try (JsonlReader r = new JsonlReader(f, maxLineBytes)) {
            for (JsonlReader.Line l; (l = r.next()) != null; ) {
                lines.add(l);
            }
        }
        return lines;
    }

    @Test
    void aLineOverTheLimitIsAProblemWithItsLengthAndTheNextLineIsRead() throws Exception {
        Path f = tmp.resolve("long.jsonl");
        try (var out = Files.newOutputStream(f)) {
            out.write("{\"i\":1}\n{\"t\":\"".getBytes(StandardCharsets.UTF_8));
            out.write("y".repeat(10 << 20).getBytes(StandardCharsets.UTF_8));
            out.write("\"}\r\n{\"i\":3}\n".getBytes(StandardCharsets.UTF_8));
        }
        List<JsonlReader.Line> lines = read(f, 1 << 20);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).object().get("i").asInt()).isEqualTo(1);
        JsonlReader.Line tooLong = lines.get(1);
        long length = (10 << 20) + 8; // {"t":"…"} without the CRLF
        assertThat(tooLong.number()).isEqualTo(2);
        assertThat(tooLong.tooLong()).isTrue();
        assertThat(tooLong.bytes()).isEqualTo(length);
        assertThat(tooLong.object()).isNull();
        assertThat(tooLong.problem())
                .isEqualTo("line is 10,485,768 bytes long, over the limit of 1,048,576 bytes");
        assertThat(lines.get(2).object().get("i").asInt()).isEqualTo(3);
        assertThat(lines.get(2).number()).isEqualTo(3);

        // the same line loads under a limit of exactly its length, CRLF or not
        List<JsonlReader.Line> exact = read(f, length);
        assertThat(exact.get(1).problem()).isNull();
        assertThat(exact.get(1).object().get("t").asText()).hasSize(10 << 20);
        assertThat(read(f, length - 1).get(1).tooLong()).isTrue();
    }

    @Test
    void stringsMayBeAsLongAsALineNotJacksonsTwentyMillionCharacters() throws Exception {
        Path f = tmp.resolve("string.jsonl");
        String big = "z".repeat(21_000_000);
        Files.writeString(f, "{\"t\":\"" + big + "\"}\n", StandardCharsets.UTF_8);
        List<JsonlReader.Line> lines = read(f, JsonlReader.DEFAULT_MAX_LINE_BYTES);
        assertThat(lines.get(0).problem()).isNull();
        assertThat(lines.get(0).object().get("t").asText()).hasSize(21_000_000);
    }

    @Test
    void gzipFilesAreReadWhateverTheirName() throws Exception {
        var b = new ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(b)) {
            for (int i = 0; i < 5000; i++) {
                gz.write(("{\"i\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        List<JsonlReader.Line> lines = read(b.toByteArray());
        assertThat(lines).hasSize(5000);
        assertThat(lines.get(4999).object().get("i").asInt()).isEqualTo(4999);
        assertThat(lines.get(4999).number()).isEqualTo(5000);
    }

    @Test
    void aTruncatedGzipFileIsAnErrorNamingFileAndLine() throws Exception {
        var b = new ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(b)) {
            for (int i = 0; i < 50_000; i++) {
                gz.write(
                        ("{\"i\":" + i + ",\"pad\":\"" + i * 7919L + "\"}\n")
                                .getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] all = b.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(all, all.length / 2);
        assertThatThrownBy(() -> read(cut))
                .isInstanceOf(dev.memaudit.core.error.MemauditException.class)
                .hasMessageMatching(
                        ".*x\\.jsonl:\\d+: cannot read gzip data \\(truncated or corrupt file\\).*");
    }
}
