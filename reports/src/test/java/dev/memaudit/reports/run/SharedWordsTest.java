package dev.memaudit.reports.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SharedWordsTest {
    private static String render(List<Passage.Segment> segs) {
        return segs.stream()
                .map(s -> s.shared() ? "[" + s.text() + "]" : s.text())
                .collect(Collectors.joining());
    }

    @Test
    void marksTheCommonWordsInOrderCaseFolded() {
        var sides =
                SharedWords.highlight("the quick brown fox jumps", "The quick red fox jumps high");
        assertThat(render(sides.get(0))).isEqualTo("[the quick] brown [fox jumps]");
        assertThat(render(sides.get(1))).isEqualTo("[The quick] red [fox jumps] high");
    }

    @Test
    void keepsEveryCharacterIncludingSupplementaryOnes() {
        String a = "🍎 apple, pear";
        var sides = SharedWords.highlight(a, "pear");
        assertThat(sides.get(0).stream().map(Passage.Segment::text).collect(Collectors.joining()))
                .isEqualTo(a);
        assertThat(render(sides.get(0))).isEqualTo("🍎 apple, [pear]");
    }

    @Test
    void nothingSharedGivesOneUnmarkedSegment() {
        var sides = SharedWords.highlight("abc", "xyz");
        assertThat(sides.get(0)).containsExactly(new Passage.Segment("abc", false));
    }
}
