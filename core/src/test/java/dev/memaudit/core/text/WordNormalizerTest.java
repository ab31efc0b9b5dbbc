package dev.memaudit.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordNormalizerTest {

    /** One expected word: its normalized form and its code point range in the text. */
    private record W(String form, int start, int end) {
        @Override
        public String toString() {
            return form + "[" + start + "," + end + ")";
        }
    }

    private static W w(String form, int start, int end) {
        return new W(form, start, end);
    }

    /** The words of {@code text} as normalize reports them, forms taken from key(). */
    private static List<W> words(String text) {
        NormalizedWords words = WordNormalizer.normalize(text);
        List<W> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            int s = words.starts()[i];
            int e = words.ends()[i];
            String form = WordNormalizer.key(text, s, e);
            assertThat(WordNormalizer.hash(form))
                    .as("hash of word %d %s of %s", i, form, text)
                    .isEqualTo(words.hashes()[i]);
            out.add(w(form, s, e));
        }
        return out;
    }

    private static long hashOfOnlyWord(String text) {
        NormalizedWords words = WordNormalizer.normalize(text);
        assertThat(words.size()).as("words of %s", text).isEqualTo(1);
        return words.hashes()[0];
    }

    @Test
    void plainAscii() {
        assertThat(words("The quick brown fox, jumped."))
                .containsExactly(
                        w("the", 0, 3),
                        w("quick", 4, 9),
                        w("brown", 10, 15),
                        w("fox", 16, 19),
                        w("jumped", 21, 27));
    }

    @Test
    void crlfLineEndings() {
        assertThat(words("One line\r\nTwo\r\n\r\nThree"))
                .containsExactly(
                        w("one", 0, 3), w("line", 4, 8), w("two", 10, 13), w("three", 17, 22));
    }

    @Test
    void curlyQuotesAndApostrophes() {
        String text = "“Don’t,” she said. ‘It’s the dog’s.’";
        assertThat(words(text))
                .containsExactly(
                        w("dont", 1, 6),
                        w("she", 9, 12),
                        w("said", 13, 17),
                        w("its", 20, 24),
                        w("the", 25, 28),
                        w("dogs", 29, 34));
        long dont = hashOfOnlyWord("don't");
        for (String variant :
                List.of("don’t", "donʼt", "don‘t", "don`t", "don´t", "don＇t", "dont", "DON'T")) {
            assertThat(hashOfOnlyWord(variant)).as(variant).isEqualTo(dont);
        }
        // quotes around a word are not part of it, apostrophes not between letters separate
        assertThat(words("'tis o' the 'x'"))
                .containsExactly(w("tis", 1, 4), w("o", 5, 6), w("the", 8, 11), w("x", 13, 14));
        assertThat(words("a''b")).containsExactly(w("a", 0, 1), w("b", 3, 4));
    }

    @Test
    void emDashesEnDashesAndDoubleHyphensSeparate() {
        assertThat(words("yes—no – maybe--perhaps―fine‒ok﹘x"))
                .containsExactly(
                        w("yes", 0, 3),
                        w("no", 4, 6),
                        w("maybe", 9, 14),
                        w("perhaps", 16, 23),
                        w("fine", 24, 28),
                        w("ok", 29, 31),
                        w("x", 32, 33));
    }

    @Test
    void inLineHyphenCompounds() {
        assertThat(words("a well-known state‐of‐the‐art non‑stop COVID-19 x- -y"))
                .containsExactly(
                        w("a", 0, 1),
                        w("wellknown", 2, 12),
                        w("stateoftheart", 13, 29),
                        w("nonstop", 30, 38),
                        w("covid19", 39, 47),
                        w("x", 48, 49),
                        w("y", 52, 53));
        assertThat(hashOfOnlyWord("well-known")).isEqualTo(hashOfOnlyWord("wellknown"));
        assertThat(hashOfOnlyWord("co\u00ADoper\u00ADate")).isEqualTo(hashOfOnlyWord("cooperate"));
        assertThat(words("co\u00ADoperate")).containsExactly(w("cooperate", 0, 10));
    }

    @Test
    void hyphenationAtLineEndsIsRepaired() {
        assertThat(words("an exam-\nple here"))
                .containsExactly(w("an", 0, 2), w("example", 3, 12), w("here", 13, 17));
        assertThat(words("an exam-\r\nple")).containsExactly(w("an", 0, 2), w("example", 3, 13));
        assertThat(words("exam- \t\n  ple")).containsExactly(w("example", 0, 13));
        assertThat(words("exam-\rple")).containsExactly(w("example", 0, 9));
        assertThat(words("exam\u2010\u2028ple")).containsExactly(w("example", 0, 9));
        assertThat(words("exam\u00AD\u0085ple")).containsExactly(w("example", 0, 9));
        // not a line-end hyphenation: blank line, digit after the break, no break, dash
        assertThat(words("exam-\n\nple")).containsExactly(w("exam", 0, 4), w("ple", 7, 10));
        assertThat(words("page-\n12")).containsExactly(w("page", 0, 4), w("12", 6, 8));
        assertThat(words("exam- ple")).containsExactly(w("exam", 0, 4), w("ple", 6, 9));
        assertThat(words("exam—\nple")).containsExactly(w("exam", 0, 4), w("ple", 6, 9));
    }

    @Test
    void nonBmpCharactersCountAsOneCodePoint() {
        // the emoji is two UTF-16 chars but one code point
        assertThat(words("hi 😀 there 😀 you"))
                .containsExactly(w("hi", 0, 2), w("there", 5, 10), w("you", 13, 16));
        assertThat(words("big 𝐁𝐨𝐥𝐝 end"))
                .containsExactly(w("big", 0, 3), w("bold", 4, 8), w("end", 9, 12));
        assertThat(hashOfOnlyWord("𝐁𝐨𝐥𝐝")).isEqualTo(hashOfOnlyWord("bold"));
        // CJK Extension B ideographs (U+20000, U+2A6D6) are one word each
        assertThat(words("a𠀀𪛖b"))
                .containsExactly(w("a", 0, 1), w("𠀀", 1, 2), w("𪛖", 2, 3), w("b", 3, 4));
    }

    @Test
    void ideographsAndKanaAreOneWordEach() {
        assertThat(words("漢字とカナ、2024年"))
                .containsExactly(
                        w("漢", 0, 1),
                        w("字", 1, 2),
                        w("と", 2, 3),
                        w("カ", 3, 4),
                        w("ナ", 4, 5),
                        w("2024", 6, 10),
                        w("年", 10, 11));
        // halfwidth katakana with a voiced sound mark equals the fullwidth precomposed letter
        assertThat(words("ｶﾞ")).containsExactly(w("ガ", 0, 2));
        assertThat(hashOfOnlyWord("ｶﾞ")).isEqualTo(hashOfOnlyWord("ガ"));
        assertThat(hashOfOnlyWord("か\u3099")).isEqualTo(hashOfOnlyWord("が"));
    }

    @Test
    void fullwidthLettersAndDigits() {
        assertThat(words("ＡＢＣ１２３ def")).containsExactly(w("abc123", 0, 6), w("def", 7, 10));
    }

    @Test
    void ligaturesAndCaseFolding() {
        assertThat(words("ﬁne ﬂow Straße"))
                .containsExactly(w("fine", 0, 3), w("flow", 4, 7), w("strasse", 8, 14));
        assertThat(hashOfOnlyWord("ﬁne")).isEqualTo(hashOfOnlyWord("fine"));
        assertThat(hashOfOnlyWord("Straße")).isEqualTo(hashOfOnlyWord("STRASSE"));
    }

    @Test
    void combiningAndPrecomposedAccentsHashTheSame() {
        assertThat(words("café au")).containsExactly(w("café", 0, 4), w("au", 5, 7));
        assertThat(words("cafe\u0301 au")).containsExactly(w("café", 0, 5), w("au", 6, 8));
        assertThat(hashOfOnlyWord("café")).isEqualTo(hashOfOnlyWord("cafe\u0301"));
        assertThat(hashOfOnlyWord("CAFÉ")).isEqualTo(hashOfOnlyWord("cafe\u0301"));
        // a combining mark without a base letter (after an emoji) is not a word
        assertThat(words("❤\uFE0F love")).containsExactly(w("love", 3, 7));
    }

    @Test
    void formatCharacters() {
        assertThat(words("\uFEFFHello world")).containsExactly(w("hello", 1, 6), w("world", 7, 12));
        // ZWJ, ZWNJ, word joiner and U+FEFF inside a word are dropped; a trailing one is not in
        // the range
        assertThat(words("a\u200Db\u200Cc\u2060d\uFEFFe\u200D f"))
                .containsExactly(w("abcde", 0, 9), w("f", 11, 12));
        // the zero width space separates
        assertThat(words("a\u200Bb")).containsExactly(w("a", 0, 1), w("b", 2, 3));
    }

    @Test
    void noWords() {
        assertThat(words("")).isEmpty();
        assertThat(words(" \t\r\n... — !!! ?“” 😀 ©")).isEmpty();
        assertThat(words("\uFEFF")).isEmpty();
        assertThat(words("\u3164")).isEmpty(); // a Hangul filler normalizes to nothing
    }

    @Test
    void digits() {
        assertThat(words("1,000 and 3.14"))
                .containsExactly(
                        w("1", 0, 1),
                        w("000", 2, 5),
                        w("and", 6, 9),
                        w("3", 10, 11),
                        w("14", 12, 14));
        assertThat(words("① ½")).containsExactly(w("1", 0, 1), w("1⁄2", 2, 3));
    }

    @Test
    void greekAndCyrillicAreCaseFolded() {
        assertThat(words("ΣΟΦΙΑ Москва")).containsExactly(w("σοφια", 0, 5), w("москва", 6, 12));
    }

    @Test
    void keyRejectsRangesThatAreNotOneWord() {
        assertThat(WordNormalizer.key("say don’t now", 4, 9)).isEqualTo("dont");
        assertThat(WordNormalizer.key(CodePointIndex.of("😀 Hi"), 2, 4)).isEqualTo("hi");
        assertThatThrownBy(() -> WordNormalizer.key("two words", 0, 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 9)");
        assertThatThrownBy(() -> WordNormalizer.key(" word", 0, 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WordNormalizer.key("word", 0, 5))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void hashIsFnv1aThenFmix64() {
        // FNV-1a 64 of the empty input is the offset basis; fmix64 of it, computed by hand
        long h = 0xcbf29ce484222325L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        assertThat(WordNormalizer.hash("")).isEqualTo(h);
        assertThat(WordNormalizer.hash("a")).isNotEqualTo(WordNormalizer.hash("b"));
        assertThat(WordNormalizer.hash(new StringBuilder("word")))
                .isEqualTo(WordNormalizer.hash("word"));
    }

    @Test
    void arraysGrowForLongTexts() {
        String text = "ab ".repeat(100_000);
        NormalizedWords words = WordNormalizer.normalize(text);
        assertThat(words.size()).isEqualTo(100_000);
        assertThat(words.starts()[99_999]).isEqualTo(299_997);
        assertThat(words.ends()[99_999]).isEqualTo(299_999);
    }
}
