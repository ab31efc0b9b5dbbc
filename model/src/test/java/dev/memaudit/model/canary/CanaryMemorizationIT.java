package dev.memaudit.model.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default canary settings make a model that greedily reproduces member passages and not
 * non-member ones. Takes minutes on 2 cores.
 */
class CanaryMemorizationIT {
    @TempDir Path tmp;

    @Test
    void defaultSettingsMemorizeMembersOnly() {
        List<CorpusText> texts = CanaryTrainerTest.corpus(6, 300);
        CanaryConfig cfg =
                CanaryConfig.defaults().withMembers(Set.of("work-0", "work-2", "work-4"));
        CanaryResult r = CanaryTrainer.train(cfg, texts, tmp.resolve("canary"), System.err);
        try (DjlLanguageModel m = ModelLoader.load(r.outDir())) {
            for (CorpusText t : texts) {
                int[] ids = m.tokenizer().encodeIds(t.text());
                int exact = 0;
                int windows = 0;
                for (int start = 0; start + 64 <= ids.length; start += 61) {
                    int[] prefix = Arrays.copyOfRange(ids, start, start + 32);
                    int[] want = Arrays.copyOfRange(ids, start + 32, start + 64);
                    int[] got =
                            m.generate(List.of(prefix), GenerationSettings.greedy(32))
                                    .get(0)
                                    .tokens();
                    windows++;
                    if (Arrays.equals(want, got)) {
                        exact++;
                    }
                }
                System.err.printf(
                        "%s member=%s: %d/%d windows reproduced exactly%n",
                        t.id(), r.members().contains(t.id()), exact, windows);
                if (r.members().contains(t.id())) {
                    assertThat(exact).as(t.id()).isGreaterThanOrEqualTo((int) (0.8 * windows));
                } else {
                    assertThat(exact).as(t.id()).isZero();
                }
            }
        }
    }
}
