package dev.memaudit.reports.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.ValidationSummary;
import dev.memaudit.reports.Fixtures;
import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.influence.InfluenceFolder;
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
 * The report's influence: per work the behaviours it moved most with their uncertainty, per
 * behaviour the works that account for it, and in the method section which method produced the
 * numbers and how well it agreed with exact counterfactuals, or that it was not validated.
 */
class InfluenceSectionTest {
    static RunView view;
    static final ReportInfo INFO =
            new ReportInfo(
                    "9.9-test",
                    "2026-12-03T12:00:00Z",
                    List.of("report", "--run", "audit"),
                    "audit");

    @TempDir Path tmp;

    @BeforeAll
    static void load() {
        view = new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit"));
    }

    static InfluenceRecord r(
            String method, String work, String b, String kind, double delta, Double z, Double p) {
        return new InfluenceRecord(
                InfluenceRecord.SCHEMA_VERSION,
                method,
                work,
                b,
                kind,
                40,
                delta,
                delta / 40,
                z,
                p,
                method.equals("gradient") ? null : -100.0,
                method.equals("gradient") ? null : -100.0 - delta);
    }

    private Path folder(String name, List<InfluenceRecord> rs) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        try (var out = Files.newOutputStream(d.resolve("influence.jsonl"))) {
            for (InfluenceRecord r : rs) {
                out.write(Records.line(r));
                out.write(10);
            }
        }
        return d;
    }

    private Path exact() throws IOException {
        return folder(
                "exact",
                List.of(
                        r("exact", "alpha", "alpha#own-0", "own", 120.5, 18.2, 0.0021),
                        r("exact", "alpha", "alpha#own-1", "own", 95.25, 11.0, 0.0058),
                        r("exact", "alpha", "unrelated-0", "unrelated", -0.75, -0.4, 0.76),
                        r("exact", "zeta", "alpha#own-0", "other", 3.0, 1.1, 0.47),
                        r("exact", "zeta", "unrelated-0", "unrelated", 0.5, 0.2, 0.87)));
    }

    static String section(String html, String id) {
        int a = html.indexOf("<section id=\"" + id + "\">");
        assertThat(a).as(id).isPositive();
        return html.substring(a, html.indexOf("</section>", a));
    }

    static String work(String html, String id) {
        int a = html.indexOf("<article class=\"work\" id=\"work-");
        int b = html.indexOf("<code>" + id + "</code></h3>", a);
        assertThat(b).isPositive();
        return html.substring(b, html.indexOf("</article>", b));
    }

    @Test
    void exactInfluenceIsShownPerWorkAndPerBehaviourWithItsSeedNull() throws IOException {
        InfluenceFolder f = InfluenceFolder.read(exact());
        String html = HtmlReport.render(view, INFO, null, List.of(f), null);
        String alpha = work(html, "alpha");
        assertThat(alpha)
                .contains("<h4>Influence</h4>")
                .contains("<code>alpha#own-0</code>")
                .contains("+120.5")
                .contains("+3.013") // Δ/token = 120.5 / 40
                .contains("z −0.4000, p 0.7600")
                .contains("z 18.20, p 0.0021")
                .contains("−0.75")
                .contains("own +2.697 (2 behaviours)");
        // own text first: largest Δ first
        assertThat(alpha.indexOf("alpha#own-0")).isLessThan(alpha.indexOf("unrelated-0"));
        assertThat(work(html, "beta")).doesNotContain("<h4>Influence</h4>");
        String s = section(html, "influence");
        assertThat(s)
                .contains("ln p_with(b) − ln p_without(b)")
                .contains(Sha256.of(f.file()))
                .contains("Metered but not works of this run, so shown only below: zeta")
                // alpha#own-0: alpha accounts for 120.5 of the 123.5 nats of positive Δ
                .contains("alpha +120.5 (97.6%), z 18.20; zeta +3.000 (2.4%), z 1.100");
        String m = section(html, "method");
        assertThat(m)
                .contains("Influence metering: which method produced each number")
                .contains("<strong>exact</strong> (5 pairs, 2 works): exact counterfactual");
        // no influence given: no section, no nav link, nothing per work
        String plain = HtmlReport.render(view, INFO, null, List.of(), null);
        assertThat(plain).doesNotContain("id=\"influence\"").doesNotContain("<h4>Influence</h4>");
        assertThat(plain).isEqualTo(HtmlReport.render(view, INFO, null));
    }

    @Test
    void approximateInfluenceStatesItsMeasuredAgreementOrThatItWasNotValidated()
            throws IOException {
        InfluenceFolder g =
                InfluenceFolder.read(
                        folder(
                                "gradient",
                                List.of(
                                        r(
                                                "gradient",
                                                "alpha",
                                                "alpha#own-0",
                                                "own",
                                                7.5,
                                                null,
                                                null),
                                        r(
                                                "gradient",
                                                "beta",
                                                "alpha#own-0",
                                                "other",
                                                0.5,
                                                null,
                                                null))));
        String unvalidated = HtmlReport.render(view, INFO, null, List.of(g), null);
        assertThat(section(unvalidated, "influence"))
                .contains("approximate (gradient), not validated")
                .contains("class=\"warn\"");
        assertThat(work(unvalidated, "alpha")).contains("no null (approximate)");
        assertThat(section(unvalidated, "method"))
                .contains("No validation was given")
                .contains("has no measured error");

        Path vf = tmp.resolve("validation.json");
        Records.write(
                vf,
                new ValidationSummary(
                        ValidationSummary.SCHEMA_VERSION,
                        "/meter/exact",
                        "aa".repeat(32),
                        "/meter/exact/models/full",
                        "bb".repeat(32),
                        3,
                        "delta_logprob",
                        List.of(
                                new ValidationSummary.MethodAgreement(
                                        "gradient",
                                        "gradient",
                                        5,
                                        90,
                                        450,
                                        new ValidationSummary.Estimate(0.612, 0.55, 0.67),
                                        new ValidationSummary.Estimate(0.481, 0.401, 0.556),
                                        1,
                                        0.8,
                                        30,
                                        0.95,
                                        12.5))));
        InfluenceFolder.Validation v = InfluenceFolder.Validation.read(vf);
        String html = HtmlReport.render(view, INFO, null, List.of(g), v);
        String m = section(html, "method");
        assertThat(m)
                .contains(
                        "<strong>gradient</strong> (2 pairs, 2 works): approximate (gradient);"
                                + " against exact counterfactuals on canaries (450 pairs, 5"
                                + " works): Spearman ρ 0.481 [0.401, 0.556], Pearson r 0.612"
                                + " [0.550, 0.670], top-1 agreement 80.0% over 30 behaviours,"
                                + " sign right on 95.0% of own-text pairs; no z or p")
                .contains("<code>/meter/exact</code>")
                .contains(Sha256.of(vf));
        assertThat(section(html, "influence")).doesNotContain("class=\"warn\"");
    }

    @Test
    void aFolderMixingMethodsOrWithoutLinesIsRefusedNamingTheFile() throws IOException {
        Path mixed =
                folder(
                        "mixed",
                        List.of(
                                r("exact", "alpha", "b", "own", 1, 1.0, 0.5),
                                r("unlearn", "alpha", "b", "own", 1, null, null)));
        assertThatThrownBy(() -> InfluenceFolder.read(mixed))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("influence.jsonl")
                .hasMessageContaining("several methods");
        assertThatThrownBy(() -> InfluenceFolder.read(tmp.resolve("nowhere")))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("no such file");
    }
}
