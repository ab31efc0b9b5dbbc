package dev.memaudit.extractor.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.canary.BpeTrainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WindowPlannerTest {
    @TempDir static Path tmp;
    static ModelTokenizer tok;

    // a byte-level BPE trained on Latin text only: CJK, emoji and accented letters stay split
    // into byte tokens, so some tokens cover a fraction of a character
    @BeforeAll
    static void tokenizer() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            b.append("the quiet harbour keeps its lights on for the late ferry number ")
                    .append(i)
                    .append(". ");
        }
        BpeTrainer.Bpe bpe = BpeTrainer.train(List.of(b.toString()), 400);
        Path f = tmp.resolve("tokenizer.json");
        bpe.write(f);
        tok = ModelTokenizer.load(f);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void windowsTileTheWorkAndTheLastIsAlignedToTheEnd() {
        TokenizedWork w = WindowPlanner.tokenize(tok, "w", text(300));
        int n = w.length();
        List<Window> ws = new WindowPlanner(10, 20, 20).windows(w);
        assertThat(ws.get(0).prefixStart()).isZero();
        assertThat(ws.get(0).suffixStart()).isEqualTo(10);
        assertThat(ws.get(0).suffixEnd()).isEqualTo(30);
        assertThat(ws.get(1).prefixStart()).isEqualTo(20);
        Window last = ws.get(ws.size() - 1);
        assertThat(last.suffixEnd()).isEqualTo(n);
        assertThat(last.suffixTokens()).isEqualTo(20);
        assertThat(last.prefixTokens()).isEqualTo(10);
        for (int i = 0; i < ws.size(); i++) {
            assertThat(ws.get(i).index()).isEqualTo(i);
        }
        // every token after the first prefix is in some suffix
        boolean[] covered = new boolean[n];
        for (Window x : ws) {
            for (int t = x.suffixStart(); t < x.suffixEnd(); t++) {
                covered[t] = true;
            }
        }
        for (int t = 10; t < n; t++) {
            assertThat(covered[t]).as("token %d", t).isTrue();
        }
    }

    @Test
    void offsetsAreExactCodePointsAlsoWhereBytesSplitCharacters() {
        String text =
                "Ferry 𝔉𝔢𝔯𝔯𝔶 at dawn 🚢🌊, café crème, 港の灯り; the quiet harbour 😀 keeps"
                        + " its lights on.";
        TokenizedWork w = WindowPlanner.tokenize(tok, "w", text);
        int cps = CodePoints.count(text);
        // the tokens' spans cover the text in order; a split character's pieces share its span
        int splitTokens = 0;
        for (int i = 0; i < w.length(); i++) {
            assertThat(w.starts()[i]).isBetween(0, cps);
            assertThat(w.ends()[i]).isBetween(w.starts()[i], cps);
            if (i > 0 && w.starts()[i] == w.starts()[i - 1]) {
                splitTokens++;
            }
        }
        assertThat(splitTokens).as("some characters split into byte tokens").isPositive();
        assertThat(w.ends()[w.length() - 1]).isEqualTo(cps);
        for (int s = 1; s <= 6; s++) {
            for (Window x : new WindowPlanner(s, s + 1, s).windows(w)) {
                String suffix = CodePoints.substring(text, x.suffixCharStart(), x.suffixCharEnd());
                String decoded = tok.decode(w.slice(x.suffixStart(), x.suffixEnd()));
                // the decoded tokens are the suffix text, minus the parts of split characters at
                // its ends that belong to neighbouring tokens
                String clean = decoded.replace("\uFFFD", "");
                assertThat(suffix).contains(clean);
                assertThat(x.prefixCharStart()).isLessThanOrEqualTo(x.suffixCharStart());
                assertThat(x.suffixCharEnd()).isLessThanOrEqualTo(cps);
                if (!decoded.contains("\uFFFD")) {
                    assertThat(suffix).isEqualTo(decoded);
                }
            }
        }
    }

    @Test
    void suffixBoundaryInsideACharacterGivesOverlappingSpansOfThatCharacter() {
        String text = "😀😀😀";
        TokenizedWork w = WindowPlanner.tokenize(tok, "w", text);
        assertThat(w.length()).isEqualTo(12); // four UTF-8 bytes each, none merged
        List<Window> ws = new WindowPlanner(2, 4, 4).windows(w);
        Window first = ws.get(0);
        // prefix = two bytes of the first emoji, suffix = its last two and two of the second
        assertThat(first.prefixCharStart()).isZero();
        assertThat(first.prefixCharEnd()).isEqualTo(1);
        assertThat(first.suffixCharStart()).isZero();
        assertThat(first.suffixCharEnd()).isEqualTo(2);
    }

    @Test
    void aWorkShorterThanOneWindowGetsOneShortWindow() {
        TokenizedWork w = WindowPlanner.tokenize(tok, "w", "the quiet ferry");
        int n = w.length();
        assertThat(n).isBetween(2, 9);
        List<Window> ws = new WindowPlanner(50, 50, 50).windows(w);
        assertThat(ws).hasSize(1);
        Window x = ws.get(0);
        assertThat(x.prefixStart()).isZero();
        assertThat(x.suffixEnd()).isEqualTo(n);
        assertThat(x.prefixTokens()).isEqualTo((n + 1) / 2);
        assertThat(x.prefixCharStart()).isZero();
        assertThat(x.suffixCharEnd()).isEqualTo(CodePoints.count("the quiet ferry"));
        assertThat(CodePoints.substring("the quiet ferry", x.suffixCharStart(), x.suffixCharEnd()))
                .isEqualTo(tok.decode(w.slice(x.suffixStart(), x.suffixEnd())));
    }

    @Test
    void emptyAndOneTokenWorksHaveNoWindows() {
        assertThat(new WindowPlanner(5, 5, 5).windows(WindowPlanner.tokenize(tok, "e", "")))
                .isEmpty();
        assertThat(new WindowPlanner(5, 5, 5).windows(WindowPlanner.tokenize(tok, "e", "a")))
                .isEmpty();
    }

    @Test
    void badSettingsAreRejectedTogether() {
        assertThatThrownBy(() -> new WindowPlanner(0, 5, 0))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("prefix tokens must be between 1 and 100000, got 0")
                .hasMessageContaining("stride must be between 1 and 1000000, got 0");
    }

    private static String text(int words) {
        StringBuilder b = new StringBuilder();
        String[] vocab = {"the", "quiet", "harbour", "keeps", "lights", "ferry", "late", "on"};
        for (int i = 0; i < words; i++) {
            b.append(vocab[(i * 7 + i / 3) % vocab.length]).append(i % 11 == 10 ? ". " : " ");
        }
        return b.toString();
    }
}
