package dev.memaudit.index.scan;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.index.build.IndexBuilder;
import java.io.IOException;
import java.util.List;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.BytesRef;

/**
 * Gram lookups against the Lucene index, reusing one {@link TermsEnum} and {@link PostingsEnum} per
 * leaf (a fresh enum per lookup is 3-4x slower). Not thread-safe.
 */
public final class LucenePostings implements GramLookup {
    private final NgramIndex index;
    private final TermsEnum[] terms;
    private final PostingsEnum[] postings;
    private final byte[] bytes = new byte[8];
    private final BytesRef ref = new BytesRef(bytes);
    private long lookups;

    LucenePostings(NgramIndex index) throws IOException {
        this.index = index;
        List<LeafReaderContext> leaves = index.reader().leaves();
        terms = new TermsEnum[leaves.size()];
        postings = new PostingsEnum[leaves.size()];
        for (int l = 0; l < leaves.size(); l++) {
            Terms t = leaves.get(l).reader().terms(IndexBuilder.GRAM_FIELD);
            terms[l] = t == null ? null : t.iterator();
        }
    }

    @Override
    public int occurrences(long gram, IntList out) {
        out.clear();
        lookups++;
        for (int i = 7; i >= 0; i--) {
            bytes[i] = (byte) gram;
            gram >>>= 8;
        }
        try {
            for (int l = 0; l < terms.length; l++) {
                TermsEnum te = terms[l];
                if (te == null || !te.seekExact(ref)) {
                    continue;
                }
                PostingsEnum pe = te.postings(postings[l], PostingsEnum.POSITIONS);
                postings[l] = pe;
                for (int doc = pe.nextDoc();
                        doc != DocIdSetIterator.NO_MORE_DOCS;
                        doc = pe.nextDoc()) {
                    int base = index.store().base(index.ordinal(l, doc));
                    for (int f = pe.freq(); f > 0; f--) {
                        out.add(base + pe.nextPosition());
                    }
                }
            }
        } catch (IOException e) {
            throw MemauditException.integrity("cannot read the Lucene index in " + index.dir(), e);
        }
        return out.size();
    }

    /** Number of lookups made. */
    public long lookups() {
        return lookups;
    }
}
