package dev.memaudit.index.bench;

import java.util.SplittableRandom;

/**
 * Synthetic English-like prose for benchmarks, from a seed: a 50,000-word vocabulary (function
 * words, then invented pronounceable words) drawn Zipf-Mandelbrot, 3,000 stock phrases of 4-10
 * words with Zipfian popularity inserted at 1.5 % of word slots (the hot grams real corpora have),
 * sentences of 5-35 words with commas, straight or curly quotes, em dashes, accented words,
 * possessives, 72-column wrapping with occasional line-end hyphenation.
 */
final class BenchText {
    private static final String[] FUNCTION_WORDS =
            ("the of and to a in that is was he for it with as his on be at by i this had not are"
                            + " but from or have an they which one you were her all she there would"
                            + " their we him been has when who will more no if out so said what up"
                            + " its about into than them can only other new some could time these two"
                            + " may then do first any my now such like our over man me even most made"
                            + " after also did many before must through back years where much your way"
                            + " well down should because each just those people how too little state"
                            + " good very make world still own see men work long get here between both"
                            + " life being under never day same another know while last might us great"
                            + " old year off come since against go came right used take three")
                    .split(" ");
    private static final String[] ONSETS = {
        "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br",
        "ch", "cl", "dr", "fl", "gr", "pl", "sh", "st", "th", "tr", "wh", "sk", "sl", "sp"
    };
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "oo", "ie"};
    private static final String[] CODAS = {
        "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "rn"
    };

    private final String[] vocab;
    private final double[] vocabCdf;
    private final String[][] phrases;
    private final double[] phraseCdf;

    BenchText(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        vocab = new String[50_000];
        java.util.Set<String> used = new java.util.HashSet<>();
        int v = 0;
        for (String f : FUNCTION_WORDS) {
            if (used.add(f)) {
                vocab[v++] = f;
            }
        }
        while (v < vocab.length) {
            int syllables = 1 + (v > 2000 ? 1 : 0) + (v > 10_000 ? 1 : 0) + r.nextInt(2);
            StringBuilder w = new StringBuilder();
            for (int s = 0; s < syllables; s++) {
                w.append(ONSETS[r.nextInt(ONSETS.length)]).append(VOWELS[r.nextInt(VOWELS.length)]);
                if (s == syllables - 1 || r.nextInt(3) == 0) {
                    w.append(CODAS[r.nextInt(CODAS.length)]);
                }
            }
            if (r.nextInt(100) == 0) {
                w.setCharAt(w.length() - 1, r.nextBoolean() ? 'é' : 'ö');
            }
            if (used.add(w.toString())) {
                vocab[v++] = w.toString();
            }
        }
        vocabCdf = zipfCdf(vocab.length, 2.7, 1.0);
        phrases = new String[3000][];
        for (int p = 0; p < phrases.length; p++) {
            String[] ph = new String[4 + r.nextInt(7)];
            for (int i = 0; i < ph.length; i++) {
                ph[i] = vocab[draw(vocabCdf, r)];
            }
            phrases[p] = ph;
        }
        phraseCdf = zipfCdf(phrases.length, 1.0, 1.0);
    }

    private static double[] zipfCdf(int n, double q, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1 + q, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    private static int draw(double[] cdf, SplittableRandom r) {
        double u = r.nextDouble();
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** A word drawn from the vocabulary (Zipf-Mandelbrot). */
    String word(SplittableRandom r) {
        return vocab[draw(vocabCdf, r)];
    }

    /** Appends prose of about {@code words} words (whole sentences, wrapped paragraphs). */
    void prose(StringBuilder out, SplittableRandom r, int words, boolean stockPhrases) {
        int written = 0;
        int column = 0;
        while (written < words) {
            int sentence = 5 + r.nextInt(31);
            boolean quoted = r.nextInt(8) == 0;
            boolean curly = r.nextBoolean();
            StringBuilder s = new StringBuilder();
            if (quoted) {
                s.append(curly ? '“' : '"');
            }
            for (int i = 0; i < sentence; i++) {
                String[] ph =
                        stockPhrases && r.nextInt(1000) < 15
                                ? phrases[draw(phraseCdf, r)]
                                : new String[] {vocab[draw(vocabCdf, r)]};
                for (String w : ph) {
                    if (s.length() > 1) {
                        int punct = r.nextInt(40);
                        s.append(punct == 0 ? ", " : punct == 1 ? "; " : punct == 2 ? " — " : " ");
                    }
                    String word = w;
                    if (r.nextInt(200) == 0) {
                        word = word + (r.nextBoolean() ? "'s" : "’s");
                    } else if (r.nextInt(200) == 0) {
                        word = Integer.toString(1000 + r.nextInt(9000));
                    }
                    if (s.length() == 0 || (quoted && s.length() == 1)) {
                        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                    }
                    s.append(word);
                    i++;
                }
                i--;
            }
            s.append('.');
            if (quoted) {
                s.append(curly ? '”' : '"');
            }
            written += sentence;
            column = wrap(out, s, column, r);
            if (r.nextInt(7) == 0) {
                out.append("\n\n");
                column = 0;
            }
        }
        out.append("\n\n");
    }

    /** Appends a sentence, wrapping at 72 columns and now and then hyphenating a word. */
    private static int wrap(
            StringBuilder out, CharSequence sentence, int column, SplittableRandom r) {
        int i = 0;
        int n = sentence.length();
        while (i < n) {
            int j = i;
            while (j < n && sentence.charAt(j) != ' ') {
                j++;
            }
            int len = j - i;
            if (column > 0 && column + 1 + len > 72) {
                boolean hyphenate = len >= 8 && r.nextInt(4) == 0 && allLetters(sentence, i, j);
                if (hyphenate) {
                    int cut = i + len / 2;
                    out.append(' ').append(sentence, i, cut).append("-\n");
                    out.append(sentence, cut, j);
                    column = j - cut;
                    i = j + 1;
                    continue;
                }
                out.append('\n');
                column = 0;
            } else if (column > 0) {
                out.append(' ');
                column++;
            }
            out.append(sentence, i, j);
            column += len;
            i = j + 1;
        }
        return column;
    }

    private static boolean allLetters(CharSequence s, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!Character.isLetter(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }
}
