/**
 * Text normalization with offset maps: the normalized word sequence that the Lucene n-gram index is
 * built from and that model outputs are matched against, and conversions between code point offsets
 * and Java's UTF-16 indices.
 *
 * <h2>Offsets</h2>
 *
 * All offsets are <b>Unicode code point offsets</b> into the original text as decoded, 0-based and
 * half-open: a word at {@code [start, end)} is Python's {@code text[start:end]}. A surrogate pair
 * is one code point; an unpaired surrogate counts as one code point too. A byte order mark at the
 * start of the text is a code point like any other (it is at offset 0). {@link
 * dev.memaudit.core.text.CodePoints} and {@link dev.memaudit.core.text.CodePointIndex} convert to
 * and from UTF-16 indices.
 *
 * <h2>Word rules ({@link dev.memaudit.core.text.WordNormalizer}, version 1)</h2>
 *
 * These rules are part of the on-disk contract: an index is only valid with the {@code
 * WordNormalizer.VERSION} it was built with, and any change to them, including to the
 * classification of a single code point, requires a new version. Character properties (general
 * category, script, normalization) are those of ICU4J 74.2 (Unicode 15.1), not of the running JDK,
 * so the result does not depend on the Java version.
 *
 * <ol>
 *   <li><b>Word characters</b> are letters (Lu, Ll, Lt, Lm, Lo), decimal digits (Nd), letter
 *       numbers (Nl), other numbers (No) and marks (Mn, Mc, Me). A word is a maximal run of word
 *       characters, extended by rules 3 to 6. Everything else (whitespace, punctuation, symbols,
 *       emoji, controls, unassigned and private-use code points, unpaired surrogates) separates
 *       words and belongs to no word. A word starts with a letter or number, never with a mark:
 *       marks that follow a separator (for example U+FE0F after an emoji) are ignored. U+FF9E and
 *       U+FF9F (halfwidth voiced sound marks, Lm) are treated as marks, because NFKC turns them
 *       into combining marks.
 *   <li><b>Ideographic scripts.</b> A letter or number whose script ({@code UScript.getScript}) is
 *       Han, Hiragana or Katakana is a word of its own, together with the marks that directly
 *       follow it (format characters between them are skipped). It never joins the word before or
 *       after it, and rules 3 to 5 do not join across it. Other scripts written without spaces
 *       (Thai, Lao, Khmer, ...) are split only at separators.
 *   <li><b>Apostrophes</b> U+0027 ', U+2019 ’, U+02BC ʼ, U+2018 ‘, U+0060 `, U+00B4 ´ and U+FF07 ＇,
 *       one of them inside a word and directly followed by a non-ideographic letter or number, join
 *       and are dropped from the form: {@code don't = don’t = dont}. Anywhere else they separate
 *       (so quotes around a word are not part of it).
 *   <li><b>Hyphens</b> U+002D -, U+2010 ‐ and U+2011 ‑, inside a word and directly followed by a
 *       non-ideographic letter or number, join and are dropped: {@code well-known = wellknown}. Two
 *       hyphens, en dash, em dash, horizontal bar and every other dash separate. The soft hyphen
 *       U+00AD inside a word is dropped and never separates (like rule 6).
 *   <li><b>Line-end hyphenation.</b> Inside a word, a hyphen of rule 4 (soft hyphen included), then
 *       any spaces (U+0020) and tabs, then exactly one line break (LF, CR LF, CR, U+2028 or
 *       U+0085), then any spaces and tabs, then a non-ideographic letter (not a digit): the word
 *       goes on at that letter and everything from the hyphen to the letter is dropped from the
 *       form. The word's range covers the hyphen and the break: {@code "exam-\nple"} is the one
 *       word {@code example} at {@code [0, 9)}.
 *   <li><b>Format characters</b> (Cf: ZWJ, ZWNJ, word joiner U+2060, U+FEFF, bidi marks, ...)
 *       inside a word are dropped and do not split it; outside a word they are ignored. The
 *       exception is U+200B ZERO WIDTH SPACE, which separates.
 *   <li><b>Range.</b> A word's range starts at its first character and ends after its last kept
 *       character (a word character); dropped characters that trail it (a format character, say)
 *       are not in it.
 *   <li><b>Form.</b> The form of a word is ICU4J's {@code Normalizer2.getNFKCCasefoldInstance()}
 *       applied to the word's kept characters (its word characters, in order). So fullwidth {@code
 *       Ａ}, math bold {@code 𝐀} and {@code a} are alike, {@code ﬁ = fi}, {@code ß = ss}, and
 *       precomposed {@code é} equals {@code e} + U+0301. A word made only of ASCII letters and
 *       digits is lower-cased directly, which gives the same form. A word whose form is empty (a
 *       lone Hangul filler, say) is dropped.
 *   <li><b>Hash.</b> The hash of a form is 64-bit FNV-1a over its UTF-16 chars (starting from
 *       {@code 0xcbf29ce484222325}, for each char: XOR the char's 16-bit value, multiply by {@code
 *       0x100000001b3}), then murmur3's {@code fmix64} finalizer.
 * </ol>
 *
 * <p>{@code WordNormalizer.key(text, start, end)} gives the form of the word at {@code [start,
 * end)}, so {@code hash(key(text, start, end))} equals that word's hash. The rules look only
 * forward and only as far as the next kept character, so a word's range normalized on its own gives
 * that same single word.
 */
package dev.memaudit.core.text;
