package dev.memaudit.extractor.extract;

import dev.memaudit.core.records.extract.Reconstruction;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import java.util.Arrays;
import java.util.List;

/**
 * Chained greedy reconstruction: the model gets the work's first {@code prefixTokens} true tokens
 * and keeps generating greedily from its own output (chunks of {@code chunkTokens}, the context cut
 * to the model's maximum length), and we count how many tokens come out in order, i.e. the length
 * of the generation's longest prefix equal to the true continuation. Stops at the first wrong token
 * (nothing after it can count), at the end of the work, or after {@code maxTokens}. The result is a
 * {@link Reconstruction} (fields and units there).
 */
public final class ChainedGreedy {
    private ChainedGreedy() {}

    public static Reconstruction run(
            LanguageModel model,
            TokenizedWork work,
            int prefixTokens,
            int chunkTokens,
            int maxTokens) {
        int n = work.length();
        int p = Math.min(prefixTokens, Math.max(0, n - 1));
        int target = Math.min(n - p, maxTokens);
        if (p < 1 || target < 1) {
            return new Reconstruction(0, 0, 0, p < 1 ? 0 : work.charEnd(0, p));
        }
        int maxContext = Math.max(1, model.maxSequenceLength() - chunkTokens);
        int[] stream = Arrays.copyOf(work.ids(), p + target);
        int len = p;
        int generated = 0;
        int inOrder = 0;
        while (inOrder == generated && generated < target) {
            int want = Math.min(chunkTokens, target - generated);
            int[] context = Arrays.copyOfRange(stream, Math.max(0, len - maxContext), len);
            Generation g =
                    model.generate(
                                    List.of(context),
                                    new GenerationSettings(want, 0, 0, 1, 0, false))
                            .get(0);
            for (int t : g.tokens()) {
                if (generated >= target) {
                    break;
                }
                if (inOrder == generated && t == work.ids()[p + generated]) {
                    inOrder++;
                }
                stream[len++] = t;
                generated++;
            }
            if (g.tokens().length == 0) {
                break;
            }
        }
        int charEnd = work.charEnd(0, p + inOrder);
        return new Reconstruction(generated, inOrder, (double) inOrder / (n - p), charEnd);
    }
}
