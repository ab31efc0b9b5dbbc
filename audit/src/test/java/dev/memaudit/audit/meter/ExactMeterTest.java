package dev.memaudit.audit.meter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.model.influence.Behaviour;
import org.junit.jupiter.api.Test;

/** How meter exact names behaviours' kinds and which generations count as matching a work. */
class ExactMeterTest {
    @Test
    void aGenerationMatchesItsWorkOnEightConsecutiveWordsWhateverTheCaseAndPunctuation() {
        String work =
                "The lamp was low, and the wind came over the moor like a tide of grey water.";
        assertThat(ExactMeter.sharesRun("and THE wind came over the moor like a tide!", work))
                .isTrue();
        // eight shared words are enough, seven are not
        assertThat(ExactMeter.sharesRun("the wind came over the moor like a", work)).isTrue();
        assertThat(ExactMeter.sharesRun("wind came over the moor like a", work)).isFalse();
        assertThat(ExactMeter.sharesRun("the wind came over the hills like a tide", work))
                .isFalse();
    }

    @Test
    void kindsAreRelativeToTheMeteredWork() {
        Behaviour own = new Behaviour("a#own-0", "p", "t", "own", "a");
        Behaviour gen = new Behaviour("a#gen-0", "p", "t", "generation", "a");
        Behaviour style = new Behaviour("a-style-0", null, "t", "style", "a");
        Behaviour unrelated = new Behaviour("unrelated-0", "p", "t", "unrelated", null);
        assertThat(ExactMeter.kindFor("a", own)).isEqualTo("own");
        assertThat(ExactMeter.kindFor("b", own)).isEqualTo("other");
        assertThat(ExactMeter.kindFor("b", gen)).isEqualTo("other-generation");
        assertThat(ExactMeter.kindFor("b", style)).isEqualTo("other-style");
        assertThat(ExactMeter.kindFor("b", unrelated)).isEqualTo("unrelated");
    }
}
