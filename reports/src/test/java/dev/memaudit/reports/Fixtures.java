package dev.memaudit.reports;

import dev.memaudit.core.io.JsonlReader;
import dev.memaudit.reports.run.SourceTexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The hand-made run folders under {@code src/test/resources/fixtures} (written by its
 * make_fixtures.py): {@code audit/} with scan, extract and ppl stage folders, and {@code texts/}
 * with the works' texts and the scanned outputs.
 */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh copy of {@code fixtures/<name>} in {@code dir} (tests may change it). */
    public static Path copy(String name, Path dir) {
        Path from = root().resolve(name);
        Path to = dir.resolve(Path.of(name).getFileName().toString());
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }

    /** The fixture texts, as the CLI would hand them over. */
    public static SourceTexts texts() {
        Map<String, String> works = new HashMap<>();
        Map<String, String> outputs = new HashMap<>();
        try {
            for (String w : new String[] {"alpha", "beta", "gamma"}) {
                works.put(
                        w,
                        Files.readString(
                                root().resolve("texts/works/" + w + ".txt"),
                                StandardCharsets.UTF_8));
            }
            try (JsonlReader in = new JsonlReader(root().resolve("texts/outputs/outputs.jsonl"))) {
                for (JsonlReader.Line l; (l = in.next()) != null; ) {
                    outputs.put(l.object().get("id").asText(), l.object().get("text").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SourceTexts() {
            @Override
            public Optional<String> work(String workId) {
                return Optional.ofNullable(works.get(workId));
            }

            @Override
            public Optional<String> output(String outputId) {
                return Optional.ofNullable(outputs.get(outputId));
            }
        };
    }
}
