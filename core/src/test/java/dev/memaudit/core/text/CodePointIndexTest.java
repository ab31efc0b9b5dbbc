package dev.memaudit.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CodePointIndexTest {

    @Test
    void stringWithoutSurrogatesMapsOneToOne() {
        CodePointIndex index = CodePointIndex.of("héllo");
        assertThat(index.hasSupplementary()).isFalse();
        assertThat(index.codePointCount()).isEqualTo(5);
        assertThat(index.toUtf16(5)).isEqualTo(5);
        assertThat(index.toCodePoint(3)).isEqualTo(3);
        assertThat(index.substring(1, 4)).isEqualTo("éll");
    }

    @Test
    void supplementaryCodePointsCountOnce() {
        String text = "a😀b𝐀𝐁c";
        CodePointIndex index = CodePointIndex.of(text);
        assertThat(index.hasSupplementary()).isTrue();
        assertThat(index.codePointCount()).isEqualTo(6);
        int[] utf16 = {0, 1, 3, 4, 6, 8, 9};
        for (int cp = 0; cp <= 6; cp++) {
            assertThat(index.toUtf16(cp)).as("cp %d", cp).isEqualTo(utf16[cp]);
            assertThat(index.toCodePoint(utf16[cp])).as("utf16 %d", utf16[cp]).isEqualTo(cp);
        }
        assertThat(index.substring(1, 2)).isEqualTo("😀");
        assertThat(index.substring(3, 6)).isEqualTo("𝐀𝐁c");
        assertThat(CodePoints.substring(text, 3, 6)).isEqualTo("𝐀𝐁c");
        assertThat(CodePoints.substring(text, 6, 6)).isEmpty();
    }

    @Test
    void rejectsOutOfRangeAndSplitPairs() {
        CodePointIndex index = CodePointIndex.of("a😀");
        assertThatThrownBy(() -> index.toUtf16(3))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("code point offset must be between 0 and 2, got 3");
        assertThatThrownBy(() -> index.toCodePoint(2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("splits a surrogate pair");
        assertThatThrownBy(() -> index.toCodePoint(-1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> index.substring(2, 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> CodePoints.substring("a😀", 1, 3))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("exceeds the text's 2 code points");
        assertThatThrownBy(() -> CodePoints.substring("abc", -1, 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void agreesWithStringOnRandomTexts() {
        Random random = new Random(20261125L);
        char[] pool = {'a', 'é', ' ', '\uD83D', '\uDE00', '\uD835', '\uDC00', '\uDBFF', '\uDFFF'};
        for (int round = 0; round < 2000; round++) {
            char[] chars = new char[random.nextInt(30)];
            for (int k = 0; k < chars.length; k++) {
                chars[k] = pool[random.nextInt(pool.length)];
            }
            String text = new String(chars); // may hold unpaired surrogates
            CodePointIndex index = CodePointIndex.of(text);
            int count = text.codePointCount(0, text.length());
            assertThat(index.codePointCount()).isEqualTo(count);
            for (int cp = 0; cp <= count; cp++) {
                int expected = text.offsetByCodePoints(0, cp);
                assertThat(index.toUtf16(cp)).isEqualTo(expected);
                assertThat(index.toCodePoint(expected)).isEqualTo(cp);
            }
            int a = random.nextInt(count + 1);
            int b = a + random.nextInt(count - a + 1);
            String expected =
                    text.substring(text.offsetByCodePoints(0, a), text.offsetByCodePoints(0, b));
            assertThat(index.substring(a, b)).isEqualTo(expected);
            assertThat(CodePoints.substring(text, a, b)).isEqualTo(expected);
        }
    }
}
