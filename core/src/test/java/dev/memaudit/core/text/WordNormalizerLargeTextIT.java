package dev.memaudit.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A whole 200-million-char text on one line (no line breaks to split it at), as in a dump. */
class WordNormalizerLargeTextIT {

    @Test
    void normalizesA200MillionCharSingleLine() {
        String unit = "alpha beta-gamma don't café\t"; // 28 chars, 4 words
        int units = 200_000_000 / unit.length() + 1;
        String text = unit.repeat(units);
        assertThat(text.length()).isGreaterThanOrEqualTo(200_000_000);

        long t0 = System.nanoTime();
        NormalizedWords words = WordNormalizer.normalize(text);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                java.util.Locale.ROOT,
                "200M-char line: %d words in %.2f s (%.1f Mchar/s)%n",
                words.size(),
                seconds,
                text.length() / 1e6 / seconds);

        assertThat(words.size()).isEqualTo(4 * units);
        int last = words.size() - 1;
        long lastStart = (long) unit.length() * (units - 1) + 23;
        assertThat(words.starts()[last]).isEqualTo(lastStart);
        assertThat(words.ends()[last]).isEqualTo(lastStart + 4);
        assertThat(words.hashes()[last]).isEqualTo(WordNormalizer.hash("café"));
        assertThat(words.hashes()[last - 1]).isEqualTo(WordNormalizer.hash("dont"));
        assertThat(words.hashes()[last - 2]).isEqualTo(WordNormalizer.hash("betagamma"));
    }
}
