package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code canary calibrate --background} on two small ladder canaries (as {@link CanaryLadderIT}:
 * excerpts of public-domain books at doses 0, 1, 4 and 16 over background text from the other books
 * of {@code ../shared/corpora/background}, {@code --fast}): it writes the calibration, its figures
 * hold together (intervals contain their estimates and lie in [0, 1], extraction does not fall with
 * the dose), the SVG is well-formed with one point per dose, and a second run reuses the canaries.
 */
class CanaryCalibrateLadderIT {
    private static final List<Integer> DOSES = List.of(0, 1, 4, 16);

    @TempDir static Path tmp;
    static Path out;
    static Cli.Result calibrate;
    static JsonNode json;

    static List<String> args() {
        return List.of(
                "canary",
                "calibrate",
                "--fast",
                "--corpus",
                tmp.resolve("works").toString(),
                "--background",
                SharedBackground.corpusYaml().getParent().toString(),
                "--doses",
                "0,1,4,16",
                "--background-tokens",
                "150000",
                "--seeds",
                "2",
                "--out",
                out.toString());
    }

    @BeforeAll
    static void calibrate() throws Exception {
        Path background = SharedBackground.corpusYaml();
        Cli.run(
                        "canary",
                        "excerpts",
                        "--from",
                        background.toString(),
                        "--works",
                        "8",
                        "--controls",
                        "4",
                        "--words",
                        "400-600",
                        "--seed",
                        "3",
                        "--out",
                        tmp.resolve("works").toString())
                .exits(0)
                .noStackTrace();
        out = tmp.resolve("cal");
        calibrate = Cli.run(args()).exits(0).noStackTrace();
        System.out.println("calibrate ladder IT:\n" + calibrate.out());
        json = Cli.readJson(out.resolve("calibration.json"));
        System.out.println("canaries: " + json.path("canaries"));
    }

    @Test
    void writesTheCalibrationOfBothCanariesWithTheirRunFolders() throws Exception {
        for (String f : List.of("calibration.json", "calibration.md", "dose-response.svg")) {
            assertThat(out.resolve(f)).isRegularFile();
            assertThat(Files.size(out.resolve(f))).isPositive();
        }
        for (int seed : List.of(1, 2)) {
            Path dir = out.resolve("seed-" + seed);
            assertThat(dir.resolve("model/membership.json")).exists();
            assertThat(dir.resolve("ppl/chunks.jsonl")).exists();
            assertThat(dir.resolve("extract/windows.jsonl")).exists();
        }
        assertThat(json.path("regime").asText()).isEqualTo("ladder");
        assertThat(ints(json.path("doses"))).isEqualTo(DOSES);
        assertThat(ints(json.path("seeds"))).containsExactly(1, 2);
        assertThat(json.path("intervals").path("other").asText()).contains("bootstrap over works");
        assertThat(json.path("settings").path("background_tokens").asLong()).isEqualTo(150_000);
        assertThat(json.path("canaries")).hasSize(2);
        for (JsonNode c : json.path("canaries")) {
            // the canaries learned language: well below uniform over 512 ids (6.24 nats)
            assertThat(c.path("held_out_background_nll").asDouble()).isLessThan(5.5);
        }
        assertThat(calibrate.out())
                .contains("| 0 (held out) | 4 |")
                .contains("| 16 | 4 |")
                .contains("Carlini et al. 2022")
                .contains("The canaries know the language")
                .contains("calibration.md");
        assertThat(Files.readString(out.resolve("calibration.md")))
                .contains("AUC of chunks of dose-d works vs chunks of dose-0 works")
                .contains("| nll | lower_is_member |");
    }

    @Test
    void theReportReadsThisCalibrationIntoItsMethodSection() {
        // the writer's real output, not a sample: report --calibration must accept it
        dev.memaudit.reports.calibration.CalibrationFile c =
                dev.memaudit.reports.calibration.CalibrationFile.read(
                        out.resolve("calibration.json"));
        assertThat(c.schemaVersion()).isEqualTo(2);
        assertThat(c.ladder().doses()).isEqualTo(DOSES);
        assertThat(c.ladder().canaries()).hasSize(2);
        assertThat(c.doseResponseSvg()).isNotNull();
    }

    @Test
    void thePerWorkTestsFalsePositiveRateAndPowerHaveClopperPearsonIntervals() {
        JsonNode byDose = json.path("per_work_test").path("by_dose");
        assertThat(byDose).hasSize(DOSES.size());
        for (JsonNode d : byDose) {
            // 2 works per dose in each of the 2 canaries
            assertThat(d.path("tested").asInt() + d.path("untested").asInt()).isEqualTo(4);
            assertThat(d.path("rate").asText())
                    .isEqualTo(d.path("dose").asInt() == 0 ? "false_positive_rate" : "power");
            checkEstimate(d.path("estimate"), "per-work test at dose " + d.path("dose"), true);
            if (d.path("tested").asInt() > 0) {
                assertThat(d.path("estimate").path("value").asDouble())
                        .isEqualTo(d.path("significant").asDouble() / d.path("tested").asInt());
            }
        }
        JsonNode fpr = byDose.get(0).path("estimate");
        assertThat(fpr.path("not_measured").isMissingNode())
                .as("the FPR on dose-0 works is measured: %s", fpr)
                .isTrue();
    }

    @Test
    void extractionDoesNotFallWithTheDoseAndTheSlopeIsReported() {
        Map<Integer, JsonNode> byDose = new TreeMap<>();
        for (JsonNode d : json.path("extraction").path("by_dose")) {
            byDose.put(d.path("dose").asInt(), d);
            checkEstimate(d.path("greedy_share"), "greedy share at " + d.path("dose"), false);
            checkEstimate(d.path("coverage_0.5"), "coverage at " + d.path("dose"), false);
        }
        assertThat(byDose.keySet()).containsExactlyElementsOf(DOSES);
        for (String f : List.of("greedy_share", "coverage_0.5")) {
            JsonNode d0 = byDose.get(0).path(f);
            JsonNode d16 = byDose.get(16).path(f);
            assertThat(d0.path("not_measured").isMissingNode()).as("%s at dose 0", f).isTrue();
            assertThat(d16.path("not_measured").isMissingNode()).as("%s at dose 16", f).isTrue();
            assertThat(d16.path("value").asDouble())
                    .as("%s at dose 16 vs dose 0", f)
                    .isGreaterThanOrEqualTo(d0.path("value").asDouble());
            // the slope over doses 1, 4, 16, with its interval
            JsonNode slope = json.path("extraction").path("log_linear_slope").path(f);
            assertThat(slope.path("not_measured").isMissingNode()).as("%s slope", f).isTrue();
            assertThat(slope.path("low").asDouble())
                    .isLessThanOrEqualTo(slope.path("value").asDouble());
            assertThat(slope.path("high").asDouble())
                    .isGreaterThanOrEqualTo(slope.path("value").asDouble());
        }
        assertThat(json.path("extraction").path("log_linear_slope").path("reference").asText())
                .contains("log-linearly with the number of duplicates");
    }

    @Test
    void everyFeatureHasAnAucAndTprPerDoseWithAnInterval() {
        Map<String, List<Integer>> doses = new TreeMap<>();
        for (JsonNode f : json.path("features")) {
            doses.computeIfAbsent(f.path("feature").asText(), k -> new ArrayList<>())
                    .add(f.path("dose").asInt());
            checkEstimate(f.path("auc_vs_dose_0"), "AUC of " + f.path("feature"), false);
            checkEstimate(f.path("tpr_at_1pct_fpr"), "TPR of " + f.path("feature"), false);
        }
        assertThat(doses).containsKey("nll");
        doses.values().forEach(d -> assertThat(d).containsExactly(1, 4, 16));
        // a real signal: seen 16 times, a work's chunks stand apart from held-out works' chunks
        // (measured 0.84 [0.74, 0.93]), more than once-seen works' (0.52)
        Map<Integer, Double> nll = new TreeMap<>();
        for (JsonNode f : json.path("features")) {
            if (f.path("feature").asText().equals("nll")) {
                nll.put(f.path("dose").asInt(), f.path("auc_vs_dose_0").path("value").asDouble());
            }
        }
        assertThat(nll.get(16)).isGreaterThan(0.6).isGreaterThan(nll.get(1));
    }

    @Test
    void theFigureIsWellFormedSvgWithOnePointPerDoseAndSeries() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document svg = f.newDocumentBuilder().parse(out.resolve("dose-response.svg").toFile());
        Element root = svg.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        for (String series : List.of("greedy", "coverage")) {
            List<Integer> points = new ArrayList<>();
            for (String tag : List.of("circle", "rect", "text")) {
                NodeList nodes = root.getElementsByTagNameNS("*", tag);
                for (int i = 0; i < nodes.getLength(); i++) {
                    Element e = (Element) nodes.item(i);
                    List<String> cls = List.of(e.getAttribute("class").split(" "));
                    if (cls.contains(series)
                            && (cls.contains("point") || cls.contains("not-measured"))) {
                        points.add(Integer.parseInt(e.getAttribute("data-dose")));
                    }
                }
            }
            points.sort(null);
            assertThat(points).as(series).isEqualTo(DOSES);
        }
        String text = root.getTextContent();
        assertThat(text).contains("0 (held out)").contains("log scale").contains("share");
    }

    @Test
    void aSecondRunReusesTheCanariesAndRecomputesTheSameCalibration() throws Exception {
        String md = Files.readString(out.resolve("calibration.md"));
        Cli.Result again = Cli.run(args()).exits(0).noStackTrace();
        assertThat(again.err()).contains("canary seed 1: reusing").contains("index: reusing");
        assertThat(Files.readString(out.resolve("calibration.md"))).isEqualTo(md);
    }

    @Test
    void memberOnlySettingsALadderWithoutDoseZeroAndAnotherBudgetAreRefused() {
        List<String> withRepeat = new ArrayList<>(args());
        withRepeat.addAll(List.of("--repeat", "3"));
        assertThat(Cli.run(withRepeat).exits(2).noStackTrace().err())
                .contains("--repeat do not apply with --background");
        List<String> noZero = new ArrayList<>(args());
        noZero.set(noZero.indexOf("0,1,4,16"), "1,4");
        assertThat(Cli.run(noZero).exits(2).noStackTrace().err()).contains("must hold 0");
        // the canaries in --out were trained on another background budget: not reused
        List<String> otherBudget = new ArrayList<>(args());
        otherBudget.set(otherBudget.indexOf("150000"), "100000");
        assertThat(Cli.run(otherBudget).exits(2).noStackTrace().err())
                .contains("trained with --background-tokens 150000, not 100000");
    }

    /**
     * A measured share and its interval lie in [0, 1], low ≤ high; a Clopper–Pearson interval also
     * contains its estimate (a percentile bootstrap need not: TPR at 1 % FPR is biased); one not
     * measured says why.
     */
    private static void checkEstimate(JsonNode e, String what, boolean containsEstimate) {
        if (!e.path("not_measured").isMissingNode()) {
            assertThat(e.path("not_measured").asText()).as(what).isNotBlank();
            assertThat(e.path("value").isNull()).as(what).isTrue();
            return;
        }
        double v = e.path("value").asDouble();
        double lo = e.path("low").asDouble();
        double hi = e.path("high").asDouble();
        assertThat(v).as(what).isBetween(0.0, 1.0);
        assertThat(lo).as(what + " low").isBetween(0.0, hi);
        assertThat(hi).as(what + " high").isBetween(lo, 1.0);
        if (containsEstimate) {
            assertThat(v).as(what + " in its interval").isBetween(lo, hi);
        }
    }

    private static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
