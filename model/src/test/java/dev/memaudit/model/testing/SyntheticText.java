package dev.memaudit.model.testing;

import java.util.SplittableRandom;

/** Deterministic pseudo-English written for tests (no real text). */
public final class SyntheticText {
    private static final String[] WORDS = {
        "the",
        "lantern",
        "keeper",
        "walked",
        "along",
        "a",
        "narrow",
        "quay",
        "where",
        "gulls",
        "argued",
        "over",
        "copper",
        "nets",
        "and",
        "tide",
        "rose",
        "slowly",
        "beneath",
        "grey",
        "clouds",
        "of",
        "evening",
        "her",
        "brother",
        "counted",
        "barrels",
        "while",
        "old",
        "clocks",
        "ticked",
        "in",
        "rooms",
        "nobody",
        "visited",
        "since",
        "winter",
        "storms",
        "carried",
        "letters",
        "from",
        "distant",
        "harbours",
        "to",
        "quiet",
        "villages",
        "with",
        "amber",
        "windows",
        "orchard",
        "ladders",
        "velvet",
        "maps",
        "seven",
        "bridges",
        "silver",
        "rain",
        "whispered",
        "stories",
        "about",
        "forgotten",
        "kings",
        "who",
        "painted",
        "stars",
        "on",
        "paper",
        "boats",
        "every",
        "morning",
        "before",
        "bread",
        "was",
        "baked"
    };

    private SyntheticText() {}

    /** About {@code words} words of sentence-like text from a seeded stream. */
    public static String of(long seed, int words) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        int inSentence = 0;
        for (int i = 0; i < words; i++) {
            String w = WORDS[r.nextInt(WORDS.length)];
            if (inSentence == 0) {
                w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(w);
            inSentence++;
            if (inSentence > 6 && r.nextInt(5) == 0) {
                sb.append(r.nextInt(4) == 0 ? ',' : '.');
                if (sb.charAt(sb.length() - 1) == '.') {
                    inSentence = 0;
                }
            }
        }
        sb.append('.');
        return sb.toString();
    }
}
