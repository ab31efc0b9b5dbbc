package dev.memaudit.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Checks the invariants of {@link WordNormalizer} on many generated texts (fixed seed). */
class WordNormalizerRandomizedTest {
    private static final long SEED = 0x5eed_2026L;

    /** Pieces texts are built from: everything the rules treat specially, and plain prose. */
    private static final List<String> PIECES =
            List.of(
                    "a",
                    "Z",
                    "word",
                    "Words",
                    "7",
                    "42",
                    " ",
                    " ",
                    "  ",
                    "\t",
                    "\n",
                    "\r\n",
                    "\r",
                    "\u2028",
                    "\u0085",
                    ".",
                    ",",
                    "!",
                    "\"",
                    "(",
                    ")",
                    "'",
                    "`",
                    "’",
                    "‘",
                    "ʼ",
                    "´",
                    "＇",
                    "-",
                    "-",
                    "--",
                    "‐",
                    "‑",
                    "–",
                    "—",
                    "―",
                    "\u00AD",
                    "\u200D",
                    "\u200C",
                    "\u2060",
                    "\uFEFF",
                    "\u200B",
                    "\u0301",
                    "\u0308",
                    "\uFE0F",
                    "é",
                    "e\u0301",
                    "ß",
                    "ẞ",
                    "ﬁ",
                    "ﬂ",
                    "Ａ",
                    "ｂ",
                    "１",
                    "𝐀",
                    "𝐛",
                    "😀",
                    "👍🏽",
                    "漢",
                    "字",
                    "𠀀",
                    "か",
                    "\u3099",
                    "カ",
                    "ｶ",
                    "ﾞ",
                    "ー",
                    "〇",
                    "\u3164",
                    "Σ",
                    "ς",
                    "ж",
                    "Ж",
                    "ا",
                    "ب",
                    "\u064E",
                    "İ",
                    "ı",
                    "Ǆ",
                    "①",
                    "½",
                    "Ⅻ",
                    "©",
                    "€",
                    "\uD800",
                    "\uDC00",
                    "ﬀ",
                    "™",
                    "x-\ny",
                    "x-\r\n y",
                    "a’b",
                    "¹",
                    "ǅ");

    @Test
    void keysHashToTheReportedHashesAndOffsetsAreOrdered() {
        Random random = new Random(SEED);
        int wordsChecked = 0;
        for (int round = 0; round < 3000; round++) {
            StringBuilder sb = new StringBuilder();
            int pieces = random.nextInt(40);
            for (int p = 0; p < pieces; p++) {
                sb.append(PIECES.get(random.nextInt(PIECES.size())));
            }
            String text = sb.toString();
            CodePointIndex index = CodePointIndex.of(text);
            int cpCount = text.codePointCount(0, text.length());
            NormalizedWords words = WordNormalizer.normalize(text);
            int previousEnd = 0;
            for (int i = 0; i < words.size(); i++) {
                int s = words.starts()[i];
                int e = words.ends()[i];
                String where = "word " + i + " [" + s + "," + e + ") of " + escape(text);
                assertThat(s).as(where).isGreaterThanOrEqualTo(previousEnd).isLessThan(e);
                assertThat(e).as(where).isLessThanOrEqualTo(cpCount);
                String key = WordNormalizer.key(text, s, e);
                assertThat(key).as(where).isNotEmpty();
                assertThat(WordNormalizer.hash(key)).as(where).isEqualTo(words.hashes()[i]);
                assertThat(WordNormalizer.key(index, s, e)).as(where).isEqualTo(key);
                // the word's range, normalized on its own, is that same single word
                NormalizedWords alone = WordNormalizer.normalize(CodePoints.substring(text, s, e));
                assertThat(alone.size()).as(where).isEqualTo(1);
                assertThat(alone.hashes()[0]).as(where).isEqualTo(words.hashes()[i]);
                previousEnd = e;
                wordsChecked++;
            }
        }
        assertThat(wordsChecked).isGreaterThan(10_000);
    }

    @Test
    void asciiFastPathAgreesWithIcu() {
        Random random = new Random(SEED + 1);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (int round = 0; round < 2000; round++) {
            int length = 1 + random.nextInt(12);
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < length; k++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String word = sb.toString();
            long fast = WordNormalizer.normalize(word).hashes()[0];
            // a trailing combining grapheme joiner (dropped by NFKC_Casefold) forces the ICU path
            long viaIcu = WordNormalizer.normalize(word + "\u034F").hashes()[0];
            assertThat(fast).as(word).isEqualTo(viaIcu);
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints()
                .forEach(
                        c -> {
                            if (c < 0x20 || c > 0x7E) {
                                sb.append(String.format(java.util.Locale.ROOT, "\\u{%X}", c));
                            } else {
                                sb.append((char) c);
                            }
                        });
        return sb.toString();
    }
}
