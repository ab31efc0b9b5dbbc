package dev.memaudit.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local model's identity is what its files are, not where they lie: a copy elsewhere has the same
 * identity; other weights or another tokenizer give another one, in the field that differs.
 */
class ModelIdentitiesTest {
    @TempDir Path tmp;

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static ModelIdentity identity(Path dir) {
        try (DjlLanguageModel m = ModelLoader.load(dir)) {
            assertThat(m.address()).isEqualTo(dir.toAbsolutePath().normalize().toString());
            return m.identity();
        }
    }

    @Test
    void aCopyIsTheSameModelAndOtherWeightsOrTokenizerAreNot() throws Exception {
        Path a = tmp.resolve("a");
        TinyModels.write(a, TinyModels.config(Architecture.GPT_NEOX, "parallel", 300), 4, 0.3);
        Path copy = tmp.resolve("elsewhere/a-copy");
        copy(a, copy);
        ModelIdentity ia = identity(a);
        assertThat(ia.backend()).isEqualTo("local");
        assertThat(ia.weightsSha256()).hasSize(64);
        assertThat(ia.tokenizerSha256()).hasSize(64);
        assertThat(ia.contextTokens()).isEqualTo(64);
        assertThat(identity(copy)).isEqualTo(ia);

        // other weights (same shapes, another seed): only weights_sha256 differs
        Path b = tmp.resolve("b");
        TinyModels.write(b, TinyModels.config(Architecture.GPT_NEOX, "parallel", 300), 5, 0.3);
        Files.copy(
                a.resolve("tokenizer.json"),
                b.resolve("tokenizer.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelIdentity ib = identity(b);
        assertThat(ib.weightsSha256()).isNotEqualTo(ia.weightsSha256());
        assertThat(ib.tokenizerSha256()).isEqualTo(ia.tokenizerSha256());
        assertThat(ib.tokenizerFingerprint()).isEqualTo(ia.tokenizerFingerprint());
    }
}
