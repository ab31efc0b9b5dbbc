package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Word similarity and ROUGE-L of an attempt against its true suffix, worked by hand: words are the
 * project's normalized words, so case, quotes and whitespace do not count.
 */
class WordMatchTest {
    private static final String TRUTH = "the kiln cooled slowly over the long night";

    @Test
    void identicalWordsAreSimilarityOneWhateverTheCaseAndSpacing() {
        WordMatch m = WordMatch.of("The  KILN cooled\nslowly over the long night", TRUTH);
        assertThat(m.words()).isEqualTo(8);
        assertThat(m.truthWords()).isEqualTo(8);
        assertThat(m.editDistance()).isZero();
        assertThat(m.similarity()).isEqualTo(1.0);
        assertThat(m.rougeL()).isEqualTo(1.0);
    }

    @Test
    void oneSubstitution() {
        // "slowly" → "quickly": distance 1 of 8 words; LCS 7 of 8 and 8
        WordMatch m = WordMatch.of("the kiln cooled quickly over the long night", TRUTH);
        assertThat(m.editDistance()).isEqualTo(1);
        assertThat(m.lcs()).isEqualTo(7);
        assertThat(m.similarity()).isEqualTo(1 - 1.0 / 8); // 0.875
        assertThat(m.rougeL()).isEqualTo(2.0 * 7 / 16); // P = R = 7/8
    }

    @Test
    void oneInsertion() {
        // "very" inserted: 9 generated words against 8; distance 1, longer length 9; LCS 8
        WordMatch m = WordMatch.of("the kiln cooled very slowly over the long night", TRUTH);
        assertThat(m.words()).isEqualTo(9);
        assertThat(m.editDistance()).isEqualTo(1);
        assertThat(m.lcs()).isEqualTo(8);
        assertThat(m.similarity()).isCloseTo(1 - 1.0 / 9, within(1e-12)); // 0.8889
        // P = 8/9, R = 1: F1 = 2 · (8/9) / (17/9) = 16/17
        assertThat(m.rougeL()).isCloseTo(16.0 / 17, within(1e-12));
    }

    @Test
    void aDeletionAndASwapCountAsEditsButTheLcsKeepsTheOrder() {
        // "night long" swapped, "over" dropped: the kiln cooled slowly the night long (7 words)
        // distance: delete "over", substitute long→night, night→long = 3; LCS = 6
        WordMatch m = WordMatch.of("the kiln cooled slowly the night long", TRUTH);
        assertThat(m.editDistance()).isEqualTo(3);
        assertThat(m.lcs()).isEqualTo(6);
        assertThat(m.similarity()).isEqualTo(1 - 3.0 / 8);
        assertThat(m.rougeL()).isCloseTo(2.0 * 6 / 15, within(1e-12));
    }

    @Test
    void anEmptyGenerationIsSimilarityZeroAndAnEmptyTruthIsNotMeasured() {
        WordMatch empty = WordMatch.of(" ... ", TRUTH);
        assertThat(empty.words()).isZero();
        assertThat(empty.editDistance()).isEqualTo(8);
        assertThat(empty.similarity()).isEqualTo(0.0);
        assertThat(empty.rougeL()).isEqualTo(0.0);
        assertThat(empty.near(false, 0.5)).isFalse();

        // a suffix of punctuation only has no word: the ratio is undefined, not 0 or 1
        WordMatch noTruth = WordMatch.of("anything at all", "—!?");
        assertThat(noTruth.truthWords()).isZero();
        assertThat(noTruth.similarity()).isNull();
        assertThat(noTruth.rougeL()).isNull();
        assertThat(noTruth.near(false, 0.8)).isFalse();
        assertThat(noTruth.near(true, 0.8)).isTrue();
    }

    @Test
    void nearAtTheThresholdBoundaryAndEveryExactAttemptIsNear() {
        // 10 words, one substituted: similarity exactly 0.9
        String truth = "one two three four five six seven eight nine ten";
        WordMatch m = WordMatch.of("one two three four five six seven eight nine eleven", truth);
        assertThat(m.similarity()).isEqualTo(0.9);
        assertThat(m.near(false, 0.9)).isTrue();
        assertThat(m.near(false, Math.nextUp(0.9))).isFalse();
        // 5 words, one substituted: 0.8 at the default threshold
        WordMatch five = WordMatch.of("a b c d x", "a b c d e");
        assertThat(five.similarity()).isEqualTo(0.8);
        assertThat(five.near(false, 0.8)).isTrue();
        assertThat(five.near(false, 0.81)).isFalse();
        // exact is near whatever the threshold
        assertThat(five.near(true, 1.0)).isTrue();
    }
}
