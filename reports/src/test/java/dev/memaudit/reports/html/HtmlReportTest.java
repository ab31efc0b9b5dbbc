package dev.memaudit.reports.html;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.extract.AttemptsNeeded;
import dev.memaudit.reports.Fixtures;
import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.run.RunLoader;
import dev.memaudit.reports.run.RunView;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
    static String html;

    @BeforeAll
    static void render() {
        RunView view = new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit"));
        html =
                HtmlReport.render(
                        view,
                        new ReportInfo(
                                "9.9-test",
                                "2026-11-25T12:00:00Z",
                                List.of("report", "--run", "audit"),
                                "audit"));
    }

    /** The work ids of the rows of one sorted copy of the overview table, top to bottom. */
    static List<String> rows(String id) {
        int at = html.indexOf("id=\"" + id + "\"");
        assertThat(at).as("table copy %s", id).isPositive();
        String table = html.substring(at, html.indexOf("</table>", at));
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("<tr data-work=\"([^\"]*)\"").matcher(table);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void isSelfContainedUnderAPolicyThatForbidsEveryRequest() {
        assertThat(html)
                .startsWith("<!DOCTYPE html>")
                .contains(
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
                                + " style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
                                + " form-action 'none'\">");
        assertThat(html.toLowerCase(java.util.Locale.ROOT))
                .doesNotContain("<script")
                .doesNotContain("<img")
                .doesNotContain("<link")
                .doesNotContain("<iframe")
                .doesNotContain("@import")
                .doesNotContain("url(");
        // every link points inside the document
        Matcher m = Pattern.compile("(?i)\\b(href|src|action)\\s*=\\s*\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            assertThat(m.group(2)).as("attribute %s", m.group()).startsWith("#");
        }
        assertThat(html).contains("@media print");
    }

    @Test
    void modelTextIsEscapedEverywhere() {
        assertThat(html)
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")
                .contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)")
                .contains("&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Quoted&quot; Title")
                .doesNotContain("<b>Bold</b>");
    }

    @Test
    void theOverviewSortsByEveryColumnBothWays() {
        assertThat(rows("overview-default")).containsExactly("alpha", "gamma", "beta");
        assertThat(rows("by-longest-desc")).containsExactly("alpha", "gamma", "beta");
        assertThat(rows("by-longest-asc")).containsExactly("beta", "gamma", "alpha");
        assertThat(rows("by-p-asc")).containsExactly("alpha", "beta", "gamma");
        // works without a value stay last in both directions
        assertThat(rows("by-p-desc")).containsExactly("beta", "alpha", "gamma");
        assertThat(rows("by-coverage-desc")).containsExactly("alpha", "beta", "gamma");
        assertThat(rows("by-work-desc")).containsExactly("gamma", "beta", "alpha");
        assertThat(html).contains(".sortview:target~.default{display:none}");
    }

    @Test
    void showsTheNumbersTheStagesWrote() {
        String alphaRow =
                html.substring(
                        html.indexOf("<tr data-work=\"alpha\">", html.indexOf("overview-default")));
        alphaRow = alphaRow.substring(0, alphaRow.indexOf("</tr>"));
        assertThat(alphaRow)
                .contains(">28<")
                .contains(">50.0%<")
                .contains(">2 / 6<")
                .contains(">2 / 7 (1)<")
                .contains(">2.00e-06<")
                .contains(">6.00e-06<");
        assertThat(html)
                .contains("not enough control text")
                .contains(
                        "7 tries, 2 exact, 3 near (exact included), 1 skipped (refused by the"
                                + " backend for good; not tries)")
                // alpha: 3 of 7 near; windows 0 and 1 exact, 2 near: 16 and 24 of 48 tokens
                .contains("Empirical near-extraction rate (95% Clopper–Pearson)")
                .contains("Coverage by attempts, exact / near</th><td>33.3% / 50.0% of the work")
                .contains("<dt>Near attempt</dt>")
                .contains("Skipped: prefix of 2100 tokens + 8 new tokens exceeds the model")
                .contains("Coverage, p_z ≥ 0.01 (t1)");
    }

    @Test
    void attemptsNeededAtTheBestWindowAreShownUnreachableWhenPzIsZero() {
        String alpha = html.substring(html.indexOf("id=\"work-1\""), html.indexOf("id=\"work-2\""));
        assertThat(alpha)
                .contains(
                        "<tr><th scope=\"row\">Attempts for a 50% / 99% chance, best window"
                                + " (t1)</th><td>1 / 5 (window 0, p_z 0.9000)</td></tr>")
                .contains(
                        "<tr><th scope=\"row\">Attempts for a 50% / 99% chance, best window"
                                + " (greedy)</th><td>1 / 1 (window 0, p_z 1.000)</td></tr>");
        String beta = html.substring(html.indexOf("id=\"work-2\""), html.indexOf("id=\"work-3\""));
        // every beta window has greedy p_z = 0: no number of attempts reaches either chance
        assertThat(beta)
                .contains(
                        "<tr><th scope=\"row\">Attempts for a 50% / 99% chance, best window"
                                + " (greedy)</th><td>unreachable / unreachable (window 0, p_z"
                                + " 0)</td></tr>")
                // t1_k40 was not measured for every window: no best-window figure
                .doesNotContain("best window (t1_k40)");
        assertThat(Format.attempts(AttemptsNeeded.ofLog10(347.2764109836466)))
                .isEqualTo("1.89e347");
        assertThat(Format.attempts(AttemptsNeeded.of(new java.math.BigDecimal("2.35e17"))))
                .isEqualTo("2.35e17");
        assertThat(Format.attempts(AttemptsNeeded.of(999_999))).isEqualTo("999,999");
        assertThat(Format.pz(0.0, -800.0)).isEqualTo("exp(-800.0)");
    }

    @Test
    void theEasiestWindowIsShownWithItsBitsAndTextAndUnmeasuredWindowsAreSaidSo() {
        String alpha = html.substring(html.indexOf("id=\"work-1\""), html.indexOf("id=\"work-2\""));
        assertThat(alpha)
                .contains(
                        "<tr><th scope=\"row\">Bits to extract, easiest window (rank-aware, m ="
                                + " 20)</th><td>1.500 bits (window 0, characters 30–60, 0 tokens"
                                + " ranked beyond 20)<blockquote>rd lit itself at dusk. The"
                                + " pic</blockquote></td></tr>");
        String beta = html.substring(html.indexOf("id=\"work-2\""), html.indexOf("id=\"work-3\""));
        assertThat(beta)
                .contains("12.50 bits (window 0,")
                .contains(
                        "; 1 windows not measured (window 1: suffix token 5 is not among the"
                                + " server&#39;s top 5 log-probs");
        assertThat(html).contains("<dt>Bits to extract (rank-aware probability)</dt>");
        assertThat(html).contains("log base 2");
    }

    @Test
    void distinctiveAndCommonPassagesAndThePriorRatioAreShownAndDefined() {
        // alpha's passage is distinctive, gamma's common (a control holds it)
        assertThat(html)
                .contains("1 distinctive and 0 common passages")
                .contains("0 distinctive and 1 common passage ");
        // alpha's five measured windows (fixture: own ln p_z against ln P = -1 - 2i, -3 - 2i)
        assertThat(html)
                .contains("median log ratio ")
                .contains(" nats over 5 windows")
                .contains("; 2 (40.0%) below ln 10, which the model would say anyway");
        assertThat(html)
                .contains("<dt>Common and distinctive passages (scan)</dt>")
                .contains("<dt>Prior ratio, would the model say it anyway (extract)</dt>");
    }

    @Test
    void aSchemeNotMeasuredIsSaidSoWithItsReasonNeverAsZero() {
        String beta = html.substring(html.indexOf("id=\"work-2\""), html.indexOf("id=\"work-3\""));
        assertThat(beta).contains("beta");
        assertThat(beta)
                .contains(
                        "<tr><th scope=\"row\">Coverage, p_z ≥ 0.5 / 0.1 / 0.01 (greedy)</th>"
                                + "<td>0.0% / 0.0% / 0.0%</td></tr>")
                .contains(
                        "<tr><th scope=\"row\">Coverage (t1_k40)</th><td class=\"na\">not"
                                + " measured: p_z under t1_k40 not measured for 1 of 3 windows"
                                + " (window 1: openai-completions returns top-5 log-prob lists")
                .doesNotContain("(t1_k40)</th><td>");
        assertThat(html).contains("the work's first prefix is never covered");
        // what ppl.json says the ppl stage did not measure, and why
        assertThat(html)
                .contains(
                        "<li>Not measured by the ppl stage: <code>ref_diff</code> (no"
                                + " --reference-model). It is absent from every chunk and from"
                                + " the statistics, not counted as 0.</li>");
    }

    @Test
    void perWorkSectionsHaveTheMapPassagesAndCharts() {
        String alpha = html.substring(html.indexOf("id=\"work-1\""), html.indexOf("id=\"work-2\""));
        assertThat(alpha)
                .contains("<svg class=\"strip\"")
                .contains("<title>greedy-extractable</title>")
                .contains("<svg class=\"box\"")
                .contains("work (n=5)")
                .contains("controls (n=8)")
                .contains("<mark>Mira believed none of it")
                .contains("<span class=\"off\">[18, ")
                .contains("Best attempts");
        String beta = html.substring(html.indexOf("id=\"work-2\""), html.indexOf("id=\"work-3\""));
        String betaScan = beta.substring(beta.indexOf("(scan)"), beta.indexOf("(extract)"));
        assertThat(betaScan).contains("0 spans in 0 outputs").doesNotContain("class=\"passage\"");
    }

    @Test
    void methodProvenanceAndLimitationsAreThere() {
        assertThat(html)
                .contains("Unicode code points, 0-based and half-open")
                .contains("1 − (1 − p_z)<sup>n</sup>")
                .contains("memaudit extract --model m --index idx --out extract --seed 7")
                .contains("memaudit report --run audit")
                .contains("model/model.safetensors")
                .contains("{&quot;bootstrap&quot;:11,&quot;split&quot;:12}")
                .contains("A negative result does not prove a work was never seen")
                .contains("Membership statistics are weak evidence")
                .contains("ppl warning: only 8 control chunks; &lt;i&gt;more&lt;/i&gt;")
                .contains("not significant, as it should be")
                .contains("Definitions recorded by the ppl stage")
                .contains("NLL / zlib bytes at level 6; lower is member-like")
                .contains("Warning: work and controls differ in kind: &lt;verse&gt; vs prose")
                .contains("expected from p_z: 30.0%");
    }

    @Test
    void theMembershipTableLeadsWithTheDecisionAndLabelsChunkLevelPValues() {
        String alpha = html.substring(html.indexOf("id=\"work-1\""), html.indexOf("id=\"work-2\""));
        int decision = alpha.indexOf("Membership test of the work");
        int details =
                alpha.indexOf("chunk-level, descriptive: chunks of one text are not independent");
        assertThat(decision).isPositive();
        assertThat(details).isGreaterThan(decision);
        // per-feature p-values only after the label, inside the collapsed details
        assertThat(alpha.indexOf("Welch p (chunk-level)")).isGreaterThan(details);
        assertThat(alpha.indexOf("<details class=\"chunk-level\">")).isLessThan(details);
        assertThat(alpha).doesNotContain("<th>Welch p</th>").contains("not a test of the work");
        // the decision row: p_chunks, p_texts, their max, Holm, BH, the verdict at the run's α
        assertThat(alpha.substring(decision, details))
                .contains("At α = 0.01 after Holm")
                .contains(
                        "<td class=\"n\">2.00e-06</td><td class=\"n\">1.00e-06</td>"
                                + "<td class=\"n\"><strong>2.00e-06</strong></td>"
                                + "<td class=\"n\"><strong>6.00e-06</strong></td>"
                                + "<td class=\"n\">6.00e-06</td><td><strong>significant</strong>");
        // the run's α (0.01 in this fixture), not a fixed 0.05, in the summary too
        assertThat(html)
                .contains("have a membership p-value below α = 0.01 after Holm correction")
                .contains("p = max(p<sub>chunks</sub>, p<sub>texts</sub>)")
                .contains("halved <em>by text</em>");
    }

    @Test
    void stagesThatDidNotRunAreSaidToHaveNotRun() {
        RunView view =
                new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit/scan"));
        String scanOnly =
                HtmlReport.render(view, new ReportInfo("t", "now", List.of("report"), "scan"));
        assertThat(scanOnly)
                .contains("<strong>extract</strong> did not run")
                .contains("<strong>ppl</strong> did not run")
                .contains("Not in this run, so not below: extract, ppl")
                .doesNotContain("by-coverage-asc")
                .doesNotContain("<svg class=\"strip\"");
    }

    @Test
    void escapeHandlesEveryMetacharacterAndStrayControls() {
        assertThat(Html.esc("<a href='x'>\"&</a>\u0000\uD800ok\uD83C\uDF4E"))
                .isEqualTo(
                        "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&lt;/a&gt;\uFFFD\uFFFDok\uD83C\uDF4E");
    }
}
