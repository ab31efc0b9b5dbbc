package dev.memaudit.core.run;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Wall-clock seconds of a command's phases, in the order they ended, for {@code --timings}. A phase
 * is timed from the previous mark (or from construction) to {@link #mark}; the time from the JVM's
 * start to construction can be the first phase ({@link #sinceJvmStart}). Not thread-safe: marks
 * come from the command's own thread.
 */
public final class Timings {
    /** One phase: its name and wall-clock seconds. */
    public record Phase(String name, double seconds) {}

    private final LongSupplier nanoTime;
    private final List<Phase> phases = new ArrayList<>();
    private final long origin;
    private long last;

    /**
     * Timings from now, with the JVM's start-up before it (from the JVM's own start time: class
     * loading, the command line's parsing; not a launcher script before it) as the first phase.
     */
    public static Timings sinceJvmStart() {
        Timings t = new Timings(System::nanoTime);
        long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        t.phases.add(
                new Phase(
                        "jvm start, command line",
                        Math.max(0, System.currentTimeMillis() - startMillis) / 1e3));
        return t;
    }

    Timings(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.origin = nanoTime.getAsLong();
        this.last = origin;
    }

    /** Ends the phase that ran since the previous mark and names it. */
    public void mark(String phase) {
        long now = nanoTime.getAsLong();
        phases.add(new Phase(phase, (now - last) / 1e9));
        last = now;
    }

    /** The phases so far, in order. */
    public List<Phase> phases() {
        return List.copyOf(phases);
    }

    /** Prints {@link #format()} under a heading to {@code err} (a command's error stream). */
    public void printTo(java.io.PrintWriter err) {
        err.print("memaudit: timings (wall clock)\n" + format());
        err.flush();
    }

    /** One line per phase ({@code name seconds share}), then the total. */
    public String format() {
        double total = 0;
        for (Phase p : phases) {
            total += p.seconds();
        }
        StringBuilder sb = new StringBuilder();
        int width = 5;
        for (Phase p : phases) {
            width = Math.max(width, p.name().length());
        }
        for (Phase p : phases) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  %-" + width + "s %7.3f s %5.1f %%%n",
                            p.name(),
                            p.seconds(),
                            total > 0 ? 100 * p.seconds() / total : 0));
        }
        sb.append(String.format(Locale.ROOT, "  %-" + width + "s %7.3f s%n", "total", total));
        return sb.toString();
    }
}
