package dev.memaudit.reports.run;

import dev.memaudit.core.text.CodePointIndex;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two sides of a near-verbatim passage as segments: words the alignment matches are shared,
 * words it substitutes, inserts or deletes are edits, so the report shows the changes in place.
 */
final class NearSegments {
    private static final Pattern RUN = Pattern.compile("(\\d+)([=XIDJP])");

    private NearSegments() {}

    /**
     * The output side and the work side of the passage (code points {@code [os, oe)} of {@code
     * out}, {@code [ws, we)} of {@code work}); null when the alignment does not fit the words there
     * (a passage from another normalizer version, say), so the caller shows it unmarked.
     */
    static List<List<Passage.Segment>> of(
            String alignment,
            CodePointIndex out,
            int os,
            int oe,
            CodePointIndex work,
            int ws,
            int we) {
        String a = out.substring(os, oe);
        String b = work.substring(ws, we);
        NormalizedWords wa = WordNormalizer.normalize(a);
        NormalizedWords wb = WordNormalizer.normalize(b);
        boolean[] editA = new boolean[wa.size()];
        boolean[] editB = new boolean[wb.size()];
        int i = 0;
        int j = 0;
        Matcher m = RUN.matcher(alignment);
        int consumed = 0;
        while (m.find()) {
            consumed += m.group().length();
            int n = Integer.parseInt(m.group(1));
            char op = m.group(2).charAt(0);
            int da = op == 'D' ? 0 : op == 'J' ? 2 : 1;
            int db = op == 'I' ? 0 : op == 'P' ? 2 : 1;
            boolean edit = op == 'X' || op == 'I' || op == 'D';
            for (int k = 0; k < n; k++) {
                if (i + da > wa.size() || j + db > wb.size()) {
                    return null;
                }
                for (int t = 0; t < da; t++) {
                    editA[i + t] = edit;
                }
                for (int t = 0; t < db; t++) {
                    editB[j + t] = edit;
                }
                i += da;
                j += db;
            }
        }
        if (consumed != alignment.length() || i != wa.size() || j != wb.size()) {
            return null;
        }
        return List.of(segments(a, wa, editA), segments(b, wb, editB));
    }

    /** Words and the text between them; a gap next to an edited word belongs to the edit. */
    private static List<Passage.Segment> segments(String text, NormalizedWords w, boolean[] edit) {
        CodePointIndex t = CodePointIndex.of(text);
        List<Passage.Segment> segs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        Boolean runEdit = null;
        int pos = 0;
        for (int k = 0; k < w.size(); k++) {
            boolean e = edit[k] || (k > 0 && edit[k - 1]);
            // the gap before word k, then the word
            String gap = t.substring(pos, w.starts()[k]);
            String word = t.substring(w.starts()[k], w.ends()[k]);
            if (runEdit != null && runEdit != e) {
                segs.add(segment(run.toString(), runEdit));
                run.setLength(0);
            }
            runEdit = e;
            run.append(gap);
            if (edit[k] != e) {
                segs.add(segment(run.toString(), e));
                run.setLength(0);
                runEdit = edit[k];
            }
            run.append(word);
            pos = w.ends()[k];
        }
        run.append(t.substring(pos, t.codePointCount()));
        if (run.length() > 0) {
            segs.add(segment(run.toString(), runEdit != null && runEdit));
        }
        return segs;
    }

    private static Passage.Segment segment(String text, boolean edit) {
        return new Passage.Segment(text, !edit, edit);
    }
}
