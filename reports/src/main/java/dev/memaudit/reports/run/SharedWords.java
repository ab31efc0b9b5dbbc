package dev.memaudit.reports.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Marks the words two texts share, in order (a longest common subsequence of words), for showing a
 * model's generation beside the true continuation. Words are runs of letters, digits and marks,
 * compared case-folded; the gaps between two shared words count as shared so that highlights are
 * contiguous. Only for display: the numbers in reports come from the stages, not from here.
 */
public final class SharedWords {
    /** Longer texts are shown without highlighting (the table is quadratic). */
    static final int MAX_WORDS = 2_000;

    private SharedWords() {}

    /** Segments of {@code a} and of {@code b}, in that order. */
    public static List<List<Passage.Segment>> highlight(String a, String b) {
        List<int[]> wa = words(a);
        List<int[]> wb = words(b);
        boolean[] sa = new boolean[wa.size()];
        boolean[] sb = new boolean[wb.size()];
        if (wa.size() <= MAX_WORDS && wb.size() <= MAX_WORDS) {
            String[] ka = keys(a, wa);
            String[] kb = keys(b, wb);
            int n = ka.length;
            int m = kb.length;
            int[][] lcs = new int[n + 1][m + 1];
            for (int i = n - 1; i >= 0; i--) {
                for (int j = m - 1; j >= 0; j--) {
                    lcs[i][j] =
                            ka[i].equals(kb[j])
                                    ? lcs[i + 1][j + 1] + 1
                                    : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
                }
            }
            for (int i = 0, j = 0; i < n && j < m; ) {
                if (ka[i].equals(kb[j])) {
                    sa[i++] = true;
                    sb[j++] = true;
                } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
                    i++;
                } else {
                    j++;
                }
            }
        }
        return List.of(segments(a, wa, sa), segments(b, wb, sb));
    }

    private static List<int[]> words(String s) {
        List<int[]> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (isWordChar(cp)) {
                int start = i;
                while (i < s.length() && isWordChar(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                out.add(new int[] {start, i});
            } else {
                i += Character.charCount(cp);
            }
        }
        return out;
    }

    private static boolean isWordChar(int cp) {
        int t = Character.getType(cp);
        return Character.isLetterOrDigit(cp)
                || t == Character.NON_SPACING_MARK
                || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK;
    }

    private static String[] keys(String s, List<int[]> words) {
        String[] k = new String[words.size()];
        for (int i = 0; i < k.length; i++) {
            k[i] = s.substring(words.get(i)[0], words.get(i)[1]).toLowerCase(Locale.ROOT);
        }
        return k;
    }

    private static List<Passage.Segment> segments(String s, List<int[]> words, boolean[] shared) {
        List<Passage.Segment> out = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        boolean runShared = false;
        int at = 0;
        for (int w = 0; w < words.size(); w++) {
            int[] r = words.get(w);
            // the gap before word w is shared when both neighbours are
            boolean gapShared = shared[w] && w > 0 && shared[w - 1];
            runShared = append(out, run, runShared, s.substring(at, r[0]), gapShared);
            runShared = append(out, run, runShared, s.substring(r[0], r[1]), shared[w]);
            at = r[1];
        }
        append(out, run, runShared, s.substring(at), false);
        if (run.length() > 0) {
            out.add(new Passage.Segment(run.toString(), runShared));
        }
        return out;
    }

    private static boolean append(
            List<Passage.Segment> out,
            StringBuilder run,
            boolean runShared,
            String text,
            boolean shared) {
        if (text.isEmpty()) {
            return runShared;
        }
        if (run.length() > 0 && runShared != shared) {
            out.add(new Passage.Segment(run.toString(), runShared));
            run.setLength(0);
        }
        run.append(text);
        return shared;
    }
}
