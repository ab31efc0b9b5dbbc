package dev.memaudit.index.build;

import dev.memaudit.index.ngram.GramHash;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.BytesTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.util.BytesRef;

/**
 * Emits the n-grams starting at words {@code [from, to)} of a work's word hashes, each as an 8-byte
 * big-endian term at position = index of the gram's first word in the work (so a work split into
 * several documents keeps its positions). The bytes attribute is registered first on purpose: the
 * indexer resolves its term attribute to whichever implementation was added first.
 */
final class GramTokenStream extends TokenStream {
    private final BytesTermAttribute term = addAttribute(BytesTermAttribute.class);
    private final PositionIncrementAttribute increment =
            addAttribute(PositionIncrementAttribute.class);
    private final byte[] bytes = new byte[8];
    private final BytesRef ref = new BytesRef(bytes);
    private final long[] words;
    private final int n;
    private final int from;
    private final int to;
    private int next;

    GramTokenStream(long[] words, int wordCount, int n, int from, int to) {
        this.words = words;
        this.n = n;
        this.from = from;
        this.to = Math.min(to, Math.max(0, wordCount - n + 1));
        this.next = from;
    }

    /** Writes {@code gram} big-endian, the order in which Lucene sorts terms. */
    static void encode(long gram, byte[] out) {
        for (int i = 7; i >= 0; i--) {
            out[i] = (byte) gram;
            gram >>>= 8;
        }
    }

    /** Reads a gram written by {@link #encode}. */
    static long decode(byte[] in, int offset) {
        long g = 0;
        for (int i = 0; i < 8; i++) {
            g = (g << 8) | (in[offset + i] & 0xFF);
        }
        return g;
    }

    @Override
    public boolean incrementToken() {
        if (next >= to) {
            return false;
        }
        clearAttributes();
        encode(GramHash.of(words, next, n), bytes);
        term.setBytesRef(ref);
        // the first token's increment sets its position: position = increment - 1
        increment.setPositionIncrement(next == from ? from + 1 : 1);
        next++;
        return true;
    }

    @Override
    public void reset() throws java.io.IOException {
        super.reset();
        next = from;
    }
}
