package dev.memaudit.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimingsTest {
    @Test
    void phasesRunFromMarkToMarkInOrder() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        Timings t = new Timings(now::get);
        now.addAndGet(250_000_000L);
        t.mark("open");
        now.addAndGet(1_500_000_000L);
        t.mark("scan");
        assertEquals(
                List.of(new Timings.Phase("open", 0.25), new Timings.Phase("scan", 1.5)),
                t.phases());
        assertEquals(
                "  open    0.250 s  14.3 %\n  scan    1.500 s  85.7 %\n  total   1.750 s\n",
                t.format().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void jvmStartIsTheFirstPhase() {
        Timings t = Timings.sinceJvmStart();
        assertEquals("jvm start, command line", t.phases().get(0).name());
        assertTrue(t.phases().get(0).seconds() > 0);
    }
}
