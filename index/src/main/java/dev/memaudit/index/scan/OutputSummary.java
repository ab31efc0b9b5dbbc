package dev.memaudit.index.scan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.text.NormalizedWords;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code outputs.jsonl}: how much of one output is corpus text.
 *
 * @param line 1-based line of the output in its JSONL file (file index for a .txt folder)
 * @param words normalized words in the output
 * @param chars code points in the output
 * @param coveredWords output words inside at least one span
 * @param coveredChars output code points inside at least one span
 * @param fields the output line's other fields, kept as given
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutputSummary(
        String outputId,
        long line,
        String status,
        int words,
        int chars,
        int spans,
        int longestSpanWords,
        String longestSpanWorkId,
        long coveredWords,
        double coveredWordShare,
        long coveredChars,
        double coveredCharShare,
        JsonNode fields) {

    static OutputSummary empty(ScanService.Output o) {
        return new OutputSummary(
                o.id(), o.line(), "empty", 0, 0, 0, 0, null, 0, 0.0, 0, 0.0, o.fields());
    }

    static OutputSummary of(ScanService.Output o, NormalizedWords words, List<Span> spans) {
        int chars = o.text().codePointCount(0, o.text().length());
        int longest = 0;
        String longestWork = null;
        List<int[]> charRanges = new ArrayList<>();
        for (Span s : spans) {
            if (s.words() > longest) {
                longest = s.words();
                longestWork = s.workId();
            }
            charRanges.add(new int[] {s.outputCharStart(), s.outputCharEnd()});
        }
        long coveredChars = Intervals.unionLength(charRanges);
        long coveredWords = 0;
        // Words are in text order, so a word is covered iff its range lies inside a covered range.
        if (!spans.isEmpty()) {
            for (int i = 0; i < words.size(); i++) {
                int st = words.starts()[i];
                for (int[] r : charRanges) {
                    if (r[0] <= st && st < r[1]) {
                        coveredWords++;
                        break;
                    }
                }
            }
        }
        return new OutputSummary(
                o.id(),
                o.line(),
                "scanned",
                words.size(),
                chars,
                spans.size(),
                longest,
                longestWork,
                coveredWords,
                words.size() == 0 ? 0.0 : (double) coveredWords / words.size(),
                coveredChars,
                chars == 0 ? 0.0 : (double) coveredChars / chars,
                o.fields());
    }
}
