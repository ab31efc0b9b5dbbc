package dev.memaudit.core.run;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar with rate and ETA, drawn on stderr only when stderr is a terminal
 * (otherwise every call is a no-op). Redraws at most every 200 ms.
 */
public final class Progress implements AutoCloseable {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int BAR = 24;

    private final PrintStream err;
    private final String label;
    private final String unit;
    private final long total;
    private final boolean enabled;
    private final LongSupplier nanoTime;
    private final long start;
    private final long startDone;
    private long done;
    private long lastDraw = Long.MIN_VALUE;

    Progress(
            PrintStream err,
            String label,
            String unit,
            long total,
            long alreadyDone,
            boolean enabled,
            LongSupplier nanoTime) {
        this.err = err;
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.enabled = enabled;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.done = alreadyDone;
        this.startDone = alreadyDone;
    }

    /**
     * A progress bar.
     *
     * @param total units of work in all, or ≤ 0 when unknown
     * @param alreadyDone units done by an earlier, resumed run (not counted in the rate)
     * @param enabled draw at all (pass {@link #stderrIsTerminal()} from a command)
     */
    public static Progress of(
            PrintStream err,
            String label,
            String unit,
            long total,
            long alreadyDone,
            boolean enabled) {
        return new Progress(err, label, unit, total, alreadyDone, enabled, System::nanoTime);
    }

    /**
     * Best guess whether stderr is an interactive terminal: a console is attached and {@code TERM}
     * is set and not {@code dumb}. Output redirected to a file gets no bars.
     */
    public static boolean stderrIsTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.equals("dumb");
    }

    /** Records {@code n} more units done. */
    public synchronized void advance(long n) {
        done += n;
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (lastDraw == Long.MIN_VALUE || now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            err.print("\r" + line(now));
            err.flush();
        }
    }

    /** The text of the bar at time {@code now} (visible for tests). */
    synchronized String line(long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = (done - startDone) / secs;
        StringBuilder b = new StringBuilder(label).append(' ');
        if (total > 0) {
            double f = Math.min(1, (double) done / total);
            int filled = (int) Math.round(f * BAR);
            b.append('[')
                    .append("#".repeat(filled))
                    .append("-".repeat(BAR - filled))
                    .append("] ")
                    .append(
                            String.format(
                                    Locale.ROOT, "%d/%d %s (%.0f%%)", done, total, unit, 100 * f));
        } else {
            b.append(done).append(' ').append(unit);
        }
        b.append(String.format(Locale.ROOT, "  %.1f %s/s", rate, unit));
        if (total > 0 && rate > 0 && done < total) {
            b.append("  ETA ").append(duration((long) ((total - done) / rate)));
        }
        return b.toString();
    }

    static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
        }
        return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }

    /** Draws the final state and ends the line. */
    @Override
    public synchronized void close() {
        if (enabled) {
            err.println("\r" + line(nanoTime.getAsLong()));
            err.flush();
        }
    }
}
