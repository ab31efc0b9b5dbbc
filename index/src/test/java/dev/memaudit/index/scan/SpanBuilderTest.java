package dev.memaudit.index.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.text.WordNormalizer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpanBuilderTest {
    private static final String ALNUM =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /** The shortcut is sound only if the normalizer maps such words to the same form. */
    @Test
    void asciiWordsEqualUpToCaseHaveTheSameNormalizedForm() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 2000; i++) {
            StringBuilder a = new StringBuilder();
            StringBuilder b = new StringBuilder();
            for (int c = 1 + r.nextInt(12); c > 0; c--) {
                char ch = ALNUM.charAt(r.nextInt(ALNUM.length()));
                a.append(ch);
                b.append(r.nextBoolean() ? Character.toUpperCase(ch) : Character.toLowerCase(ch));
            }
            String x = a.toString();
            String y = b.toString();
            assertThat(SpanBuilder.asciiAlnumIgnoringCase(x, 0, y, 0, x.length())).isTrue();
            assertThat(WordNormalizer.key(x, 0, x.length()))
                    .isEqualTo(WordNormalizer.key(y, 0, y.length()));
        }
    }

    @Test
    void anythingElseTakesTheNormalizer() {
        assertThat(SpanBuilder.asciiAlnumIgnoringCase("Dont", 0, "dont", 0, 4)).isTrue();
        assertThat(SpanBuilder.asciiAlnumIgnoringCase("don't", 0, "DON'T", 0, 5)).isFalse();
        assertThat(SpanBuilder.asciiAlnumIgnoringCase("café", 0, "CAFÉ", 0, 4)).isFalse();
        assertThat(SpanBuilder.asciiAlnumIgnoringCase("word1", 0, "word2", 0, 5)).isFalse();
        assertThat(SpanBuilder.asciiAlnumIgnoringCase("a0", 0, "A", 0, 1)).isTrue();
        assertThat(SpanBuilder.asciiAlnumIgnoringCase("x-y", 0, "X-Y", 0, 3)).isFalse();
        // folding by bit 0x20 must not equate a digit with a letter or '@' with a backquote
        assertThat(SpanBuilder.asciiAlnumIgnoringCase("0", 0, "P", 0, 1)).isFalse();
        assertThat(SpanBuilder.asciiAlnumIgnoringCase("@", 0, "`", 0, 1)).isFalse();
    }
}
