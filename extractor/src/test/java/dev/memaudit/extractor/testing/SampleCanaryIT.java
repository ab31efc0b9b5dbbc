package dev.memaudit.extractor.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.extractor.extract.Scheme;
import dev.memaudit.extractor.extract.WindowScorer;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The shared canary memorizes its members and nothing else (trains it on first use). */
class SampleCanaryIT {

    @Test
    void greedyReproducesMemberWindowsOnly() {
        try (DjlLanguageModel m = ModelLoader.load(SampleCanary.modelDir())) {
            WindowScorer scorer = new WindowScorer(m, List.of(Scheme.parse("t0.5")));
            WindowPlanner planner = new WindowPlanner(32, 32, 32);
            for (CorpusText t : SampleCanary.texts()) {
                TokenizedWork tw = WindowPlanner.tokenize(m.tokenizer(), t.id(), t.text());
                List<Window> windows = planner.windows(tw);
                // offsets with the real byte-level tokenizer, non-BMP text included: each suffix
                // span holds exactly the decoded suffix (less the bytes of characters split at
                // its ends)
                for (Window x : windows) {
                    String span =
                            CodePoints.substring(t.text(), x.suffixCharStart(), x.suffixCharEnd());
                    String decoded = m.tokenizer().decode(tw.slice(x.suffixStart(), x.suffixEnd()));
                    if (decoded.contains("\uFFFD")) {
                        assertThat(span).contains(decoded.replace("\uFFFD", ""));
                    } else {
                        assertThat(span).as("%s window %d", t.id(), x.index()).isEqualTo(decoded);
                    }
                }
                List<WindowRecord> recs = new ArrayList<>();
                for (int i = 0; i < windows.size(); i += 16) {
                    recs.addAll(
                            scorer.score(tw, windows.subList(i, Math.min(windows.size(), i + 16))));
                }
                long greedy = recs.stream().filter(WindowRecord::greedyExtractable).count();
                double[] pz = recs.stream().mapToDouble(r -> r.pZ().get("t1")).sorted().toArray();
                double[] pz05 =
                        recs.stream().mapToDouble(r -> r.pZ().get("t0.5")).sorted().toArray();
                boolean member = SampleCanary.members().contains(t.id());
                System.err.printf(
                        Locale.ROOT,
                        "%s member=%s: %d/%d greedy-extractable, median p_z t1 %.3g, t0.5 %.3g%n",
                        t.id(),
                        member,
                        greedy,
                        recs.size(),
                        pz[pz.length / 2],
                        pz05[pz05.length / 2]);
                if (member) {
                    assertThat(greedy).as(t.id()).isGreaterThanOrEqualTo(recs.size() * 7 / 10);
                } else {
                    assertThat(greedy).as(t.id()).isZero();
                }
            }
        }
    }
}
