package dev.memaudit.extractor.ppl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.model.Encoded;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkerTest {
    /** n tokens of 3 code points each, separated by nothing: token i covers [3i, 3i+3). */
    static Encoded tokens(int n) {
        int[] ids = new int[n];
        int[] s = new int[n];
        int[] e = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
            s[i] = 3 * i;
            e[i] = 3 * i + 3;
        }
        return new Encoded(ids, s, e);
    }

    @Test
    void cutsConsecutiveChunksAndKeepsALongEnoughTail() {
        List<Chunker.Chunk> c = Chunker.chunks(tokens(40), 16, 120);
        assertThat(c).hasSize(3); // 16 + 16 + 8 (8 ≥ half of 16)
        assertThat(c.get(1).index()).isEqualTo(1);
        assertThat(c.get(1).ids()[0]).isEqualTo(16);
        assertThat(c.get(1).charStart()).isEqualTo(48);
        assertThat(c.get(1).charEnd()).isEqualTo(96);
        assertThat(c.get(2).ids()).hasSize(8);
        assertThat(c.get(2).charEnd()).isEqualTo(120);
    }

    @Test
    void dropsAShortTailAndShortTexts() {
        assertThat(Chunker.chunks(tokens(39), 16, 117)).hasSize(2); // tail of 7 < 8
        assertThat(Chunker.chunks(tokens(7), 16, 21)).isEmpty();
    }

    @Test
    void tokensWithoutSpansTakeTheirNeighboursOffsets() {
        Encoded e = tokens(16);
        e.starts()[0] = -1;
        e.ends()[15] = -1;
        Chunker.Chunk c = Chunker.chunks(e, 16, 48).get(0);
        assertThat(c.charStart()).isEqualTo(3);
        assertThat(c.charEnd()).isEqualTo(45);
    }
}
