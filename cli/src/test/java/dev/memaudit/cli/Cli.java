package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Test helpers: runs {@link Main#run} with captured streams, finds the repo, reads JSON files. */
final class Cli {
    private Cli() {}

    /** What one command line did. */
    record Result(int code, String out, String err) {
        /** Asserts the exit code, showing both streams when it differs. */
        Result exits(int expected) {
            assertThat(code)
                    .as("exit code; stdout:%n%s%nstderr:%n%s", out, err)
                    .isEqualTo(expected);
            return this;
        }

        /** Asserts that stderr holds no Java stack trace and no internal-error banner. */
        Result noStackTrace() {
            assertThat(err).as("stderr").doesNotContain("\tat ").doesNotContain("internal error");
            assertThat(out).as("stdout").doesNotContain("\tat ");
            return this;
        }

        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(out);
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter o = new PrintWriter(out);
                PrintWriter e = new PrintWriter(err)) {
            code = Main.run(o, e, args);
        }
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(List<String> args) {
        return run(args.toArray(String[]::new));
    }

    /**
     * Writes {@code dir/audit.yaml}: the sample corpus, the audit folder {@code dir/out}, then
     * {@code body}.
     */
    static Path auditFile(Path dir, String body) throws IOException {
        Path f = dir.resolve("audit.yaml");
        Files.writeString(
                f,
                "corpus: "
                        + repoRoot().resolve("corpora-sample/corpus.yaml")
                        + "\n"
                        + "out: "
                        + dir.resolve("out")
                        + "\n"
                        + body);
        return f;
    }

    /**
     * The text of corpora-sample/audit.yaml with its corpus made absolute and its audit folder
     * moved to {@code out}, so an earlier real run of it in this checkout does not make stages
     * "current".
     */
    static String sampleAudit(Path out) throws IOException {
        Path sample = repoRoot().resolve("corpora-sample");
        String text = Files.readString(sample.resolve("audit.yaml"));
        assertThat(text).contains("corpus: corpus.yaml\n").contains("out: ../runs/sample-audit\n");
        return text.replace("corpus: corpus.yaml", "corpus: " + sample.resolve("corpus.yaml"))
                .replace("out: ../runs/sample-audit", "out: " + out);
    }

    /** The repository root: the surefire property, else the first parent with corpora-sample. */
    static Path repoRoot() {
        String prop = System.getProperty("memaudit.repo.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "corpora-sample"))) {
            return Path.of(prop);
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
                p != null;
                p = p.getParent()) {
            if (Files.isDirectory(p.resolve("corpora-sample"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (corpora-sample/)");
    }

    static JsonNode readJson(Path file) throws IOException {
        return Json.MAPPER.readTree(file.toFile());
    }

    static List<JsonNode> readJsonl(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                lines.add(Json.MAPPER.readTree(line));
            }
        }
        return lines;
    }

    /**
     * The records of a JSONL ledger keyed by the values of {@code keys} joined with {@code |},
     * sorted by key; a duplicate key fails the test.
     */
    static Map<String, JsonNode> byKey(Path file, String... keys) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode n : readJsonl(file)) {
            StringBuilder k = new StringBuilder();
            for (String key : keys) {
                k.append(n.path(key).asText()).append('|');
            }
            assertThat(out.put(k.toString(), n)).as("duplicate " + k + " in " + file).isNull();
        }
        return out;
    }

    /** The records in a ledger (non-blank lines) so far; 0 while it does not exist. */
    static long records(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var s = Files.lines(file)) {
            return s.filter(l -> !l.isBlank()).count();
        }
    }

    /**
     * {@code count} made-up words (consonant-vowel syllables) from a seeded generator: text that
     * shares no 8-word run with any other seed's text, for building corpora in tests.
     */
    static String words(long seed, int count) {
        Random random = new Random(seed);
        String consonants = "bdfgklmnprstvz";
        String vowels = "aeiou";
        StringBuilder sb = new StringBuilder(count * 7);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(i % 13 == 0 ? ".\n" : " ");
            }
            int syllables = 1 + random.nextInt(3);
            for (int s = 0; s < syllables; s++) {
                sb.append(consonants.charAt(random.nextInt(consonants.length())));
                sb.append(vowels.charAt(random.nextInt(vowels.length())));
            }
        }
        return sb.append(".\n").toString();
    }

    static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Code points {@code [start, end)} of {@code s}. */
    static String cpSub(String s, int start, int end) {
        int from = s.offsetByCodePoints(0, start);
        int to = s.offsetByCodePoints(from, end - start);
        return s.substring(from, to);
    }

    /** The code-point offset of the first occurrence of {@code part} in {@code s}. */
    static int cpIndexOf(String s, String part) {
        int i = s.indexOf(part);
        assertThat(i).as("'%s' occurs", part).isGreaterThanOrEqualTo(0);
        return s.codePointCount(0, i);
    }
}
