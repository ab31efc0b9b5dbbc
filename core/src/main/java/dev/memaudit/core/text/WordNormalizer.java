package dev.memaudit.core.text;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;
import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.Normalizer2;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits a text into normalized words, each with its 64-bit hash and its half-open range of Unicode
 * code points in the original text. The rules (what a word is, which characters join or separate
 * words, the normalized form, the hash) are part of the on-disk contract and are documented in
 * {@code package-info.java}; {@link #VERSION} changes whenever any of them does.
 *
 * <p>Thread-safe: all methods are static and keep no shared mutable state.
 */
public final class WordNormalizer {
    /** Bumped whenever the normalized form or the hash of any word can change. */
    public static final int VERSION = 1;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private static final Normalizer2 NFKC_CF = Normalizer2.getNFKCCasefoldInstance();

    // Code point classes. LETTER, NUMBER and MARK are kept in a word; LETTER and NUMBER may start
    // one (the order matters: see isKept and isWordStart).
    private static final byte K_LETTER = 0;
    private static final byte K_NUMBER = 1;
    private static final byte K_MARK = 2;
    private static final byte K_SEPARATOR = 3;
    private static final byte K_IDEOGRAPHIC = 4;
    private static final byte K_FORMAT = 5;
    private static final byte K_APOSTROPHE = 6;
    private static final byte K_HYPHEN = 7;
    private static final byte K_SOFT_HYPHEN = 8;
    private static final byte K_SURROGATE = 9;

    /** Class of every BMP code point, surrogates marked {@link #K_SURROGATE}. */
    private static final byte[] BMP_CLASS = new byte[0x10000];

    /** Lower-cased ASCII letters and digits (what NFKC_Casefold gives them), 0 for the rest. */
    private static final char[] ASCII_FORM = new char[128];

    static {
        for (int c = 0; c < 0x10000; c++) {
            BMP_CLASS[c] = Character.isSurrogate((char) c) ? K_SURROGATE : classify(c);
        }
        for (char c = '0'; c <= '9'; c++) {
            ASCII_FORM[c] = c;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            ASCII_FORM[c] = c;
            ASCII_FORM[c - 'a' + 'A'] = c;
        }
    }

    private WordNormalizer() {}

    /** Splits and normalizes {@code text}; see {@link NormalizedWords} for the offsets. */
    public static NormalizedWords normalize(String text) {
        Objects.requireNonNull(text, "text");
        return new Scanner(text, false).run();
    }

    /**
     * The normalized form of the single word covering code points {@code [cpStart, cpEnd)} of
     * {@code text} (as reported by {@link #normalize}); {@code hash(key(...))} equals the word's
     * hash.
     *
     * <p>Converting code points to UTF-16 indices costs time linear in {@code cpEnd}; callers that
     * look up many words of one long text should build a {@link CodePointIndex} once and call
     * {@link #key(CodePointIndex, int, int)}.
     *
     * @throws IndexOutOfBoundsException if the range is not within the text
     * @throws IllegalArgumentException if the range is not exactly one word of the text
     */
    public static String key(String text, int cpStart, int cpEnd) {
        Objects.requireNonNull(text, "text");
        return keyOf(CodePoints.substring(text, cpStart, cpEnd), cpStart, cpEnd);
    }

    /**
     * Same as {@link #key(String, int, int)} for the text of {@code index}, with the code point
     * conversion done by the index.
     */
    public static String key(CodePointIndex index, int cpStart, int cpEnd) {
        Objects.requireNonNull(index, "index");
        return keyOf(index.substring(cpStart, cpEnd), cpStart, cpEnd);
    }

    private static String keyOf(String word, int cpStart, int cpEnd) {
        // The rules only look ahead, and only as far as the next kept character, so a word scanned
        // on its own gives the same form as inside its text. Every word goes through ICU here,
        // which also makes key() an independent check of normalize()'s ASCII fast path.
        Scanner scanner = new Scanner(word, true);
        NormalizedWords words = scanner.run();
        if (words.size() != 1 || words.starts()[0] != 0 || words.ends()[0] != cpEnd - cpStart) {
            throw new IllegalArgumentException(
                    "code points ["
                            + cpStart
                            + ", "
                            + cpEnd
                            + ") of the text are not exactly one word: "
                            + word);
        }
        return scanner.lastForm;
    }

    /**
     * The 64-bit hash of a normalized word form: FNV-1a 64 over its UTF-16 chars (each char XORed
     * in as one 16-bit value, then multiplied by the FNV prime), finished with murmur3's fmix64.
     */
    public static long hash(CharSequence key) {
        long h = FNV_OFFSET;
        for (int i = 0, n = key.length(); i < n; i++) {
            h = (h ^ key.charAt(i)) * FNV_PRIME;
        }
        return fmix64(h);
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static byte classify(int cp) {
        switch (cp) {
            case '\'', '`', 0x2019, 0x02BC, 0x2018, 0x00B4, 0xFF07:
                return K_APOSTROPHE;
            case '-', 0x2010, 0x2011:
                return K_HYPHEN;
            case 0x00AD:
                return K_SOFT_HYPHEN;
            case 0x200B:
                return K_SEPARATOR;
            case 0xFF9E, 0xFF9F:
                // halfwidth (semi-)voiced sound marks are modifier letters, but NFKC turns them
                // into the combining marks U+3099/U+309A: treat them as marks so that halfwidth
                // and fullwidth kana give the same words
                return K_MARK;
            default:
                break;
        }
        switch (UCharacter.getType(cp)) {
            case UCharacterCategory.UPPERCASE_LETTER,
            UCharacterCategory.LOWERCASE_LETTER,
            UCharacterCategory.TITLECASE_LETTER,
            UCharacterCategory.MODIFIER_LETTER,
            UCharacterCategory.OTHER_LETTER:
                return isIdeographic(cp) ? K_IDEOGRAPHIC : K_LETTER;
            case UCharacterCategory.DECIMAL_DIGIT_NUMBER,
            UCharacterCategory.LETTER_NUMBER,
            UCharacterCategory.OTHER_NUMBER:
                return isIdeographic(cp) ? K_IDEOGRAPHIC : K_NUMBER;
            case UCharacterCategory.NON_SPACING_MARK,
            UCharacterCategory.COMBINING_SPACING_MARK,
            UCharacterCategory.ENCLOSING_MARK:
                return K_MARK;
            case UCharacterCategory.FORMAT:
                return K_FORMAT;
            default:
                return K_SEPARATOR;
        }
    }

    private static boolean isIdeographic(int cp) {
        if (cp < 0x2E80) {
            return false; // no Han, Hiragana or Katakana code point lies below U+2E80
        }
        int script = UScript.getScript(cp);
        return script == UScript.HAN || script == UScript.HIRAGANA || script == UScript.KATAKANA;
    }

    private static boolean isKept(int k) {
        return k <= K_MARK;
    }

    private static boolean isWordStart(int k) {
        return k <= K_NUMBER;
    }

    /** One pass over one text; not reusable. */
    private static final class Scanner {
        // the text's chars, copied once: String.charAt costs a call and a bounds check per char
        // under the C1 compiler that short scans run on (0.1 of 1.5 CPU-s of a 3.5 M word scan)
        private final char[] text;
        private final int n;
        private final boolean alwaysIcu;
        private final StringBuilder raw = new StringBuilder();
        private final StringBuilder form = new StringBuilder();
        private String lastForm;

        /**
         * Surrogate pairs before the scan position, so that index - pairs is a code point offset.
         */
        private int pairs;

        private long[] hashes;
        private int[] starts;
        private int[] ends;
        private int size;

        Scanner(String text, boolean alwaysIcu) {
            this.text = text.toCharArray();
            this.n = this.text.length;
            this.alwaysIcu = alwaysIcu;
            // English prose averages about 6 chars per word; start there (bounded) and grow
            int capacity = (int) Math.min(1 << 20, n / 6L + 16);
            hashes = new long[capacity];
            starts = new int[capacity];
            ends = new int[capacity];
        }

        NormalizedWords run() {
            final char[] t = text;
            final int n = this.n;
            int i = 0; // UTF-16 index
            while (i < n) {
                char c = t[i];
                if (c < 128 && ASCII_FORM[c] == 0) {
                    i++; // the common separators: space, punctuation, line breaks
                    continue;
                }
                int k = BMP_CLASS[c];
                int len = 1;
                if (k == K_SURROGATE) {
                    int code = Character.codePointAt(t, i);
                    if (code > 0xFFFF) {
                        k = classify(code);
                        len = 2;
                    } else {
                        k = K_SEPARATOR; // an unpaired surrogate: one code point
                    }
                }
                if (isWordStart(k)) {
                    i = word(i);
                } else if (k == K_IDEOGRAPHIC) {
                    i = ideographicWord(i, len);
                } else {
                    i += len;
                    pairs += len - 1;
                }
            }
            return new NormalizedWords(hashes, starts, ends, size);
        }

        /**
         * Scans and emits the word starting at UTF-16 index {@code start} (a letter or number);
         * returns the index after it. Kept separate from {@link #run} so that the JIT compiles it
         * early and as a whole.
         */
        private int word(final int start) {
            final char[] t = text;
            final int n = this.n;
            int i = start;
            int pairs = this.pairs;
            final int startCp = i - pairs;
            int endCp = startCp;
            long h = FNV_OFFSET;
            boolean icu = alwaysIcu;
            if (icu) {
                raw.setLength(0);
            }
            while (true) {
                if (!icu) {
                    // the hot loop: ASCII letters and digits, hashed as they are read
                    int from = i;
                    while (i < n) {
                        char a = t[i];
                        char f;
                        if (a >= 128 || (f = ASCII_FORM[a]) == 0) {
                            break;
                        }
                        h = (h ^ f) * FNV_PRIME;
                        i++;
                    }
                    if (i > from) {
                        endCp = i - pairs;
                    }
                }
                if (i >= n) {
                    break;
                }
                char c = t[i];
                int k = BMP_CLASS[c];
                int len = 1;
                if (k == K_SURROGATE) {
                    int code = Character.codePointAt(t, i);
                    if (code <= 0xFFFF) {
                        break; // an unpaired surrogate separates
                    }
                    k = classify(code);
                    len = 2;
                }
                if (isKept(k)) {
                    if (!icu) {
                        // first kept non-ASCII char: so far only ASCII letters and digits were
                        // kept and only other characters dropped, so they can be recovered
                        icu = true;
                        raw.setLength(0);
                        for (int j = start; j < i; j++) {
                            char a = t[j];
                            if (a < 128 && ASCII_FORM[a] != 0) {
                                raw.append(a);
                            }
                        }
                    }
                    raw.append(t, i, len);
                    i += len;
                    pairs += len - 1;
                    endCp = i - pairs;
                } else if (k == K_FORMAT) {
                    i += len;
                    pairs += len - 1;
                } else if (k == K_APOSTROPHE) {
                    if (!isWordStart(classAt(i + 1))) {
                        break;
                    }
                    i++;
                } else if (k == K_HYPHEN || k == K_SOFT_HYPHEN) {
                    int j = isWordStart(classAt(i + 1)) ? i + 1 : lineEndHyphenation(i);
                    if (j < 0) {
                        if (k == K_HYPHEN) {
                            break;
                        }
                        j = i + 1; // a soft hyphen is ignored like a format character
                    }
                    i = j; // all skipped chars are in the BMP
                } else {
                    break;
                }
            }
            this.pairs = pairs;
            if (icu) {
                emitIcu(startCp, endCp);
            } else {
                emit(fmix64(h), startCp, endCp);
            }
            return i;
        }

        /**
         * Emits the word of the ideograph of {@code len} chars at UTF-16 index {@code start} and
         * the marks that follow it; returns the index after them.
         */
        private int ideographicWord(int start, int len) {
            final char[] t = text;
            int i = start;
            int startCp = i - pairs;
            raw.setLength(0);
            raw.append(t, i, len);
            i += len;
            pairs += len - 1;
            int endCp = i - pairs;
            // combining marks stay with their ideograph; format characters are skipped
            while (i < n) {
                int k = classAt(i);
                int l = Character.charCount(Character.codePointAt(t, i));
                if (k == K_MARK) {
                    raw.append(t, i, l);
                    i += l;
                    pairs += l - 1;
                    endCp = i - pairs;
                } else if (k == K_FORMAT) {
                    i += l;
                    pairs += l - 1;
                } else {
                    break;
                }
            }
            emitIcu(startCp, endCp);
            return i;
        }

        /** Class of the code point at UTF-16 index {@code i}; separator past the end. */
        private int classAt(int i) {
            if (i >= n) {
                return K_SEPARATOR;
            }
            int k = BMP_CLASS[text[i]];
            if (k == K_SURROGATE) {
                int code = Character.codePointAt(text, i);
                return code <= 0xFFFF ? K_SEPARATOR : classify(code);
            }
            return k;
        }

        /**
         * If the hyphen at {@code i} ends a line and the word goes on at the start of the next line
         * (hyphen, spaces or tabs, one line break, spaces or tabs, a letter), the index of that
         * letter; otherwise -1.
         */
        private int lineEndHyphenation(int i) {
            final char[] t = text;
            int j = skipBlanks(i + 1);
            if (j >= n) {
                return -1;
            }
            char c = t[j];
            if (c == '\r') {
                j++;
                if (j < n && t[j] == '\n') {
                    j++;
                }
            } else if (c == '\n' || c == '\u2028' || c == '\u0085') {
                j++;
            } else {
                return -1;
            }
            j = skipBlanks(j);
            return classAt(j) == K_LETTER ? j : -1;
        }

        private int skipBlanks(int j) {
            while (j < n && (text[j] == ' ' || text[j] == '\t')) {
                j++;
            }
            return j;
        }

        private void emitIcu(int startCp, int endCp) {
            form.setLength(0);
            NFKC_CF.normalize(raw, form);
            if (form.length() == 0) {
                return; // e.g. a lone Hangul filler: nothing left to match on
            }
            if (alwaysIcu) {
                lastForm = form.toString();
            }
            emit(hash(form), startCp, endCp);
        }

        private void emit(long hash, int startCp, int endCp) {
            if (size == hashes.length) {
                grow();
            }
            hashes[size] = hash;
            starts[size] = startCp;
            ends[size] = endCp;
            size++;
        }

        private void grow() {
            int capacity = hashes.length;
            int grown = (int) Math.min(Integer.MAX_VALUE - 8, capacity + (capacity >> 1) + 16L);
            if (grown <= capacity) {
                throw new IllegalStateException("too many words: " + capacity);
            }
            hashes = Arrays.copyOf(hashes, grown);
            starts = Arrays.copyOf(starts, grown);
            ends = Arrays.copyOf(ends, grown);
        }
    }
}
