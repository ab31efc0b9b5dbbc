package dev.memaudit.reports.csv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.reports.Fixtures;
import dev.memaudit.reports.run.RunLoader;
import dev.memaudit.reports.run.RunView;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void formulaCellsAreNeutralizedAndFieldsQuotedPerRfc4180() {
        String csv =
                new Csv()
                        .row(
                                Arrays.asList(
                                        "=1+1",
                                        "+x",
                                        "-y",
                                        "@SUM(A1)",
                                        "\tz",
                                        "\rw",
                                        "a,b",
                                        "say \"hi\"",
                                        "ok",
                                        -3,
                                        null,
                                        true))
                        .toString();
        assertThat(csv)
                .isEqualTo(
                        "'=1+1,'+x,'-y,'@SUM(A1),'\tz,\"'\rw\",\"a,b\",\"say \"\"hi\"\"\",ok,-3,,true\r\n");
    }

    @Test
    void worksCsvHasOneRowPerWorkWithTheStageNumbers() {
        RunView v = new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit"));
        List<String> lines = Arrays.asList(CsvReports.works(v).split("\r\n"));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("work_id,title,work_chars,scan_spans,");
        assertThat(lines.get(1))
                .startsWith("alpha,The Lantern Orchard,")
                // t1 coverage, then greedy's, t1_k40's (beta's scheme: none for alpha) and reasons;
                // attempts 7, exact 2, near 3, coverage by exact (16 of 48 tokens) and near (24)
                .contains(
                        ",6,t1,0.3333,0.5,0.6667,0.3333,0.3333,0.3333,,,,,2,0.125,0.9,7,2,3,"
                                + "0.3333333333333333,0.5,1,0,1.5,0,30,60,rd"
                                + " lit itself at dusk. The pic,0,ok,5,2.0E-6,6.0E-6,6.0E-6");
        assertThat(lines.get(0))
                .contains(
                        ",extract_attempts_exact,extract_attempts_near,"
                                + "extract_attempt_coverage_exact,extract_attempt_coverage_near,");
        assertThat(lines.get(3)).startsWith("gamma,\"<b>Bold</b> & \"\"Quoted\"\" Title\",");
    }

    @Test
    void aSchemeNotMeasuredIsWrittenSoWithItsReasonNeverAsZero() {
        RunView v = new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit"));
        List<String> lines = Arrays.asList(CsvReports.works(v).split("\r\n"));
        List<String> header = Arrays.asList(lines.get(0).split(","));
        assertThat(header)
                .containsSubsequence(
                        "extract_coverage_0.01",
                        "extract_coverage_greedy_0.5",
                        "extract_coverage_greedy_0.1",
                        "extract_coverage_greedy_0.01",
                        "extract_coverage_t1_k40_0.5",
                        "extract_coverage_t1_k40_0.1",
                        "extract_coverage_t1_k40_0.01",
                        "extract_not_measured");
        String beta = lines.get(2);
        assertThat(beta)
                .startsWith("beta,")
                .contains(",0.0,0.0,0.0,not measured,not measured,not measured,")
                .contains(
                        "coverage t1_k40: p_z under t1_k40 not measured for 1 of 3 windows"
                                + " (window 1: openai-completions returns top-5 log-prob lists");
    }

    @Test
    void theEasiestWindowsBitsAreInTheRowAndUnmeasuredWindowsAreCountedWithTheReason() {
        RunView v = new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit"));
        List<String> lines = Arrays.asList(CsvReports.works(v).split("\r\n"));
        assertThat(Arrays.asList(lines.get(0).split(",")))
                .containsSubsequence(
                        "extract_windows_skipped",
                        "extract_bits_easiest",
                        "extract_bits_easiest_window",
                        "extract_bits_easiest_char_start",
                        "extract_bits_easiest_char_end",
                        "extract_bits_easiest_text",
                        "extract_bits_windows_not_measured",
                        "ppl_status");
        // beta: window 1 not measured (a rank beyond the server's top-5 list), the easiest of the
        // others is window 0 at 12.5 bits
        assertThat(lines.get(2))
                .contains(",12.5,0,30,60, one. It speaks in a low regis,1,")
                .contains(
                        "bits to extract of 1 windows: window 1: suffix token 5 is not among the"
                                + " server's top 5 log-probs, fewer than m = 20");
    }

    @Test
    void spansCsvNeutralizesHostileOutputIdsAndTexts() {
        RunView v = new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit"));
        String csv = CsvReports.spans(v);
        assertThat(csv)
                .contains("scan,gamma,\"'=HYPERLINK(\"\"http://evil.example\"\")\",")
                .contains(
                        "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\") <script>alert(3)</script>\"")
                .doesNotContain(",=HYPERLINK")
                .doesNotContain("\"=HYPERLINK");
        assertThat(csv.split("\r\n")).hasSize(1 + 2 + 5 + 3);
    }
}
