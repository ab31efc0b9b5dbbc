package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.MeterSummary;
import dev.memaudit.core.records.meter.TrainedModelRecord;
import dev.memaudit.core.records.meter.ValidationSummary;
import dev.memaudit.core.records.run.Membership;
import dev.memaudit.core.records.run.TrainingStepRecord;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meter exact} on a tiny ladder canary over the shared background: four excerpts, one
 * metered at dose 64, two seeds. Ground truth (a canary trained with background text, where the
 * works are a small share and held-out text is in-distribution), not a member-only canary.
 */
class MeterExactIT {
    private static final String W = "w";

    @TempDir static Path tmp;
    static Path works;
    static Path out;
    static List<InfluenceRecord> influence;
    static MeterSummary summary;

    static List<String> meterArgs(String... more) {
        List<String> a =
                new java.util.ArrayList<>(
                        List.of(
                                "meter",
                                "exact",
                                "--fast",
                                "--corpus",
                                works.resolve("corpus.yaml").toString(),
                                "--background",
                                SharedBackground.corpusYaml().getParent().toString(),
                                "--background-tokens",
                                "60000",
                                "--members",
                                metered() + ":64," + other() + ":4",
                                "--works",
                                metered(),
                                "--seeds",
                                "2",
                                "--windows-per-work",
                                "8",
                                "--unrelated",
                                "10",
                                "--out",
                                out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    static String metered;
    static String other;

    static String metered() {
        return metered;
    }

    static String other() {
        return other;
    }

    @BeforeAll
    static void meter() throws Exception {
        Path background = SharedBackground.corpusYaml();
        works = tmp.resolve("works");
        Cli.run(
                        "canary",
                        "excerpts",
                        "--from",
                        background.toString(),
                        "--works",
                        "3",
                        "--words",
                        "500-700",
                        "--seed",
                        "11",
                        "--out",
                        works.toString())
                .exits(0)
                .noStackTrace();
        List<String> ids =
                Files.list(works)
                        .map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith("-excerpt.txt"))
                        .map(n -> n.substring(0, n.length() - 4))
                        .sorted()
                        .toList();
        metered = ids.get(0);
        other = ids.get(1);
        out = tmp.resolve("meter");
        Cli.run(meterArgs()).exits(0).noStackTrace();
        influence = Records.readAll(out.resolve("influence.jsonl"), InfluenceRecord.class);
        summary = Records.read(out.resolve("meter.json"), MeterSummary.class);
    }

    @Test
    void aWorksInfluenceOnItsOwnTextIsLargeAndPositiveAndOnHeldOutTextWithinTheSeedNull() {
        List<InfluenceRecord> own =
                influence.stream().filter(r -> r.behaviourKind().equals("own")).toList();
        List<InfluenceRecord> unrelated =
                influence.stream().filter(r -> r.behaviourKind().equals("unrelated")).toList();
        // a window whose text does not fit the fast canary's context is skipped, with its reason
        long skippedOwn =
                summary.skipped().keySet().stream()
                        .filter(id -> id.startsWith(metered + "#own-"))
                        .count();
        assertThat(own.size() + skippedOwn).isEqualTo(8);
        assertThat(own.size()).isGreaterThanOrEqualTo(6);
        assertThat(summary.skipped().values()).allSatisfy(r -> assertThat(r).contains("context"));
        assertThat(unrelated).isNotEmpty();
        double ownMean =
                own.stream().mapToDouble(InfluenceRecord::deltaPerToken).average().orElseThrow();
        double unrelatedMean =
                unrelated.stream()
                        .mapToDouble(InfluenceRecord::deltaPerToken)
                        .average()
                        .orElseThrow();
        // dose 64 of a 600-word work: the canary knows it far better than without it
        assertThat(ownMean).isGreaterThan(0.5);
        assertThat(own).allSatisfy(r -> assertThat(r.deltaLogprob()).isPositive());
        System.out.printf(
                "meter IT: own %d, mean %.4f nats/token, min z %.2f; unrelated %d, mean %.4f,"
                        + " p < 0.05: %d%n",
                own.size(),
                ownMean,
                own.stream().mapToDouble(InfluenceRecord::z).min().orElse(Double.NaN),
                unrelated.size(),
                unrelatedMean,
                unrelated.stream().filter(r -> r.p() < 0.05).count());
        // the fast canary's training is chaotic: withholding 64 copies moves everything a little
        // (and float reductions differ with the machine's threads), so "near zero" is a bound
        // relative to the own-text effect, and significance is judged against the seed null
        assertThat(Math.abs(unrelatedMean)).isLessThan(0.25 * ownMean);
        // 2 seeds: Student t with 1 degree of freedom. The work's own text is far out; unrelated
        // text is significant at 0.05 for at most one of its pieces (0.5 expected by chance)
        assertThat(own).allSatisfy(r -> assertThat(r.z()).isGreaterThan(3));
        assertThat(unrelated).hasSizeGreaterThanOrEqualTo(8);
        assertThat(unrelated.stream().filter(r -> r.p() < 0.05).count()).isLessThanOrEqualTo(1);
        // the canary's own continuations that reproduce the work: the work made them likelier
        List<InfluenceRecord> generated =
                influence.stream().filter(r -> r.behaviourKind().equals("generation")).toList();
        assertThat(generated).isNotEmpty();
        assertThat(generated).allSatisfy(r -> assertThat(r.deltaLogprob()).isPositive());
        // held-out text of the same book: in between, and documented per kind in meter.json
        assertThat(summary.works()).hasSize(1);
        assertThat(summary.works().get(0).byKind()).containsKeys("own", "unrelated", "style");
        assertThat(summary.works().get(0).top().get(0).behaviourKind()).isEqualTo("own");
        for (InfluenceRecord r : influence) {
            assertThat(r.deltaPerToken()).isCloseTo(r.deltaLogprob() / r.tokens(), within(1e-9));
            assertThat(r.logprobWith() - r.logprobWithout())
                    .isCloseTo(r.deltaLogprob(), within(1e-9));
            assertThat(r.p()).isBetween(0.0, 1.0);
        }
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }

    @Test
    void theCounterfactualNeverSawTheWorkAndDiffersFromTheFullRunExactlyWhereTheWorkWas() {
        Membership full =
                Records.read(out.resolve("models/full/membership.json"), Membership.class);
        Membership without =
                Records.read(
                        out.resolve("models/without-" + metered + "/membership.json"),
                        Membership.class);
        assertThat(without.members()).extracting(Membership.Work::id).doesNotContain(metered);
        Membership.Work held =
                without.nonMembers().stream()
                        .filter(w -> w.id().equals(metered))
                        .findFirst()
                        .orElseThrow();
        assertThat(held.dose()).isZero();
        assertThat(held.seenAtSteps()).isEmpty();
        assertThat(without.counterfactual().withheld())
                .singleElement()
                .satisfies(w -> assertThat(w.dose()).isEqualTo(64));
        assertThat(without.steps()).isEqualTo(full.steps());

        List<TrainingStepRecord> a =
                Records.readAll(
                        out.resolve("models/full/data-order.jsonl"), TrainingStepRecord.class);
        List<TrainingStepRecord> b =
                Records.readAll(
                        out.resolve("models/without-" + metered + "/data-order.jsonl"),
                        TrainingStepRecord.class);
        assertThat(b).hasSameSizeAs(a);
        Set<Integer> differ = new TreeSet<>();
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).windows()).isEqualTo(a.get(i).windows());
            assertThat(b.get(i).works()).doesNotContain(metered);
            if (!a.get(i).sha256().equals(b.get(i).sha256())) {
                differ.add(a.get(i).step());
            }
        }
        Membership.Work seen =
                full.members().stream()
                        .filter(w -> w.id().equals(metered))
                        .findFirst()
                        .orElseThrow();
        assertThat(differ).isEqualTo(new TreeSet<>(seen.seenAtSteps()));
        assertThat(differ).isNotEmpty();
    }

    @Test
    void aResumedRunTrainsNothingAndGivesTheSameInfluenceAndAChangedCanaryIsRefused()
            throws Exception {
        List<TrainedModelRecord> models =
                Records.readAll(out.resolve("models.jsonl"), TrainedModelRecord.class);
        assertThat(models)
                .extracting(TrainedModelRecord::name)
                .containsExactly("full", "without-" + metered, "seed-43");
        String before = Files.readString(out.resolve("influence.jsonl"));
        Cli.Result r = Cli.run(meterArgs("--resume")).exits(0).noStackTrace();
        assertThat(r.err()).doesNotContain("training full");
        assertThat(Files.readString(out.resolve("influence.jsonl"))).isEqualTo(before);

        Path weights = out.resolve("models/seed-43/model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.seek(f.length() - 4);
            int x = f.read();
            f.seek(f.length() - 4);
            f.write(x ^ 0x55);
        }
        Cli.run(meterArgs("--resume")).exits(5);
        assertThat(
                        Files.list(out.resolve("models"))
                                .map(p -> p.getFileName().toString())
                                .collect(Collectors.toSet()))
                .contains("full", "seed-43");
    }

    @Test
    void validationComparesBothApproximationsWithTheExactCounterfactuals() throws Exception {
        Path v = tmp.resolve("validate");
        Cli.Result r =
                Cli.run(
                                "meter",
                                "validate",
                                "--exact",
                                out.toString(),
                                "--out",
                                v.toString(),
                                "--steps",
                                "10",
                                "--learning-rate",
                                "0.3")
                        .exits(0)
                        .noStackTrace();
        assertThat(r.out()).contains("unlearn").contains("gradient").contains("Spearman");
        ValidationSummary s = Records.read(v.resolve("validation.json"), ValidationSummary.class);
        assertThat(s.exactInfluenceSha256()).isEqualTo(Sha256.of(out.resolve("influence.jsonl")));
        assertThat(s.canaryWeightsSha256())
                .isEqualTo(Sha256.of(out.resolve("models/full/model.safetensors")));
        assertThat(s.methods())
                .extracting(ValidationSummary.MethodAgreement::method)
                .containsExactly("unlearn", "gradient");
        for (ValidationSummary.MethodAgreement m : s.methods()) {
            // every exact pair was measured by the approximation too
            assertThat(m.pairs()).isEqualTo(influence.size());
            assertThat(m.works()).isEqualTo(1);
            for (ValidationSummary.Estimate e : List.of(m.pearson(), m.spearman())) {
                assertThat(e.value()).isBetween(-1.0, 1.0);
                assertThat(e.low()).isLessThanOrEqualTo(e.value());
                assertThat(e.high()).isGreaterThanOrEqualTo(e.value());
            }
            // one metered work: no behaviour has more than k = 1 works to rank
            assertThat(m.topKAgreement()).isNull();
            assertThat(m.ownSignAgreement()).isNotNull();
            List<InfluenceRecord> est =
                    Records.readAll(
                            v.resolve(m.folder()).resolve("influence.jsonl"),
                            InfluenceRecord.class);
            assertThat(est).hasSize(influence.size());
            assertThat(est).allSatisfy(x -> assertThat(x.method()).isEqualTo(m.method()));
        }
        // unlearning the work lowers its own text's likelihood more than held-out background's
        List<InfluenceRecord> unlearn =
                Records.readAll(v.resolve("unlearn/influence.jsonl"), InfluenceRecord.class);
        double own = meanPerToken(unlearn, "own");
        double unrelated = meanPerToken(unlearn, "unrelated");
        assertThat(own).isGreaterThan(unrelated);
        assertThat(own).isPositive();
    }

    private static double meanPerToken(List<InfluenceRecord> rs, String kind) {
        return rs.stream()
                .filter(x -> x.behaviourKind().equals(kind))
                .mapToDouble(InfluenceRecord::deltaPerToken)
                .average()
                .orElseThrow();
    }
}
