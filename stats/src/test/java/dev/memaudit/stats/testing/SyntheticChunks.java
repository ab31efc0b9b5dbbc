package dev.memaudit.stats.testing;

import dev.memaudit.core.records.ppl.ChunkRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Synthetic ppl chunk sets with a known member-like shift, for statistics and file tests. */
public final class SyntheticChunks {
    private SyntheticChunks() {}

    /**
     * Chunks of one text; {@code shift} &gt; 0 makes them member-like (lower NLL, higher Min-K).
     */
    public static List<ChunkRecord> text(
            String set, String id, int n, double shift, double zlibShare, SplittableRandom r) {
        List<ChunkRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double nll = 3.0 - shift + r.nextGaussian() * 0.3;
            Map<String, Double> f = new LinkedHashMap<>();
            f.put("nll", nll);
            f.put("ppl", Math.exp(nll));
            f.put("min_k_20", -2 * nll + r.nextGaussian() * 0.2);
            int bytes = 500;
            out.add(
                    new ChunkRecord(
                            ChunkRecord.SCHEMA_VERSION,
                            set,
                            id,
                            i,
                            i * 500,
                            (i + 1) * 500,
                            128,
                            500,
                            bytes,
                            (int) (bytes * (zlibShare + r.nextGaussian() * 0.01)),
                            f));
        }
        return out;
    }

    public static List<ChunkRecord> controls(SplittableRandom r, int texts, int chunksEach) {
        List<ChunkRecord> c = new ArrayList<>();
        for (int t = 0; t < texts; t++) {
            c.addAll(text(ChunkRecord.CONTROL, "control-" + t, chunksEach, 0, 0.5, r));
        }
        return c;
    }
}
