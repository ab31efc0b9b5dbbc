package dev.memaudit.model.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Process settings the local runtime needs, to be applied first thing in {@code main}, before any
 * DJL class is touched and while the process has a single thread.
 *
 * <ul>
 *   <li>{@code ai.djl.offline=true}: DJL never downloads and never calls home.
 *   <li>{@code OMP_WAIT_POLICY=PASSIVE} (unless already set): libtorch's OpenMP threads sleep
 *       instead of spinning between operations. On a machine shared with other work, spinning
 *       threads made a GPT-2-small decoding step over 10× slower (2.4 s against 0.2 s measured on a
 *       loaded 2-core VM). OpenMP reads it when libtorch loads, so it is set in the C environment
 *       here.
 * </ul>
 */
public final class RuntimeSetup {
    private static boolean done;

    private RuntimeSetup() {}

    private interface CLibrary extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /** Applies the settings once; later calls do nothing. */
    public static synchronized void configure() {
        if (done) {
            return;
        }
        done = true;
        System.setProperty("ai.djl.offline", "true");
        if (System.getenv("OMP_WAIT_POLICY") == null && (Platform.isLinux() || Platform.isMac())) {
            try {
                Native.load("c", CLibrary.class).setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                // only a performance setting: run without it
            }
        }
    }
}
