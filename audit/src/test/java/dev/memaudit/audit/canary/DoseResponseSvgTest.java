package dev.memaudit.audit.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.stats.DoseCalibration;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The dose–response figure drawn from figures given by hand. */
class DoseResponseSvgTest {
    private static DoseCalibration.Estimate est(double v, double lo, double hi) {
        return new DoseCalibration.Estimate(v, lo, hi, 4, null);
    }

    private static DoseCalibration.Estimate notMeasured(String why) {
        return new DoseCalibration.Estimate(Double.NaN, Double.NaN, Double.NaN, 0, why);
    }

    /** Doses 0, 1, 10, 100; coverage at dose 100 not measured (with a reason needing escapes). */
    static DoseCalibration.Table table() {
        List<DoseCalibration.ExtractionDose> ex =
                List.of(
                        new DoseCalibration.ExtractionDose(0, 4, est(0, 0, 0), est(0.0, 0.0, 0.05)),
                        new DoseCalibration.ExtractionDose(
                                1, 4, est(0.1, 0.0, 0.2), est(0.05, 0.0, 0.1)),
                        new DoseCalibration.ExtractionDose(
                                10, 4, est(0.3, 0.2, 0.4), est(0.5, 0.4, 0.6)),
                        new DoseCalibration.ExtractionDose(
                                100, 4, notMeasured("no window < 64 & more"), est(0.9, 0.8, 1.0)));
        return new DoseCalibration.Table(
                0.05,
                1,
                List.of(1L, 2L),
                List.of(0, 1, 10, 100),
                List.of(),
                List.of(),
                ex,
                new DoseCalibration.LogLinearFit(est(0.425, 0.3, 0.5), 0.03),
                new DoseCalibration.LogLinearFit(
                        notMeasured("needs works extracted at two or more doses"), Double.NaN));
    }

    @Test
    void pointsSitOnALogDoseAxisWithDoseZeroApartAndUnmeasuredFiguresAreMarked() throws Exception {
        String svg = DoseResponseSvg.of(table());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc =
                f.newDocumentBuilder()
                        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        List<Element> greedy = byClass(doc, "circle", "greedy");
        assertThat(greedy).hasSize(4);
        double x0 = Double.parseDouble(greedy.get(0).getAttribute("cx"));
        double x1 = Double.parseDouble(greedy.get(1).getAttribute("cx"));
        double x10 = Double.parseDouble(greedy.get(2).getAttribute("cx"));
        double x100 = Double.parseDouble(greedy.get(3).getAttribute("cx"));
        // log axis: 1 → 10 is as long as 10 → 100; dose 0 left of the axis, apart from it
        assertThat(x100 - x10).isCloseTo(x10 - x1, org.assertj.core.api.Assertions.within(0.2));
        assertThat(x1 - x0).isGreaterThan(40);
        // share 0.5 halfway between the 0 and 1 gridlines (y 330 and 50)
        assertThat(Double.parseDouble(greedy.get(2).getAttribute("cy"))).isEqualTo(190.0);
        // coverage at dose 100 is not measured: no point, the words and the reason instead
        List<Element> coverage = byClass(doc, "rect", "coverage");
        assertThat(coverage)
                .extracting(e -> e.getAttribute("data-dose"))
                .containsExactly("0", "1", "10");
        List<Element> missing = byClass(doc, "text", "not-measured");
        assertThat(missing).hasSize(1);
        assertThat(missing.get(0).getAttribute("data-dose")).isEqualTo("100");
        assertThat(missing.get(0).getTextContent())
                .contains("not measured")
                .contains("no window < 64 & more");
        // whiskers of every measured point, the slope and the reference in the legend
        assertThat(byClass(doc, "g", "whisker")).hasSize(7);
        String text = doc.getDocumentElement().getTextContent();
        assertThat(text)
                .contains("log-linear slope +0.425 per tenfold dose [0.300, 0.500]")
                .contains("log-linear slope not measured: needs works extracted")
                .contains("log-linearly with the number of duplicates");
    }

    private static List<Element> byClass(Document d, String tag, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList n = d.getElementsByTagNameNS("*", tag);
        for (int i = 0; i < n.getLength(); i++) {
            Element e = (Element) n.item(i);
            if (List.of(e.getAttribute("class").split(" ")).contains(cls)) {
                out.add(e);
            }
        }
        return out;
    }
}
