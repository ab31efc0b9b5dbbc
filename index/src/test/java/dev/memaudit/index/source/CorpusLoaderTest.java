package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusLoaderTest {
    @TempDir Path dir;

    private WorkEntry entry(String id, Path file, String format) {
        return new WorkEntry(
                id,
                null,
                List.of(),
                null,
                null,
                null,
                file,
                file.getFileName().toString(),
                format,
                null,
                Role.WORK);
    }

    @Test
    void aReaderThatThrowsFailsOnlyItsOwnWork() throws Exception {
        WorkSource broken =
                new WorkSource() {
                    @Override
                    public String format() {
                        return "broken";
                    }

                    @Override
                    public Set<String> extensions() {
                        return Set.of("brk");
                    }

                    @Override
                    public void read(
                            WorkEntry entry,
                            String sha,
                            ReadLimits limits,
                            Consumer<LoadedWork> works,
                            Consumer<WorkProblem> problems) {
                        throw new IllegalStateException("parser fell over");
                    }
                };
        Path bad = Files.writeString(dir.resolve("a.brk"), "x");
        Path good = Files.writeString(dir.resolve("b.txt"), "fine");
        List<LoadedWork> works = new ArrayList<>();
        List<WorkProblem> problems = new ArrayList<>();
        new CorpusLoader(List.of(new TextSource(), broken))
                .load(
                        List.of(entry("a", bad, null), entry("b", good, null)),
                        works::add,
                        problems::add);
        assertThat(works).extracting(LoadedWork::id).containsExactly("b");
        assertThat(problems)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.id()).isEqualTo("a");
                            assertThat(p.kind()).isEqualTo(WorkProblem.Kind.FAILED);
                            assertThat(p.reason())
                                    .isEqualTo(
                                            "cannot read a.brk as broken:"
                                                    + " java.lang.IllegalStateException: parser fell over");
                        });
    }

    @Test
    void unknownFormatAndFolderAreProblems() throws Exception {
        Path odd = Files.writeString(dir.resolve("notes.rtf"), "x");
        Path folder = Files.createDirectories(dir.resolve("folder.txt"));
        List<WorkProblem> problems = new ArrayList<>();
        new CorpusLoader()
                .load(
                        List.of(entry("odd", odd, null), entry("folder", folder, null)),
                        w -> {},
                        problems::add);
        assertThat(problems)
                .extracting(WorkProblem::reason)
                .containsExactly(
                        "no reader for format of notes.rtf (known: txt, md, html, epub, pdf, jsonl)",
                        "not a regular file: folder.txt");
    }

    @Test
    void aFailureOfTheCallerIsNotRecordedAsAFailureToReadTheFile() throws Exception {
        // e.g. the index builder running out of memory while the loader hands it a work
        Path good = Files.writeString(dir.resolve("b.txt"), "fine");
        List<WorkProblem> problems = new ArrayList<>();
        CorpusLoader loader = new CorpusLoader();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                loader.load(
                                        List.of(entry("b", good, null)),
                                        w -> {
                                            throw new OutOfMemoryError("indexing");
                                        },
                                        problems::add))
                .isInstanceOf(OutOfMemoryError.class)
                .hasMessage("indexing");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                loader.load(
                                        List.of(entry("b", good, null)),
                                        w -> {
                                            throw new IllegalStateException("store closed");
                                        },
                                        problems::add))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("store closed");
        assertThat(problems).isEmpty();
    }
}
