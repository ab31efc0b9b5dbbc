package dev.memaudit.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The public-domain background books of {@code ../shared/corpora/background/} (beside the project
 * folder), read in place, never copied. A test that needs them skips when they are missing, except
 * under CI ({@code CI=true}), where it fails: CI must train its canaries on real language.
 */
final class SharedBackground {
    private SharedBackground() {}

    /** The background's corpus.yaml. */
    static Path corpusYaml() {
        String given = System.getenv("MEMAUDIT_BACKGROUND");
        Path yaml;
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            yaml = Files.isDirectory(p) ? p.resolve("corpus.yaml") : p;
        } else {
            Path root = Path.of("").toAbsolutePath();
            while (root != null && !Files.isDirectory(root.resolve("corpora-sample"))) {
                root = root.getParent();
            }
            if (root == null) {
                throw new IllegalStateException("not inside the memaudit project folder");
            }
            yaml = root.resolve("../shared/corpora/background/corpus.yaml").normalize();
        }
        if (!Files.isRegularFile(yaml)) {
            String why =
                    "the background books are not at "
                            + yaml
                            + " (set MEMAUDIT_BACKGROUND to their folder)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; CI needs them");
            }
            Assumptions.abort(why);
        }
        return yaml;
    }
}
