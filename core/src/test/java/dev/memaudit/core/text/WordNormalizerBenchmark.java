package dev.memaudit.core.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Prints the single-thread throughput of {@link WordNormalizer#normalize} on generated, mostly
 * ASCII English-like prose (not a test: timings are not asserted). Run from the repository root
 * after {@code ./mvnw -q -B -o -pl core test-compile}:
 *
 * <pre>
 * java -cp core/target/classes:core/target/test-classes:$HOME/.m2/repository/com/ibm/icu/icu4j/74.2/icu4j-74.2.jar \
 *     dev.memaudit.core.text.WordNormalizerBenchmark [megabytes]
 * </pre>
 */
public final class WordNormalizerBenchmark {
    private static final String[] WORDS = {
        "the",
        "of",
        "and",
        "a",
        "to",
        "in",
        "was",
        "he",
        "that",
        "it",
        "his",
        "her",
        "with",
        "as",
        "had",
        "for",
        "she",
        "not",
        "at",
        "but",
        "on",
        "you",
        "him",
        "be",
        "said",
        "all",
        "they",
        "from",
        "so",
        "there",
        "have",
        "which",
        "one",
        "were",
        "would",
        "when",
        "what",
        "this",
        "been",
        "could",
        "into",
        "then",
        "no",
        "more",
        "them",
        "their",
        "if",
        "an",
        "out",
        "up",
        "little",
        "about",
        "some",
        "before",
        "house",
        "garden",
        "morning",
        "window",
        "letter",
        "Captain",
        "Margaret",
        "London",
        "evening",
        "silence",
        "remembered",
        "whispered",
        "across",
        "nothing",
        "towards",
        "himself",
        "afterwards",
        "extraordinary",
        "understanding",
        "1847",
    };

    private WordNormalizerBenchmark() {}

    public static void main(String[] args) {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        String text = generate(megabytes * 1_000_000, new Random(42));
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        double[] rates = new double[8];
        int words = 0;
        for (int run = 0; run < rates.length; run++) {
            long t0 = System.nanoTime();
            NormalizedWords result = WordNormalizer.normalize(text);
            long t1 = System.nanoTime();
            words = result.size();
            rates[run] = mb / ((t1 - t0) / 1e9);
        }
        // the first runs warm up the JIT; report the later ones
        double[] measured = Arrays.copyOfRange(rates, 3, rates.length);
        Arrays.sort(measured);
        System.out.printf(
                Locale.ROOT,
                "%.1f MB (UTF-8), %d words: median %.1f MB/s, best %.1f MB/s, all %s%n",
                mb,
                words,
                measured[measured.length / 2],
                measured[measured.length - 1],
                Arrays.toString(
                        Arrays.stream(rates).map(r -> Math.round(r * 10) / 10.0).toArray()));
    }

    /** Prose-like text: words, punctuation, quotes, dialogue, paragraphs, a few non-ASCII words. */
    static String generate(int chars, Random random) {
        StringBuilder sb = new StringBuilder(chars + 100);
        int column = 0;
        while (sb.length() < chars) {
            int r = random.nextInt(1000);
            String word = WORDS[random.nextInt(WORDS.length)];
            if (r < 10) {
                sb.append("don’t");
            } else if (r < 15) {
                sb.append("café");
            } else if (r < 20) {
                sb.append("well-known");
            } else if (r < 22) {
                sb.append("“").append(word).append("”");
            } else if (r < 25) {
                sb.append("—").append(word);
            } else {
                sb.append(word);
            }
            r = random.nextInt(100);
            if (r < 8) {
                sb.append(',');
            } else if (r < 14) {
                sb.append('.');
            }
            column += word.length() + 1;
            if (column > 70) {
                sb.append(random.nextInt(20) == 0 ? "\n\n" : "\n");
                column = 0;
            } else {
                sb.append(' ');
            }
        }
        return sb.toString();
    }
}
