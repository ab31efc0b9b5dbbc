package dev.memaudit.index.scan;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.index.build.GramPoints;
import dev.memaudit.index.build.IndexBuilder;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PointValues;

/**
 * Gram lookups against the Lucene points (see {@link GramPoints}): a range query per leaf for
 * [gram|0, gram|2^32-1], walking one reused {@link PointValues.PointTree} per leaf. Not
 * thread-safe: one per scanning thread.
 */
public final class LucenePoints implements GramLookup, GramPoints.Visitor {
    private final NgramIndex index;
    private final PointValues.PointTree[] trees;
    private final byte[] lo = new byte[GramPoints.BYTES];
    private final byte[] hi = new byte[GramPoints.BYTES];
    private final PointValues.IntersectVisitor visitor = asIntersectVisitor();
    private long lookups;
    private int leaf;
    private IntList out;

    LucenePoints(NgramIndex index) throws IOException {
        this.index = index;
        List<LeafReaderContext> leaves = index.reader().leaves();
        trees = new PointValues.PointTree[leaves.size()];
        for (int l = 0; l < leaves.size(); l++) {
            PointValues points = leaves.get(l).reader().getPointValues(IndexBuilder.GRAM_FIELD);
            trees[l] = points == null ? null : points.getPointTree();
        }
    }

    @Override
    public int occurrences(long gram, IntList out) {
        out.clear();
        this.out = out;
        lookups++;
        try {
            for (int l = 0; l < trees.length; l++) {
                if (trees[l] != null) {
                    leaf = l;
                    GramPoints.forGram(trees[l], gram, lo, hi, visitor);
                }
            }
        } catch (IOException e) {
            throw MemauditException.integrity("cannot read the Lucene index in " + index.dir(), e);
        }
        return out.size();
    }

    @Override
    public void point(int doc, byte[] packed) {
        if (Arrays.equals(packed, 0, 8, lo, 0, 8)) {
            out.add(index.store().base(index.ordinal(leaf, doc)) + GramPoints.position(packed));
        }
    }

    /** Number of lookups made. */
    public long lookups() {
        return lookups;
    }
}
