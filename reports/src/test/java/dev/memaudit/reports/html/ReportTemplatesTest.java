package dev.memaudit.reports.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.run.RunView;
import dev.memaudit.reports.run.WorkView;
import gg.jte.output.StringOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The templates' escaping contract: every value is escaped where it stands, attributes included;
 * the only unescaped markup is {@link SafeSvg}; the policy the page declares is {@link
 * HtmlReport#CSP}.
 */
class ReportTemplatesTest {
    static final String HOSTILE_ID = "evil\"><script>alert(3)</script>";
    static final String HOSTILE_TITLE = "<img src=x onerror=alert(4)> & 'q' \u0000\uD800 end";

    static String hostileReport() {
        RunView view =
                new RunView(
                        Path.of("run"),
                        List.of(),
                        List.of(
                                new WorkView(
                                        HOSTILE_ID,
                                        HOSTILE_TITLE,
                                        12,
                                        null,
                                        null,
                                        null,
                                        new dev.memaudit.core.records.run.Reservation(
                                                "tdmrep",
                                                "2024-01-01",
                                                "https://x.example/\"><script>alert(5)</script>"))),
                        Map.of(),
                        null,
                        List.of("note with <b>markup</b>"));
        return HtmlReport.render(
                view,
                new ReportInfo(
                        "1.0 <i>",
                        "2026-11-25T12:00:00Z",
                        List.of("report", "--run", "x'\"<y>"),
                        "run\"<z>"));
    }

    @Test
    void valuesAreEscapedInElementTextAndInAttributes() {
        String html = hostileReport();
        assertThat(html)
                .contains("<tr data-work=\"evil&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;\">")
                .contains("&lt;img src=x onerror=alert(4)&gt; &amp; &#39;q&#39; \uFFFD\uFFFD end")
                .contains("<title>memaudit report: run&quot;&lt;z&gt;</title>")
                .contains("note with &lt;b&gt;markup&lt;/b&gt;")
                .contains("memaudit 1.0 &lt;i&gt;")
                .contains(
                        "Reserved against text and data mining: a machine-readable reservation"
                                + " (tdmrep) since 2024-01-01 (<a href=\"https://x.example/&quot;&gt;")
                .doesNotContain("despite a machine-readable")
                .contains(
                        "memaudit report --run &#39;x&#39;&quot;&#39;&quot;&#39;&quot;&lt;y&gt;&#39;");
        assertThat(html.toLowerCase(java.util.Locale.ROOT))
                .doesNotContain("<script")
                .doesNotContain("<img")
                .doesNotContain("<b>")
                .doesNotContain("<i>");
    }

    @Test
    void strayControlsAndLoneSurrogatesCannotBreakTheUtf8File() throws CharacterCodingException {
        String html = hostileReport();
        assertThat(html).doesNotContain("\u0000").doesNotContain("\uD800");
        ByteBuffer bytes =
                StandardCharsets.UTF_8
                        .newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .encode(CharBuffer.wrap(html));
        assertThat(bytes.remaining()).isPositive();
    }

    @Test
    void thePageDeclaresThePolicyOfTheConstant() {
        assertThat(hostileReport())
                .contains(
                        "<meta http-equiv=\"Content-Security-Policy\" content=\""
                                + HtmlReport.CSP
                                + "\">");
    }

    @Test
    void noTemplateWritesRawText() throws IOException {
        Path templates = Path.of("src/main/jte");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(templates)) {
            files = walk.filter(p -> p.toString().endsWith(".jte")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("report.jte");
        for (Path f : files) {
            // $unsafe{} and @raw bypass escaping; SafeSvg is the one way to write markup
            assertThat(Files.readString(f))
                    .as("%s", f)
                    .doesNotContain("$unsafe")
                    .doesNotContain("@raw");
        }
    }

    @Test
    void theOutputRefusesValuesInEventHandlersScriptsAndStyles() {
        StringOutput written = new StringOutput();
        ReportOutput out = new ReportOutput(written);
        assertThatThrownBy(() -> out.setContext("a", "onclick"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("onclick");
        assertThatThrownBy(() -> out.setContext("script", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("<script>");
        assertThatThrownBy(() -> out.setContext("style", null))
                .isInstanceOf(IllegalStateException.class);
        // the same escaping in element text and in attribute values
        out.setContext("td", null);
        out.writeUserContent("<&>\"'");
        out.setContext("tr", "data-work");
        out.writeUserContent("<&>\"'");
        assertThat(written.toString()).isEqualTo("&lt;&amp;&gt;&quot;&#39;".repeat(2));
    }
}
