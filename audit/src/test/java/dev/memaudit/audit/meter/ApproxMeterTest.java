package dev.memaudit.audit.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.meter.ApproxSummary;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.model.influence.Behaviour;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.testing.TinyModels;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API that other commands (meter validate) call: texts by id, no index. */
class ApproxMeterTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir Path tmp;

    private static final List<Behaviour> BEHAVIOURS =
            List.of(
                    new Behaviour("b1", "the keeper", "rang the bell at night", "own", "a"),
                    new Behaviour("b2", null, "gulls over the grey harbour", "given", null),
                    new Behaviour("b3", null, "x", "given", null));

    @Test
    void metersTextsGivenDirectlyAndReturnsWhatItWrote() throws Exception {
        Path model = tmp.resolve("model");
        TinyModels.write(model, TinyModels.config(Architecture.LLAMA, "gqa", 300), 2, 0.2);
        Map<String, String> works =
                Map.of(
                        "a", "the keeper rang the bell at night and the fog came in. ".repeat(6),
                        "b", "salt and rope and tide on the stones of the shore. ".repeat(6));
        ApproxMeter.Options o =
                ApproxMeter.Options.of(
                        model,
                        works,
                        Map.of("r", "a quiet town inland with fields and roads. ".repeat(6)),
                        BEHAVIOURS,
                        "unlearn");
        // the tiny model's context is 64 tokens
        o = o.withSettings(new ApproxMeter.Settings("unlearn", 32, 4, 4, 2, 0.5, 1.0, 1.0, 64, 1));
        Path out = tmp.resolve("out");
        ApproxMeter.Result r = ApproxMeter.run(o, out, QUIET);
        // b3 is a single token with no prompt: nothing to score, so it is skipped with a reason
        assertThat(r.summary().skipped()).containsOnlyKeys("b3");
        assertThat(r.records()).hasSize(4);
        assertThat(r.records())
                .extracting(InfluenceRecord::workId)
                .containsExactly("a", "a", "b", "b");
        assertThat(Records.readAll(out.resolve("influence.jsonl"), InfluenceRecord.class))
                .isEqualTo(r.records());
        ApproxSummary s = Records.read(out.resolve("approx.json"), ApproxSummary.class);
        assertThat(s).isEqualTo(r.summary());
        assertThat(s.works()).extracting(ApproxSummary.WorkCost::workId).containsExactly("a", "b");
        assertThat(s.works().get(0).byKind()).containsKeys("own", "given");
        assertThat(s.works().get(1).byKind()).containsKeys("other", "given");
        assertThat(s.works().get(0).retainNllAfter()).isNotNull();
    }

    @Test
    void refusesAnUnknownMethodAndMissingRetainText() throws Exception {
        Path model = tmp.resolve("m");
        assertThatThrownBy(
                        () ->
                                ApproxMeter.run(
                                        ApproxMeter.Options.of(
                                                model,
                                                Map.of("a", "t"),
                                                Map.of(),
                                                BEHAVIOURS,
                                                "tracin"),
                                        tmp.resolve("o1"),
                                        QUIET))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("--method must be unlearn or gradient, got tracin");
        assertThatThrownBy(
                        () ->
                                ApproxMeter.run(
                                        ApproxMeter.Options.of(
                                                model,
                                                Map.of("a", "t"),
                                                Map.of(),
                                                BEHAVIOURS,
                                                "unlearn"),
                                        tmp.resolve("o2"),
                                        QUIET))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("unlearn needs retain text");
    }
}
