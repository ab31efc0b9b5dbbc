package dev.memaudit.index.build;

import dev.memaudit.index.ngram.GramHash;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.util.BytesRef;

/**
 * One Lucene document: a work's id and the n-grams starting at words {@code [from, to)} of it, each
 * as a one-dimensional 12-byte point: the gram hash big-endian (8 bytes), then the word index of
 * the gram's first word in the work (4 bytes, big-endian). Unsigned byte order of the points is
 * therefore (gram, position): all occurrences of a gram are adjacent in the BKD tree, and a lookup
 * is a range query [gram|0, gram|2^32-1].
 *
 * <p>A document is an iterable of fields to Lucene; this one reuses a single point field and fills
 * its bytes in place as Lucene iterates, because the indexer copies each point value as it goes.
 * Iterating twice (Lucene does: schema, then values) gives the same points.
 */
public final class GramPoints implements Iterable<IndexableField> {
    /** Bytes per point. */
    public static final int BYTES = 12;

    static final FieldType TYPE = new FieldType();

    static {
        TYPE.setDimensions(1, BYTES);
        TYPE.freeze();
    }

    private final StringField id;
    private final long[] words;
    private final int n;
    private final int from;
    private final int to;
    private final byte[] bytes = new byte[BYTES];
    private final Field point;

    GramPoints(String id, long[] words, int wordCount, int n, int from, int to) {
        this.id = new StringField(IndexBuilder.ID_FIELD, id, Field.Store.YES);
        this.words = words;
        this.n = n;
        this.from = from;
        this.to = Math.min(to, Math.max(0, wordCount - n + 1));
        this.point = new Field(IndexBuilder.GRAM_FIELD, new BytesRef(bytes), TYPE);
    }

    /** Writes point (gram, position) into {@code out[0..12)}. */
    public static void encode(long gram, int position, byte[] out) {
        for (int i = 7; i >= 0; i--) {
            out[i] = (byte) gram;
            gram >>>= 8;
        }
        out[8] = (byte) (position >>> 24);
        out[9] = (byte) (position >>> 16);
        out[10] = (byte) (position >>> 8);
        out[11] = (byte) position;
    }

    /** The gram of a point. */
    public static long gram(byte[] point) {
        long g = 0;
        for (int i = 0; i < 8; i++) {
            g = (g << 8) | (point[i] & 0xFF);
        }
        return g;
    }

    /** The position (word index in the work) of a point. */
    public static int position(byte[] point) {
        return ((point[8] & 0xFF) << 24)
                | ((point[9] & 0xFF) << 16)
                | ((point[10] & 0xFF) << 8)
                | (point[11] & 0xFF);
    }

    /** Receives points: the segment-local document and the packed (gram, position) bytes. */
    public interface Visitor {
        void point(int doc, byte[] packed);

        /**
         * This visitor as Lucene's: every cell crosses, so every point comes with its value. Make
         * it once per caller, not per lookup.
         */
        default PointValues.IntersectVisitor asIntersectVisitor() {
            Visitor self = this;
            return new PointValues.IntersectVisitor() {
                @Override
                public void visit(int docID) {
                    throw new IllegalStateException("points visited without values");
                }

                @Override
                public void visit(int docID, byte[] packedValue) {
                    self.point(docID, packedValue);
                }

                @Override
                public PointValues.Relation compare(byte[] min, byte[] max) {
                    return PointValues.Relation.CELL_CROSSES_QUERY;
                }
            };
        }
    }

    /** Visits every point of the tree, in ascending (gram, position) order. */
    public static void forEach(PointValues.PointTree tree, Visitor visitor) throws IOException {
        visit(tree, null, null, visitor.asIntersectVisitor());
    }

    /**
     * Visits the points of {@code gram}, in position order; {@code lo} and {@code hi} are scratch
     * arrays of {@link #BYTES} bytes and {@code visitor} comes from {@link
     * Visitor#asIntersectVisitor}. Some points of other grams may be visited too (those sharing a
     * leaf), so the visitor must compare the gram.
     */
    public static void forGram(
            PointValues.PointTree tree,
            long gram,
            byte[] lo,
            byte[] hi,
            PointValues.IntersectVisitor visitor)
            throws IOException {
        encode(gram, 0, lo);
        encode(gram, -1, hi);
        visit(tree, lo, hi, visitor);
    }

    /** Depth-first over the cells that can hold points in [lo, hi] (all when lo is null). */
    private static void visit(
            PointValues.PointTree tree, byte[] lo, byte[] hi, PointValues.IntersectVisitor visitor)
            throws IOException {
        if (lo != null
                && (Arrays.compareUnsigned(tree.getMinPackedValue(), 0, BYTES, hi, 0, BYTES) > 0
                        || Arrays.compareUnsigned(tree.getMaxPackedValue(), 0, BYTES, lo, 0, BYTES)
                                < 0)) {
            return;
        }
        if (tree.moveToChild()) {
            do {
                visit(tree, lo, hi, visitor);
            } while (tree.moveToSibling());
            tree.moveToParent();
        } else {
            tree.visitDocValues(visitor);
        }
    }

    @Override
    public Iterator<IndexableField> iterator() {
        return new Iterator<>() {
            private int next = from - 1; // from - 1: the id field

            @Override
            public boolean hasNext() {
                return next < to;
            }

            @Override
            public IndexableField next() {
                if (next >= to) {
                    throw new NoSuchElementException();
                }
                int p = next++;
                if (p < from) {
                    return id;
                }
                encode(GramHash.of(words, p, n), p, bytes);
                return point;
            }
        };
    }
}
