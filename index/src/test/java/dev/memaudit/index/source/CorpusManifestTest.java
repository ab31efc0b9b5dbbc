package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.run.Reservation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusManifestTest {
    @TempDir Path dir;

    private Path yaml(String content) throws Exception {
        return Files.writeString(dir.resolve("corpus.yaml"), content);
    }

    private MemauditException refused(Path path) {
        try {
            CorpusManifest.load(path);
        } catch (MemauditException e) {
            assertThat(e.category()).isEqualTo(ExitCategory.BAD_INPUT);
            return e;
        }
        throw new AssertionError("expected " + path + " to be refused");
    }

    @Test
    void readsWorksAndControlsWithTheirMetadata() throws Exception {
        Path manifest =
                yaml(
                        """
                        works:
                          - id: harbour/lights
                            title: Harbour Lights
                            authors: [Ines Calloway, T. Marsh]
                            rightsholder: Gull Press
                            license: all rights reserved
                            year: 2023
                            path: works/harbour-lights.txt
                          - id: notes
                            authors: Solo Author
                            path: works/notes.data
                            format: md
                            encoding: windows-1252
                        controls:
                          - id: control-1
                            path: controls/c1.html
                        """);
        CorpusManifest corpus = CorpusManifest.load(dir);
        assertThat(corpus.manifestFile()).isEqualTo(manifest.toAbsolutePath());
        assertThat(corpus.root()).isEqualTo(dir.toAbsolutePath());
        assertThat(corpus.works()).hasSize(2);
        WorkEntry first = corpus.works().get(0);
        assertThat(first)
                .isEqualTo(
                        new WorkEntry(
                                "harbour/lights",
                                "Harbour Lights",
                                List.of("Ines Calloway", "T. Marsh"),
                                "Gull Press",
                                "all rights reserved",
                                2023,
                                dir.toAbsolutePath().resolve("works/harbour-lights.txt"),
                                "works/harbour-lights.txt",
                                null,
                                null,
                                Role.WORK));
        WorkEntry second = corpus.works().get(1);
        assertThat(second.authors()).containsExactly("Solo Author");
        assertThat(second.format()).isEqualTo("md");
        assertThat(second.encoding()).isEqualTo("windows-1252");
        assertThat(corpus.controls())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.id()).isEqualTo("control-1");
                            assertThat(c.role()).isEqualTo(Role.CONTROL);
                        });
        // the yaml file itself can be given too
        assertThat(CorpusManifest.load(manifest).works()).isEqualTo(corpus.works());
    }

    @Test
    void unknownKeyIsNamedWithFileAndLine() throws Exception {
        Path manifest =
                yaml(
                        """
                        works:
                          - id: a
                            titel: Typo
                            path: a.txt
                        """);
        assertThat(refused(manifest).getMessage())
                .contains(manifest.toString())
                .contains("line 3")
                .contains("unknown key 'titel'")
                .contains("allowed: id, title");
    }

    @Test
    void reservationsAreReadAndEveryBadOneIsNamedWithItsLine() throws Exception {
        Path manifest =
                yaml(
                        """
                        works:
                          - id: a
                            path: a.txt
                            reservation: {kind: tdmrep, since: 2024-03-01, url: "https://p.example/tdm.json"}
                          - id: b
                            path: b.txt
                            reservation: {kind: contract, since: 2022-12-31}
                          - id: c
                            path: c.txt
                        """);
        CorpusManifest corpus = CorpusManifest.load(manifest);
        assertThat(corpus.works().get(0).reservation())
                .isEqualTo(new Reservation("tdmrep", "2024-03-01", "https://p.example/tdm.json"));
        assertThat(corpus.works().get(1).reservation())
                .isEqualTo(new Reservation("contract", "2022-12-31", null));
        assertThat(corpus.works().get(1).reservation().describe())
                .isEqualTo("a contractual reservation since 2022-12-31");
        assertThat(corpus.works().get(2).reservation()).isNull();

        Path bad =
                yaml(
                        """
                        works:
                          - id: a
                            path: a.txt
                            reservation: {kind: ai-txt, since: 2024-03-01}
                          - id: b
                            path: b.txt
                            reservation: {kind: rsl, since: 2024-02-30}
                          - id: c
                            path: c.txt
                            reservation: {kind: robots, since: 2024-01-01, url: "javascript:x"}
                          - id: d
                            path: d.txt
                            reservation: {kind: robots, since: 2024-01-01, note: x}
                          - id: e
                            path: e.txt
                            reservation: tdmrep
                        """);
        assertThat(refused(bad).getMessage())
                .contains("line 4")
                .contains("kind must be one of tdmrep, rsl, robots, contract, got 'ai-txt'")
                .contains("line 7")
                .contains("since must be a date YYYY-MM-DD, got '2024-02-30'")
                .contains("line 10")
                .contains("url must start with https:// or http://, got 'javascript:x'")
                .contains("line 13")
                .contains("reservation: unknown key 'note'")
                .contains("line 16")
                .contains("reservation must be a mapping");
    }

    @Test
    void unknownTopLevelKeyIsAnError() throws Exception {
        yaml("works:\n  - {id: a, path: a.txt}\nwork:\n  - {id: b, path: b.txt}\n");
        assertThat(refused(dir).getMessage())
                .contains("line 3")
                .contains("unknown key 'work' (allowed: works, controls)");
    }

    @Test
    void pathsLeavingTheCorpusFolderAreRefused() throws Exception {
        Path outside = Files.createTempFile("outside", ".txt");
        try {
            Files.createDirectories(dir.resolve("works"));
            Files.createSymbolicLink(dir.resolve("works/link.txt"), outside);
            yaml(
                    """
                    works:
                      - {id: up, path: ../secret.txt}
                      - {id: sneaky, path: works/../../secret.txt}
                      - {id: absolute, path: %s}
                      - {id: link, path: works/link.txt}
                    """
                            .formatted(outside));
            String message = refused(dir).getMessage();
            assertThat(message)
                    .contains("4 problems")
                    .contains("line 2: works[0] (id 'up'): path '../secret.txt' leads outside")
                    .contains("line 3: works[1] (id 'sneaky')")
                    .contains(
                            "line 4: works[2] (id 'absolute'): path '" + outside + "' is absolute")
                    .contains(
                            "line 5: works[3] (id 'link'): path 'works/link.txt' is a symbolic link");
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void duplicateIdsAreRefusedAcrossWorksAndControls() throws Exception {
        yaml(
                """
                works:
                  - {id: same, path: a.txt}
                controls:
                  - {id: same, path: b.txt}
                """);
        assertThat(refused(dir).getMessage())
                .contains("line 4: controls[0] (id 'same'): duplicate id, already used at line 2");
    }

    @Test
    void badIdsAndMissingKeysAreAllReportedAtOnce() throws Exception {
        yaml(
                """
                works:
                  - {title: no id, path: a.txt}
                  - {id: /rooted, path: b.txt}
                  - {id: "sp ace", path: c.txt}
                  - {id: nopath}
                  - {id: weird, path: d.docx}
                  - {id: yearly, path: e.txt, year: soon}
                  - {id: enc, path: f.txt, encoding: no-such-charset}
                  - {id: fmt, path: g.txt, format: docx}
                """);
        String message = refused(dir).getMessage();
        assertThat(message)
                .contains("8 problems")
                .contains("line 2: works[0]: missing key 'id'")
                .contains("line 3: works[1] (id '/rooted'): id may use only")
                .contains("line 4: works[2] (id 'sp ace'): id may use only")
                .contains("line 5: works[3] (id 'nopath'): missing key 'path'")
                .contains("line 6: works[4] (id 'weird'): cannot tell the format of 'd.docx'")
                .contains("line 7: works[5]: year must be a whole number, got 'soon'")
                .contains("line 8: works[6] (id 'enc'): unknown encoding 'no-such-charset'")
                .contains("line 9: works[7] (id 'fmt'): unknown format 'docx'");
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() throws Exception {
        yaml("works:\n  - id: a\n    path: a.txt\n   bad indent: [\n");
        assertThat(refused(dir).getMessage())
                .contains("not valid YAML")
                .containsPattern("line [45]");
    }

    @Test
    void emptyWorksListIsRefused() throws Exception {
        yaml("works: []\n");
        assertThat(refused(dir).getMessage()).contains("lists no works");
        yaml("");
        assertThat(refused(dir).getMessage()).contains("the file is empty");
    }

    @Test
    void missingCorpusIsRefused() {
        assertThat(refused(dir.resolve("nowhere")).getMessage()).contains("corpus not found");
    }

    @Test
    void folderModeUsesRelativePathsWithoutExtensionAsIds() throws Exception {
        Files.createDirectories(dir.resolve("novels/sea"));
        Files.createDirectories(dir.resolve(".hidden"));
        Files.writeString(dir.resolve("novels/sea/harbour.txt"), "h");
        Files.writeString(dir.resolve("novels/garden.md"), "g");
        Files.writeString(dir.resolve("letters.jsonl"), "{\"id\":\"l1\",\"text\":\"x\"}\n");
        Files.writeString(dir.resolve("cover.png"), "not a work");
        Files.writeString(dir.resolve(".hidden/secret.txt"), "s");
        CorpusManifest corpus = CorpusManifest.load(dir);
        assertThat(corpus.manifestFile()).isNull();
        assertThat(corpus.controls()).isEmpty();
        assertThat(corpus.works())
                .extracting(WorkEntry::id)
                .containsExactly("letters", "novels/garden", "novels/sea/harbour");
        assertThat(corpus.works())
                .extracting(WorkEntry::relativePath)
                .containsExactly("letters.jsonl", "novels/garden.md", "novels/sea/harbour.txt");

        List<LoadedWork> works = new ArrayList<>();
        List<WorkProblem> problems = new ArrayList<>();
        new CorpusLoader().load(corpus.works(), works::add, problems::add);
        assertThat(problems).isEmpty();
        assertThat(works)
                .extracting(LoadedWork::id)
                .containsExactly("l1", "novels/garden", "novels/sea/harbour");
    }

    @Test
    void folderModeRefusesTwoFilesWithOneId() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "1");
        Files.writeString(dir.resolve("a.md"), "2");
        assertThat(refused(dir).getMessage()).contains("id 'a' is also the id of a.md");
    }

    @Test
    void folderWithoutWorksIsRefused() throws Exception {
        Files.writeString(dir.resolve("cover.png"), "x");
        assertThat(refused(dir).getMessage()).contains("no works found");
    }

    @Test
    void missingFileIsAPerWorkProblemAtLoadTime() throws Exception {
        Files.writeString(dir.resolve("here.txt"), "present");
        yaml(
                """
                works:
                  - {id: gone, path: gone.txt}
                  - {id: here, path: here.txt}
                """);
        List<LoadedWork> works = new ArrayList<>();
        List<WorkProblem> problems = new ArrayList<>();
        new CorpusLoader().load(CorpusManifest.load(dir).works(), works::add, problems::add);
        assertThat(works).extracting(LoadedWork::text).containsExactly("present");
        assertThat(problems)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.id()).isEqualTo("gone");
                            assertThat(p.kind()).isEqualTo(WorkProblem.Kind.FAILED);
                            assertThat(p.reason()).isEqualTo("file not found: gone.txt");
                        });
    }

    @Test
    void limitsSetTheirKeysAndLeaveTheOthersAtTheirDefaults() throws Exception {
        yaml(
                """
                works:
                  - {id: a, path: a.txt}
                limits:
                  max_work_bytes: 1GiB
                  max_document_bytes: 300 MB
                  max_compression_ratio: 50
                  max_elements: 2_000_000
                  max_line_bytes: 1048576
                """);
        ReadLimits limits = CorpusManifest.load(dir).limits();
        assertThat(limits.maxWorkBytes()).isEqualTo(1L << 30);
        assertThat(limits.maxDocumentBytes()).isEqualTo(300_000_000L);
        assertThat(limits.maxCompressionRatio()).isEqualTo(50);
        assertThat(limits.maxElements()).isEqualTo(2_000_000);
        assertThat(limits.maxLineBytes()).isEqualTo(1L << 20);
        assertThat(limits.maxDepth()).isEqualTo(ReadLimits.Key.MAX_DEPTH.defaultValue());
        assertThat(CorpusManifest.load(dir.resolve("corpus.yaml")).limits()).isEqualTo(limits);
    }

    @Test
    void withoutLimitsAndInFolderModeTheDefaultsApply() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "x");
        assertThat(CorpusManifest.load(dir).limits()).isEqualTo(ReadLimits.DEFAULTS);
        yaml("works:\n  - {id: a, path: a.txt}\n");
        assertThat(CorpusManifest.load(dir).limits()).isEqualTo(ReadLimits.DEFAULTS);
        assertThat(ReadLimits.DEFAULTS.toMap())
                .containsExactly(
                        java.util.Map.entry("max_work_bytes", 512L << 20),
                        java.util.Map.entry("max_document_bytes", 64L << 20),
                        java.util.Map.entry("max_compression_ratio", 100L),
                        java.util.Map.entry("max_line_bytes", 64L << 20),
                        java.util.Map.entry("max_depth", 512L),
                        java.util.Map.entry("max_elements", 1_000_000L));
    }

    @Test
    void everyBadLimitIsReportedAtOnceWithItsLine() throws Exception {
        Path manifest =
                yaml(
                        """
                        works:
                          - {id: a, path: a.txt}
                        limits:
                          max_work_byte: 1GiB
                          max_document_bytes: lots
                          max_depth: 2
                          max_line_bytes: 3 GiB
                          max_elements: [1, 2]
                          max_compression_ratio: 10 KiB
                        """);
        String message = refused(manifest).getMessage();
        assertThat(message)
                .contains("6 problems")
                .contains(
                        "line 4: limits: unknown key 'max_work_byte' (allowed: max_work_bytes,"
                                + " max_document_bytes, max_compression_ratio, max_line_bytes,"
                                + " max_depth, max_elements)")
                .contains(
                        "line 5: limits: max_document_bytes must be a size in bytes, e.g. 64MiB,"
                                + " 512 MB or 1048576, got 'lots'")
                .contains("line 6: limits: max_depth must be between 8 and 100,000, got 2")
                .contains(
                        "line 7: limits: max_line_bytes must be between 1 KiB and"
                                + " 2,147,483,583 bytes (2.0 GiB), got 3 GiB")
                .contains("line 8: limits: max_elements must be a single value, got a list")
                .contains(
                        "line 9: limits: max_compression_ratio must be a whole number, got '10"
                                + " KiB'");
        yaml("works:\n  - {id: a, path: a.txt}\nlimits: 5\n");
        assertThat(refused(dir).getMessage())
                .contains(
                        "line 3: limits: must be a mapping (max_work_bytes: 512MiB, …), got a"
                                + " single value");
    }

    @Test
    void aCatalogueOfThirtyThousandWorksLoads() throws Exception {
        // 3.5 MB of YAML: SnakeYAML's default limit of 3 Mi code points would refuse it
        StringBuilder sb = new StringBuilder("works:\n");
        for (int i = 0; i < 30_000; i++) {
            sb.append("  - {id: work-")
                    .append(i)
                    .append(", title: \"A Title of a Book Number ")
                    .append(i)
                    .append("\", rightsholder: Gull Press, path: works/w")
                    .append(i)
                    .append(".txt}\n");
        }
        yaml(sb.toString());
        assertThat(Files.size(dir.resolve("corpus.yaml"))).isGreaterThan(3L << 20);
        assertThat(CorpusManifest.load(dir).works()).hasSize(30_000);
    }
}
