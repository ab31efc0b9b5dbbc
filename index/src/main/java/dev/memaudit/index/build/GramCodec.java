package dev.memaudit.index.build;

import java.io.IOException;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.PointsFormat;
import org.apache.lucene.codecs.PointsReader;
import org.apache.lucene.codecs.PointsWriter;
import org.apache.lucene.codecs.lucene90.Lucene90PointsReader;
import org.apache.lucene.codecs.lucene90.Lucene90PointsWriter;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Lucene's default codec with smaller point leaves: {@value #POINTS_PER_LEAF} points per BKD leaf
 * instead of 512. A gram lookup reads one leaf; decoding 512 points made a lookup about 10 µs, 64
 * points about 3.5 µs (50 MB corpus, 2-vCPU VM), for a 4 % larger index. The files stay Lucene
 * 9.12's own formats; only the writer's leaf size differs. Registered through {@code
 * META-INF/services} so that readers find it by name.
 */
public final class GramCodec extends FilterCodec {
    /** The codec name written into every segment. */
    public static final String NAME = "MemauditGrams912";

    /** Points per BKD leaf. */
    static final int POINTS_PER_LEAF = 64;

    /**
     * Megabytes of heap the points writer may sort in before spilling to disk (Lucene's default).
     */
    private static final double SORT_HEAP_MB = 16.0;

    private final PointsFormat points =
            new PointsFormat() {
                @Override
                public PointsWriter fieldsWriter(SegmentWriteState state) throws IOException {
                    return new Lucene90PointsWriter(state, POINTS_PER_LEAF, SORT_HEAP_MB);
                }

                @Override
                public PointsReader fieldsReader(SegmentReadState state) throws IOException {
                    return new Lucene90PointsReader(state);
                }
            };

    /** For Lucene's service loader. */
    public GramCodec() {
        super(NAME, new Lucene912Codec());
    }

    @Override
    public PointsFormat pointsFormat() {
        return points;
    }
}
