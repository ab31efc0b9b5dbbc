package dev.memaudit.model.testing;

/**
 * Non-BMP, multi-byte, CRLF and whitespace-heavy text written for tests of tokenizer offsets:
 * emoji, mathematical and Gothic letters (outside the BMP), CJK and Hangul, combining marks, ZWJ
 * sequences, CRLF and lone LF, tabs, runs of spaces, leading and trailing spaces.
 */
public final class TrickyText {
    private TrickyText() {}

    /** The text. */
    public static final String TEXT =
            "  Leading spaces, then “quotes” — dashes… and café naïve Ærøskøbing.\r\n"
                    + "\r\n\r\n\tTabs\t\tand   runs of   spaces   \r\n"
                    + "日本語のテキスト、中文文本。 한국어 텍스트, spaced: 日 本 文 时.\n"
                    + "Emoji 😀😃🙂 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math, Gothic 𐌰𐌱𐌲, flags 🇳🇴🇯🇵, 👩‍👩‍👧 family.\n"
                    + "Combining: e\u0301 a\u0308 n\u0303; zero width\u200bjoin; nbsp\u00a0here.\n"
                    + "Numbers 1234567 and 3.14159, punctuation !?;:()[]{}<>/\\|@#$%^&*~`.\n"
                    + "     \n\n\n   trailing spaces      ";
}
