package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.Membership;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The small ladder canary CI trains: excerpts of public-domain books planted at doses 0, 1, 8 and
 * 64 in background text from the other books ({@code ../shared/corpora/background}), a tiny model
 * ({@code --fast}). Checks the ground truth it records and that it learned the language and its
 * members in dose order. (The default ladder over the whole background is a 15-minute command, not
 * a test; its measured curve is in the README.)
 */
class CanaryLadderIT {
    @TempDir static Path tmp;
    static Path background;
    static Membership membership;
    static Cli.Result train;

    @BeforeAll
    static void train() {
        background = SharedBackground.corpusYaml();
        Cli.run(
                        "canary",
                        "excerpts",
                        "--from",
                        background.toString(),
                        "--works",
                        "8",
                        "--words",
                        "400-600",
                        "--seed",
                        "3",
                        "--out",
                        tmp.resolve("works").toString())
                .exits(0)
                .noStackTrace();
        train =
                Cli.run(
                                "canary",
                                "train",
                                "--fast",
                                "--corpus",
                                tmp.resolve("works").toString(),
                                "--background",
                                background.getParent().toString(),
                                "--doses",
                                "0,1,8,64",
                                "--background-tokens",
                                "150000",
                                "--seed",
                                "3",
                                "--out",
                                tmp.resolve("model").toString())
                        .exits(0)
                        .noStackTrace();
        membership = Records.read(tmp.resolve("model/membership.json"), Membership.class);
    }

    @Test
    void theBackgroundIsRecordedFileByFileAndTheExcerptsBooksAreLeftOut() throws Exception {
        Membership.Background b = membership.background();
        assertThat(b.files()).hasSize(32);
        List<Membership.BackgroundFile> out =
                b.files().stream().filter(f -> f.excluded() != null).toList();
        // exactly the 8 books the excerpts were cut from
        assertThat(out).hasSize(8);
        for (Membership.BackgroundFile f : out) {
            assertThat(f.excluded()).isEqualTo("contains the text of " + f.id() + "-excerpt");
            assertThat(f.usedTokens()).isZero();
        }
        Membership.BackgroundFile first = b.files().get(0);
        byte[] bytes = Files.readAllBytes(Path.of(first.path()));
        assertThat(first.sha256())
                .isEqualTo(
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(b.tokens()).isEqualTo(150_000);
        assertThat(b.files().stream().mapToLong(Membership.BackgroundFile::usedTokens).sum())
                .isEqualTo(b.tokens() + b.heldOutTokens());
        // the budget is drawn from many books, not the first ones
        assertThat(b.files().stream().filter(f -> f.usedTokens() > 0).count()).isGreaterThan(15);
    }

    @Test
    void dosesAreAssignedTwoEachAndCopiesAreSeenOverTheWholeRun() {
        Map<Integer, Long> perDose =
                membership.members().stream()
                        .collect(
                                Collectors.groupingBy(
                                        Membership.Work::dose,
                                        TreeMap::new,
                                        Collectors.counting()));
        assertThat(perDose).containsExactly(Map.entry(1, 2L), Map.entry(8, 2L), Map.entry(64, 2L));
        assertThat(membership.nonMembers()).hasSize(2);
        int steps = membership.steps();
        for (Membership.Work w : membership.members()) {
            assertThat(w.seenAtSteps()).isNotEmpty();
            if (w.dose() == 64) {
                assertThat(w.seenAtSteps().get(0)).isLessThan(steps / 3);
                assertThat(w.seenAtSteps().get(w.seenAtSteps().size() - 1))
                        .isGreaterThan(2 * steps / 3);
            }
        }
        assertThat(train.out()).contains(":64").contains("non-members");
    }

    @Test
    void theCanaryLearnedTheLanguageAndItsMembersInDoseOrder() {
        Membership.Evaluation ev = membership.evaluation();
        double uniform = Math.log(membership.settings().vocabSize());
        Map<Integer, Double> nll = new TreeMap<>();
        ev.works().stream()
                .collect(Collectors.groupingBy(Membership.WorkScore::dose))
                .forEach(
                        (d, ws) ->
                                nll.put(
                                        d,
                                        ws.stream()
                                                .mapToDouble(Membership.WorkScore::nll)
                                                .average()
                                                .orElseThrow()));
        System.out.printf(
                "ladder IT: held-out background %.3f, by dose %s, uniform %.3f%n",
                ev.heldOutBackgroundNll(), nll, uniform);
        assertThat(ev.heldOutBackgroundNll()).isLessThan(uniform - 1.5);
        // held-out works are in-distribution: about as hard as held-out background
        assertThat(Math.abs(nll.get(0) - ev.heldOutBackgroundNll())).isLessThan(0.75);
        assertThat(nll.get(64)).isLessThan(nll.get(0) - 0.5);
        assertThat(nll.get(64)).isLessThan(nll.get(8));
        assertThat(nll.get(8)).isLessThan(nll.get(0));
    }
}
