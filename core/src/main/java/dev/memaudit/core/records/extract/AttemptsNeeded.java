package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

/**
 * How many independent attempts it takes for at least one exact extraction to happen with a target
 * probability, in {@code windows.jsonl} ({@code attempts_needed}). In JSON one of:
 *
 * <ul>
 *   <li>an integer: the exact count ⌈ln(1−target) / ln(1−p_z)⌉ while it is below 2^53;
 *   <li>a floating-point number: a count beyond 2^53, to double precision;
 *   <li>{@code {"log10": x}}: a count beyond the range of a double (p_z below about 1e-308), as its
 *       base-10 logarithm computed from ln p_z: never capped at the largest double;
 *   <li>{@value #UNREACHABLE_TEXT}: p_z is exactly 0 (a suffix token the scheme cannot produce), so
 *       no number of attempts reaches the target.
 * </ul>
 *
 * A scheme that was not measured has no entry at all (see {@link WindowRecord#notMeasured()}).
 */
@JsonDeserialize(using = AttemptsNeeded.Reader.class)
public final class AttemptsNeeded {
    /** The JSON text of an unreachable target. */
    public static final String UNREACHABLE_TEXT = "unreachable";

    /** p_z = 0: no number of attempts reaches the target. */
    public static final AttemptsNeeded UNREACHABLE = new AttemptsNeeded(null, Double.NaN);

    private static final BigDecimal EXACT_UP_TO = BigDecimal.valueOf(9_007_199_254_740_992L);

    /** The count within a double's range; null for unreachable and beyond that range. */
    private final BigDecimal count;

    /** log10 of a count beyond a double's range; NaN otherwise. */
    private final double log10;

    private AttemptsNeeded(BigDecimal count, double log10) {
        // one representation per value, so that equals is numeric
        this.count = count == null ? null : count.stripTrailingZeros();
        this.log10 = log10;
    }

    /** An exact count (at least 1). */
    public static AttemptsNeeded of(long count) {
        return of(BigDecimal.valueOf(count));
    }

    /** A count (at least 1) within a double's range. */
    public static AttemptsNeeded of(BigDecimal count) {
        if (count.compareTo(BigDecimal.ONE) < 0 || !Double.isFinite(count.doubleValue())) {
            throw new IllegalArgumentException(
                    "attempts needed must be between 1 and the largest double, got " + count);
        }
        return new AttemptsNeeded(count, Double.NaN);
    }

    /** A count beyond a double's range, by its base-10 logarithm (above 308). */
    public static AttemptsNeeded ofLog10(double log10) {
        if (!(log10 > 308 && Double.isFinite(log10))) {
            throw new IllegalArgumentException(
                    "log10 of a count beyond a double's range must be above 308, got " + log10);
        }
        return new AttemptsNeeded(null, log10);
    }

    /** Whether some number of attempts reaches the target (p_z > 0). */
    public boolean reachable() {
        return count != null || !Double.isNaN(log10);
    }

    /** The count; null when unreachable or beyond a double's range ({@link #log10()}). */
    public BigDecimal count() {
        return count;
    }

    /** log10 of the count; NaN when unreachable. */
    public double log10() {
        if (count != null) {
            return Math.log10(count.unscaledValue().doubleValue()) - count.scale();
        }
        return log10;
    }

    /** The JSON value (see the class comment). */
    @JsonValue
    public Object json() {
        if (count != null) {
            return count.compareTo(EXACT_UP_TO) < 0
                    ? (Object) count.longValueExact()
                    : (Object) count.doubleValue();
        }
        return Double.isNaN(log10) ? UNREACHABLE_TEXT : Map.of("log10", log10);
    }

    /** As JSON writes it. */
    @Override
    public String toString() {
        return json().toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttemptsNeeded a
                && Objects.equals(count, a.count)
                && Double.compare(log10, a.log10) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, log10);
    }

    /** Reads any of the forms of the class comment; anything else is refused. */
    static final class Reader extends JsonDeserializer<AttemptsNeeded> {
        @Override
        public AttemptsNeeded deserialize(JsonParser p, DeserializationContext ctx)
                throws IOException {
            JsonToken t = p.currentToken();
            String bad = null;
            try {
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    return AttemptsNeeded.of(p.getDecimalValue());
                }
                if (t == JsonToken.VALUE_STRING && UNREACHABLE_TEXT.equals(p.getText())) {
                    return UNREACHABLE;
                }
                if (t == JsonToken.START_OBJECT) {
                    JsonNode o = ctx.readTree(p);
                    JsonNode v = o.get("log10");
                    if (o.size() == 1 && v != null && v.isNumber()) {
                        return AttemptsNeeded.ofLog10(v.doubleValue());
                    }
                    bad = o.toString();
                } else {
                    bad = p.getText();
                }
            } catch (IllegalArgumentException e) {
                bad = e.getMessage();
            }
            throw InvalidFormatException.from(
                    p,
                    "attempts needed must be a number ≥ 1, {\"log10\": x} or \""
                            + UNREACHABLE_TEXT
                            + "\", got "
                            + bad,
                    bad,
                    AttemptsNeeded.class);
        }
    }
}
