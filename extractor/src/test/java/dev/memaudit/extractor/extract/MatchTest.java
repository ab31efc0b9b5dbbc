package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MatchTest {
    @Test
    void exactMatch() {
        Match m = Match.of(new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 4});
        assertThat(m).isEqualTo(new Match(true, 4, 1.0, 0));
    }

    @Test
    void oneTokenWrongInTheMiddle() {
        Match m = Match.of(new int[] {1, 2, 9, 4, 5, 6}, new int[] {1, 2, 3, 4, 5, 6});
        assertThat(m.exact()).isFalse();
        assertThat(m.longestCommonTokenRun()).isEqualTo(3); // 4 5 6
        assertThat(m.tokenMatchShare()).isEqualTo(5 / 6.0);
        assertThat(m.editDistance()).isEqualTo(1);
    }

    @Test
    void shiftedByOneTokenSharesARunButFewPositions() {
        Match m = Match.of(new int[] {7, 1, 2, 3, 4}, new int[] {1, 2, 3, 4, 5});
        assertThat(m.longestCommonTokenRun()).isEqualTo(4);
        assertThat(m.tokenMatchShare()).isZero();
        assertThat(m.editDistance()).isEqualTo(2); // insert 7, drop 5
    }

    @Test
    void shortGenerationIsNotExact() {
        Match m = Match.of(new int[] {1, 2}, new int[] {1, 2, 3});
        assertThat(m.exact()).isFalse();
        assertThat(m.tokenMatchShare()).isEqualTo(2 / 3.0);
        assertThat(m.editDistance()).isEqualTo(1);
    }

    @Test
    void longerGenerationIsComparedOnTheSuffixLength() {
        Match m = Match.of(new int[] {1, 2, 3, 8, 8}, new int[] {1, 2, 3});
        assertThat(m.exact()).isTrue();
        assertThat(m.editDistance()).isZero();
    }
}
