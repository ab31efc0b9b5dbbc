package dev.memaudit.extractor.extract;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.GenerationSettings;
import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A decoding scheme whose extraction probability p_z is computed: {@code greedy}, {@code t1}
 * (sampling at temperature 1, no truncation) or {@code t<T>[_k<K>][_p<P>]}, e.g. {@code
 * t0.7_k40_p0.9} (temperature, then top-k, then top-p). Its per-token probabilities and the
 * attempts decoded under it come from one implementation, {@link
 * dev.memaudit.model.DecodingDistribution}: top-k keeps exactly k tokens, ties broken by lower
 * token id; top-p keeps the shortest prefix of that order whose mass (double precision) reaches p;
 * greedy gives probability 1 to the one token greedy decoding emits.
 *
 * @param name canonical name, the key of {@code p_z} in windows.jsonl
 * @param temperature 0 for greedy
 * @param topK 0 = no limit
 * @param topP 1 = no limit
 */
public record Scheme(String name, double temperature, int topK, double topP) {
    private static final Pattern SPEC =
            Pattern.compile("t([0-9]+(?:\\.[0-9]+)?)(?:_k([0-9]+))?(?:_p([0-9]+(?:\\.[0-9]+)?))?");

    public static final Scheme GREEDY = new Scheme("greedy", 0, 0, 1);
    public static final Scheme T1 = new Scheme("t1", 1, 0, 1);

    /** Parses a scheme name; the result's name is canonical (e.g. {@code t1.0} → {@code t1}). */
    public static Scheme parse(String spec) {
        String s = spec.trim();
        if (s.equals("greedy")) {
            return GREEDY;
        }
        Matcher m = SPEC.matcher(s);
        if (!m.matches()) {
            throw MemauditException.usage(
                    "scheme must be greedy or t<temperature>[_k<top-k>][_p<top-p>] (e.g."
                            + " t0.7_k40_p0.9), got "
                            + spec);
        }
        double t = Double.parseDouble(m.group(1));
        int k = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        double p = m.group(3) == null ? 1 : Double.parseDouble(m.group(3));
        return of(t, k, p);
    }

    /** The scheme with these settings and its canonical name. */
    public static Scheme of(double temperature, int topK, double topP) {
        if (temperature == 0) {
            return GREEDY;
        }
        // validates the ranges with the model module's messages
        new GenerationSettings(1, temperature, topK, topP, 0, true);
        StringBuilder b = new StringBuilder("t").append(plain(temperature));
        if (topK > 0) {
            b.append("_k").append(topK);
        }
        if (topP < 1) {
            b.append("_p").append(plain(topP));
        }
        return new Scheme(b.toString(), temperature, topK, topP);
    }

    private static String plain(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /** Plain temperature-1 sampling: its p_z is the product of the model's own probabilities. */
    public boolean isPlain() {
        return temperature == 1 && topK == 0 && topP == 1;
    }

    /** Decoding settings for this scheme. */
    public GenerationSettings settings(int maxNewTokens, long seed) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, true);
    }
}
