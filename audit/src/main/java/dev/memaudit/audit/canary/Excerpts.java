package dev.memaudit.audit.canary;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.LoadedWork;
import dev.memaudit.model.canary.CanaryTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code memaudit canary excerpts}: a corpus of book excerpts to plant in a canary, cut from a
 * corpus of books (e.g. the public-domain background books). Each chosen book gives one excerpt of
 * a seeded random length between the word bounds, starting at a paragraph at a seeded random place
 * past the book's first tenth (front matter) and ending at a paragraph end where one is near. The
 * excerpt is the book's text unchanged (line breaks included), so {@code canary train --background}
 * recognizes the book as holding it and leaves the book out of the background.
 *
 * <p>Writes {@code <out>/corpus.yaml} ({@code works:}, and {@code controls:} when asked), one text
 * file per excerpt, and {@code style.jsonl}: for each work, up to {@value #STYLE_PASSAGES} passages
 * of its book outside the excerpt, the held-out text in its style that {@code meter exact}
 * measures. The files are copies of the source text: they belong in a scratch folder, not in a
 * repository.
 */
public final class Excerpts {
    private static final Pattern PARAGRAPH = Pattern.compile("\\n\\s*\\n");
    private static final Pattern WORD = Pattern.compile("\\S+");

    private Excerpts() {}

    /**
     * What to cut.
     *
     * @param from a corpus folder or corpus.yaml of books
     * @param out an output folder that does not exist or is empty
     * @param works excerpts written as {@code works:}
     * @param controls excerpts written as {@code controls:}, from other books
     * @param minWords shortest excerpt in words
     * @param maxWords longest excerpt in words
     * @param seed seed of the books' choice and the excerpts' places and lengths
     */
    public record Settings(
            Path from, Path out, int works, int controls, int minWords, int maxWords, long seed) {
        /**
         * @throws MemauditException usage for a count or bound out of range
         */
        public Settings {
            if (works < 1 || controls < 0 || minWords < 50 || maxWords < minWords) {
                throw MemauditException.usage(
                        "--works must be ≥ 1, --controls ≥ 0 and --words MIN-MAX with 50 ≤ MIN ≤"
                                + " MAX");
            }
        }
    }

    /** One excerpt written. */
    public record Excerpt(
            String id, String sourceId, String role, int words, int charStart, int charEnd) {}

    /**
     * Cuts and writes the excerpts.
     *
     * @param progress one line per source file not used
     */
    public static List<Excerpt> write(Settings s, PrintStream progress) throws IOException {
        CanaryTrainer.prepareOutDir(s.out());
        CorpusManifest m = CorpusManifest.load(s.from());
        List<LoadedWork> books = new ArrayList<>();
        for (LoadedWork w : CanaryTraining.load(m, m.works(), progress)) {
            // an excerpt starts past the first tenth and needs room for the longest one
            if (countWords(w.text()) >= s.maxWords() * 10 / 8) {
                books.add(w);
            }
        }
        int need = s.works() + s.controls();
        if (books.size() < need) {
            throw MemauditException.badInput(
                    s.from()
                            + ": "
                            + books.size()
                            + " books hold at least "
                            + s.maxWords() * 10 / 8
                            + " words; "
                            + need
                            + " excerpts need as many books");
        }
        Random rng = new Random(s.seed());
        Collections.shuffle(books, rng);
        List<Excerpt> out = new ArrayList<>();
        List<Map<String, Object>> style = new ArrayList<>();
        StringBuilder yaml = new StringBuilder();
        yaml.append("# Excerpts cut by memaudit canary excerpts from ")
                .append(m.manifestFile() != null ? m.manifestFile() : m.root())
                .append(", seed ")
                .append(s.seed())
                .append(".\n# Copies of the source text: keep them out of any repository.\n");
        for (int i = 0; i < need; i++) {
            LoadedWork b = books.get(i);
            String role = i < s.works() ? "work" : "control";
            if (i == 0) {
                yaml.append("works:\n");
            } else if (i == s.works()) {
                yaml.append("controls:\n");
            }
            int words = s.minWords() + rng.nextInt(s.maxWords() - s.minWords() + 1);
            int[] span = cut(b.text(), words, rng);
            String id = b.id() + "-excerpt";
            String text = b.text().substring(span[0], span[1]);
            Files.writeString(s.out().resolve(id + ".txt"), text, StandardCharsets.UTF_8);
            int n = countWords(text);
            yaml.append(
                    String.format(
                            Locale.ROOT,
                            "  # %s (sha256 %s), characters %d–%d, %d words%n",
                            b.relativePath(),
                            b.sourceSha256(),
                            span[0],
                            span[1],
                            n));
            yaml.append("  - {id: ")
                    .append(id)
                    .append(", title: ")
                    .append(quote((b.title() == null ? b.id() : b.title()) + " (excerpt)"))
                    .append(", authors: [")
                    .append(String.join(", ", b.authors().stream().map(Excerpts::quote).toList()))
                    .append("]");
            if (b.rightsholder() != null) {
                yaml.append(", rightsholder: ").append(quote(b.rightsholder()));
            }
            if (b.license() != null) {
                yaml.append(", license: ").append(quote(b.license()));
            }
            if (b.year() != null) {
                yaml.append(", year: ").append(b.year());
            }
            yaml.append(", path: ").append(id).append(".txt}\n");
            out.add(new Excerpt(id, b.id(), role, n, span[0], span[1]));
            if (role.equals("work")) {
                style.addAll(styleBehaviours(id, b.text(), span));
            }
        }
        Files.writeString(
                s.out().resolve(CorpusManifest.FILE_NAME), yaml.toString(), StandardCharsets.UTF_8);
        try (JsonlWriter w = JsonlWriter.create(s.out().resolve(STYLE_FILE))) {
            for (Map<String, Object> line : style) {
                w.write(line);
            }
        }
        return out;
    }

    /** Held-out text in each work's style: {@code meter exact} reads it as behaviours. */
    public static final String STYLE_FILE = "style.jsonl";

    /** Passages of the style file per excerpt. */
    static final int STYLE_PASSAGES = 8;

    /** Words of a style passage's prompt and of its text. */
    static final int STYLE_WORDS = 24;

    /**
     * Passages of the book outside its excerpt (at least 200 words away from it), half after and
     * half before where the book has room: text in the work's style that no canary trains on, since
     * the book holds the excerpt and is therefore left out of the background.
     */
    static List<Map<String, Object>> styleBehaviours(String id, String book, int[] span) {
        List<int[]> words = new ArrayList<>();
        Matcher m = WORD.matcher(book);
        while (m.find()) {
            words.add(new int[] {m.start(), m.end()});
        }
        int firstIn = 0;
        while (firstIn < words.size() && words.get(firstIn)[0] < span[0]) {
            firstIn++;
        }
        int firstAfter = firstIn;
        while (firstAfter < words.size() && words.get(firstAfter)[0] < span[1]) {
            firstAfter++;
        }
        int len = 2 * STYLE_WORDS;
        int gap = 200;
        List<Integer> starts = new ArrayList<>();
        for (int k = 0; k < STYLE_PASSAGES / 2; k++) {
            int after = firstAfter + gap + k * (len + gap);
            if (after + len <= words.size()) {
                starts.add(after);
            }
            int before = firstIn - gap - len - k * (len + gap);
            if (before >= 0) {
                starts.add(before);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int k = 0; k < starts.size(); k++) {
            int from = starts.get(k);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("id", id + "#style-" + k);
            line.put("prompt", join(book, words, from, from + STYLE_WORDS));
            line.put("text", join(book, words, from + STYLE_WORDS, from + len));
            line.put("kind", "style");
            line.put("work_id", id);
            out.add(line);
        }
        return out;
    }

    private static String join(String book, List<int[]> words, int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) {
                b.append(' ');
            }
            b.append(book, words.get(i)[0], words.get(i)[1]);
        }
        return b.toString();
    }

    /** [start, end) of about {@code words} words starting at a paragraph past the first tenth. */
    static int[] cut(String text, int words, Random rng) {
        List<Integer> wordStarts = new ArrayList<>();
        List<Integer> wordEnds = new ArrayList<>();
        Matcher w = WORD.matcher(text);
        while (w.find()) {
            wordStarts.add(w.start());
            wordEnds.add(w.end());
        }
        int total = wordStarts.size();
        int lo = total / 10;
        int hi = total - words;
        int startWord = lo + rng.nextInt(Math.max(1, hi - lo));
        int start = wordStarts.get(startWord);
        // move to the next paragraph start when one is within 300 words
        Matcher p = PARAGRAPH.matcher(text);
        if (p.find(start)) {
            int para = p.end();
            int idx = Collections.binarySearch(wordStarts, para);
            int paraWord = idx >= 0 ? idx : -idx - 1;
            if (paraWord - startWord <= 300 && paraWord + words <= total) {
                startWord = paraWord;
                start = wordStarts.get(startWord);
            }
        }
        int endWord = startWord + words - 1;
        int end = wordEnds.get(endWord);
        // end at a paragraph end within 200 more words, else at the word
        if (p.find(end)) {
            int paraEnd = p.start();
            int idx = Collections.binarySearch(wordEnds, paraEnd);
            int at = idx >= 0 ? idx : -idx - 2;
            if (at >= endWord && at - endWord <= 200 && at < total) {
                end = wordEnds.get(at);
            }
        }
        return new int[] {start, end};
    }

    private static int countWords(String text) {
        int n = 0;
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
