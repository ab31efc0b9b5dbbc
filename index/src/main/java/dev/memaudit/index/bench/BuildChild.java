package dev.memaudit.index.bench;

import dev.memaudit.core.io.Json;
import dev.memaudit.index.build.BuildReport;
import dev.memaudit.index.build.IndexBuilder;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Builds an index in its own JVM, so the benchmark measures the build under the heap limit it was
 * started with (-Xmx1g) and with a cold JIT, as a user's {@code index build} runs. Prints the
 * {@link BuildReport} as JSON on stdout. Arguments: corpus folder, index folder, threads.
 */
public final class BuildChild {
    private BuildChild() {}

    public static void main(String[] args) throws Exception {
        BuildReport r =
                new IndexBuilder(Clock.systemUTC(), msg -> System.err.println("build: " + msg))
                        .build(
                                Path.of(args[0]),
                                Path.of(args[1]),
                                new IndexBuilder.Options(8, false, Integer.parseInt(args[2])));
        System.out.println(Json.MAPPER.writeValueAsString(r));
    }
}
