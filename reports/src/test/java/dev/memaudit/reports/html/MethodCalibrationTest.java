package dev.memaudit.reports.html;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.io.Sha256;
import dev.memaudit.reports.Fixtures;
import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.calibration.CalibrationFile;
import dev.memaudit.reports.calibration.CalibrationSamples;
import dev.memaudit.reports.run.RunLoader;
import dev.memaudit.reports.run.RunView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The method section's "Error rates of these methods, measured on canaries": numbers from a
 * calibration.json the test writes appear with their intervals, a member-only one is labelled a
 * pipeline check, and without one the section says so and how to make one.
 */
class MethodCalibrationTest {
    static RunView view;
    static final ReportInfo INFO =
            new ReportInfo(
                    "9.9-test",
                    "2026-11-25T12:00:00Z",
                    List.of("report", "--run", "audit"),
                    "audit");

    @TempDir Path tmp;

    @BeforeAll
    static void load() {
        view = new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit"));
    }

    /** The method section alone. */
    static String method(String html) {
        int a = html.indexOf("<section id=\"method\">");
        assertThat(a).isPositive();
        return html.substring(a, html.indexOf("</section>", a));
    }

    @Test
    void aLadderCalibrationIsSummarizedPerDoseWithItsSlopeBesideCarlini() throws IOException {
        Path f = CalibrationSamples.ladder(tmp.resolve("calibration.json"), true);
        // a hostile file beside it: never embedded, only named and hashed
        Path svg =
                Files.writeString(
                        tmp.resolve("dose-response.svg"), "<svg><script>alert(1)</script></svg>");
        String html = HtmlReport.render(view, INFO, CalibrationFile.read(f));
        String m = method(html);
        assertThat(m)
                .contains("Error rates of these methods, measured on canaries")
                .contains("<strong>ladder</strong>")
                .contains("seeds [42, 43]")
                .contains(Sha256.of(f))
                .contains("150000")
                .contains("0, 1, 16")
                // per-work test: FPR k/n with Clopper–Pearson interval, power per dose
                .contains("FPR 0 / 4 = 0.000 [0.000, 0.602]")
                .contains("power 2 / 4 = 0.500 [0.068, 0.932]")
                .contains("power 4 / 4 = 1.000 [0.398, 1.000]")
                // best feature and nll at each dose
                .contains("<code>min_k_10</code> 0.973 [0.961, 0.987]")
                .contains("0.925 [0.885, 0.977]")
                .contains("<code>nll</code> 0.521 [0.463, 0.580]")
                // extraction per dose
                .contains("0.500 [0.250, 0.750]")
                .contains("0.340 [0.280, 0.401]")
                // slope and Carlini
                .contains("greedy share +0.415 per tenfold dose [0.208, 0.623], 8 works")
                .contains("coverage +0.282 per tenfold dose")
                .contains("Carlini et al. 2022")
                .contains("extraction grows with the log of the dose, as they found")
                // the canaries' language check
                .contains("held-out background NLL 4.361")
                .contains("0: 4.393, 1: 4.323, 16: 3.994")
                .contains("held-out background NLL not measured")
                .contains("not measured: nll (membership.json has no evaluation)")
                // the chart is redrawn from numbers; the file beside it is named, not embedded
                .contains("<svg class=\"dose\"")
                .contains(Sha256.of(svg))
                .doesNotContain("No calibration was given")
                .doesNotContain("pipeline check");
        assertThat(html).doesNotContain("<script").contains(Sha256.of(f));
    }

    @Test
    void nothingExtractableIsSaidAsSuch() throws IOException {
        Path f = CalibrationSamples.ladder(tmp.resolve("calibration.json"), false);
        String m = method(HtmlReport.render(view, INFO, CalibrationFile.read(f)));
        assertThat(m)
                .contains("greedy share +0.000 per tenfold dose [0.000, 0.000]")
                .contains("Here the slope is 0.000 per tenfold dose: nothing was extractable at")
                .contains("do not reproduce that growth")
                .doesNotContain("as they found");
    }

    @Test
    void aMemberOnlyCalibrationIsLabelledAPipelineCheck() throws IOException {
        Path f = CalibrationSamples.memberOnly(tmp.resolve("calibration.json"));
        String m = method(HtmlReport.render(view, INFO, CalibrationFile.read(f)));
        assertThat(m)
                .contains("Member-only canaries")
                .contains("a pipeline check, not evidence")
                .contains("seeds [1, 2, 3]")
                .contains("members: 24 / 24 significant after Holm")
                .contains("non-members: 0 / 21 significant after Holm (1 / 21 before)")
                .contains(Sha256.of(f))
                .doesNotContain("<strong>ladder</strong>");
    }

    @Test
    void withoutACalibrationTheSectionSaysSoAndHowToMakeOne() {
        String m = method(HtmlReport.render(view, INFO));
        assertThat(m)
                .contains("Error rates of these methods, measured on canaries")
                .contains("No calibration was given")
                .contains("memaudit canary calibrate")
                .contains("--calibration");
    }
}
