package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import java.util.List;

/**
 * A rightsholder's reservation of a work against text and data mining, as corpus.yaml declares it
 * ({@code reservation: {kind, since, url}}).
 *
 * @param kind {@code tdmrep} (W3C TDM Reservation Protocol), {@code rsl} (Really Simple Licensing),
 *     {@code robots} (robots.txt) or {@code contract}
 * @param since the date from which it holds, ISO 8601 ({@code 2024-05-01})
 * @param url where it is published; null when not given
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Reservation(String kind, String since, @Nullable String url) {
    /** The kinds corpus.yaml accepts. */
    public static final List<String> KINDS = List.of("tdmrep", "rsl", "robots", "contract");

    /** Whether the reservation is machine-readable (every kind but a contract). */
    public boolean machineReadable() {
        return !kind.equals("contract");
    }

    /** "a machine-readable reservation (tdmrep) since 2024-05-01", for sentences. */
    public String describe() {
        return (machineReadable()
                        ? "a machine-readable reservation (" + kind + ")"
                        : "a contractual reservation")
                + " since "
                + since;
    }
}
