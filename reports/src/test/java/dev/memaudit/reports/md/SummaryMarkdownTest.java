package dev.memaudit.reports.md;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.reports.Fixtures;
import dev.memaudit.reports.ReportInfo;
import dev.memaudit.reports.run.RunLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryMarkdownTest {
    @Test
    void untrustedTextCannotBreakTheTableOrBecomeMarkup() {
        assertThat(SummaryMarkdown.md("a|b [x](http://e) <img> `c`\nd"))
                .isEqualTo("a\\|b \\[x\\]\\(http://e\\) &lt;img&gt; \\`c\\` d");
    }

    @Test
    void listsTheStagesAndOneRowPerWork() {
        String md =
                SummaryMarkdown.render(
                        new RunLoader(Fixtures.texts(), 5).load(Fixtures.root().resolve("audit")),
                        new ReportInfo("t", "now", List.of("report"), "audit"));
        assertThat(md)
                .contains("- scan: ran\n- extract: ran\n- ppl: ran\n")
                .contains("| alpha | The Lantern Orchard | 28 | 1 | 50.0% | 2 | 2/7 | 2.00e-06 |")
                .contains("| gamma | &lt;b&gt;Bold&lt;/b&gt; &amp; \"Quoted\" Title |")
                .contains("weak evidence");
    }
}
