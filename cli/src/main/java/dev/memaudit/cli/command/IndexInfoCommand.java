package dev.memaudit.cli.command;

import dev.memaudit.core.io.Json;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.scan.NgramIndex;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit index info}: opens and verifies an index, then describes it. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = {
            "Verify an index (manifest, Lucene commit, store and sidecar checksums) and describe it.",
            "Checksums are recomputed once per set of files (recorded in verified.json, keyed by"
                    + " each file's size, time and inode); --check recomputes them always."
        })
public final class IndexInfoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin IndexOption index;

    @Mixin FormatOption format;

    @Option(
            names = "--check",
            description =
                    "Recompute every checksum, even those a full check already recorded in the"
                            + " index's verified.json for these very files.")
    boolean check;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        try (NgramIndex idx =
                NgramIndex.open(
                        index.path(),
                        check ? NgramIndex.Check.FULL : NgramIndex.Check.ONCE,
                        null)) {
            IndexManifest m = idx.manifest();
            if (format.json()) {
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("verified", true);
                info.put("checksums_computed", idx.checksumsComputed());
                info.put("manifest", m);
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(info));
            } else {
                out.printf(
                        Locale.ROOT,
                        "index        %s (verified%s)%n",
                        index.path(),
                        idx.checksumsComputed()
                                ? ""
                                : "; checksums as recorded by an earlier full check, --check"
                                        + " recomputes them");
                out.printf(
                        Locale.ROOT,
                        "format       %s v%d, uid %s, generation %d%n",
                        m.format(),
                        m.formatVersion(),
                        m.indexUid(),
                        m.generation());
                out.printf(
                        Locale.ROOT,
                        "analysis     %d-grams of normalized words (normalizer v%d, hash %s)%n",
                        m.ngram(),
                        m.normalizerVersion(),
                        m.gramHash());
                out.printf(
                        Locale.ROOT,
                        "contents     %d works, %,d words, %,d distinct grams, %,d repeated grams%n",
                        m.works().size(),
                        m.totalWords(),
                        m.distinctGrams(),
                        m.hotGrams());
                out.printf(
                        Locale.ROOT,
                        "built        %s, updated %s, by memaudit %s%n",
                        m.created(),
                        m.updated(),
                        m.toolVersion());
                out.println("works:");
                for (IndexManifest.WorkInfo w : m.works()) {
                    out.printf(
                            Locale.ROOT,
                            "  %-32s %7d words  %-5s %s  %s%n",
                            w.id(),
                            w.words(),
                            w.format(),
                            w.sourceSha256().substring(0, 12),
                            w.title() == null ? "" : w.title());
                }
            }
        }
        out.flush();
        return 0;
    }
}
