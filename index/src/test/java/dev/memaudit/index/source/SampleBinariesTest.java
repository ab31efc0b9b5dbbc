package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleBinariesTest {
    @TempDir Path temp;

    private static Path testCorpus() throws Exception {
        return Path.of(SampleBinariesTest.class.getResource("/sample-corpus").toURI());
    }

    /** The corpora-sample folder of this checkout (set by surefire), or null. */
    private static Path corpusSample() {
        String root = System.getProperty("memaudit.repo.root");
        return root == null ? null : Path.of(root, "corpora-sample");
    }

    @Test
    void generatedFilesReadBackWithTheSourceWordsInOrder() throws Exception {
        Path corpus = testCorpus();
        List<Path> written = SampleBinaries.generateAll(corpus, temp);
        assertThat(written)
                .containsExactly(
                        temp.resolve("works/lantern-route.pdf"),
                        temp.resolve("works/salt-and-cedar.epub"));
        for (Path file : written) {
            assertRoundTrip(corpus, temp, file);
        }
        try (PDDocument pdf = Loader.loadPDF(written.get(0).toFile())) {
            assertThat(pdf.getNumberOfPages()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void generatedFilesAreByteReproducible() throws Exception {
        Path first = Files.createDirectories(temp.resolve("first"));
        Path second = Files.createDirectories(temp.resolve("second"));
        List<Path> a = SampleBinaries.generateAll(testCorpus(), first);
        List<Path> b = SampleBinaries.generateAll(testCorpus(), second);
        for (int i = 0; i < a.size(); i++) {
            assertThat(Files.readAllBytes(a.get(i)))
                    .as(a.get(i).toString())
                    .isEqualTo(Files.readAllBytes(b.get(i)));
        }
    }

    @Test
    void epubStartsWithStoredMimetype() throws Exception {
        Path out = temp.resolve("book.epub");
        SampleBinaries.generate(
                testCorpus().resolve("binary-sources/works/salt-and-cedar.epub.txt"), out);
        byte[] bytes = Files.readAllBytes(out);
        // OCF: "mimetype" is the first local file header's name (offset 30), stored, unpadded
        assertThat(new String(bytes, 30, 8, StandardCharsets.US_ASCII)).isEqualTo("mimetype");
        assertThat(new String(bytes, 38, 20, StandardCharsets.US_ASCII))
                .isEqualTo("application/epub+zip");
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                names.add(entry.getName());
                if (entry.getName().equals("mimetype")) {
                    assertThat(entry.getMethod()).isEqualTo(ZipEntry.STORED);
                }
            }
        }
        assertThat(names)
                .containsExactly(
                        "mimetype",
                        "META-INF/container.xml",
                        "EPUB/package.opf",
                        "EPUB/nav.xhtml",
                        "EPUB/chapter-01.xhtml",
                        "EPUB/chapter-02.xhtml");
    }

    @Test
    void pdfRefusesCharactersHelveticaCannotEncode() throws Exception {
        Path source =
                Files.writeString(
                        temp.resolve("bad.pdf.txt"),
                        "Title: Fine\nAuthor: Fine\n\n# One\n\nA fine line.\nA ĉapelo line.\n");
        assertThatThrownBy(() -> SampleBinaries.generate(source, temp.resolve("bad.pdf")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.pdf.txt line 6")
                .hasMessageContaining("'ĉ' (U+0109)")
                .hasMessageContaining("WinAnsi");
        assertThat(temp.resolve("bad.pdf")).doesNotExist();
    }

    @Test
    void sourceWithoutHeaderIsRefused() {
        assertThatThrownBy(() -> SampleBinaries.parse("# One\n\ntext\n", "x.epub.txt"))
                .hasMessageContaining("x.epub.txt: must start with 'Title: …'");
    }

    /**
     * Every source in corpora-sample/binary-sources regenerates into a readable file with its words
     * in order, identical to the committed file when there is one.
     */
    @Test
    void everyCorpusSampleSourceRoundTrips() throws Exception {
        Path corpus = corpusSample();
        assumeTrue(
                corpus != null && Files.isDirectory(corpus.resolve(SampleBinaries.SOURCES)),
                "no corpora-sample/binary-sources in this checkout");
        List<Path> written = SampleBinaries.generateAll(corpus, temp);
        assertThat(written).isNotEmpty();
        for (Path file : written) {
            assertRoundTrip(corpus, temp, file);
            Path committed = corpus.resolve(temp.relativize(file));
            if (Files.exists(committed)) {
                assertThat(Arrays.equals(Files.readAllBytes(committed), Files.readAllBytes(file)))
                        .as(
                                committed
                                        + " differs from what its source gives; regenerate it"
                                        + " (see SampleBinaries)")
                        .isTrue();
            }
        }
    }

    /** Writes the corpus sample's binaries in place: run with -Dmemaudit.regenerateSamples=true. */
    @Test
    void regenerateCorpusSample() throws Exception {
        assumeTrue(
                Boolean.getBoolean("memaudit.regenerateSamples"),
                "set -Dmemaudit.regenerateSamples=true to rewrite corpora-sample binaries");
        Path corpus = corpusSample();
        assertThat(SampleBinaries.generateAll(corpus, corpus)).isNotEmpty();
    }

    /** The generated file, read by the corpus readers, has the source's words in order. */
    private static void assertRoundTrip(Path corpusRoot, Path outRoot, Path file) throws Exception {
        String relative = outRoot.relativize(file).toString().replace('\\', '/');
        Path source = corpusRoot.resolve(SampleBinaries.SOURCES).resolve(relative + ".txt");
        SampleBinaries.Source parsed = SampleBinaries.parse(source);
        List<String> expected = new ArrayList<>();
        for (SampleBinaries.Chapter chapter : parsed.chapters()) {
            expected.addAll(words(chapter.heading()));
            for (SampleBinaries.Paragraph paragraph : chapter.paragraphs()) {
                expected.addAll(words(paragraph.text()));
            }
        }
        WorkEntry entry =
                new WorkEntry(
                        "w", null, List.of(), null, null, null, file, relative, null, null,
                        Role.WORK);
        List<LoadedWork> works = new ArrayList<>();
        List<WorkProblem> problems = new ArrayList<>();
        new CorpusLoader().load(List.of(entry), works::add, problems::add);
        assertThat(problems).as(relative).isEmpty();
        LoadedWork work = works.get(0);
        assertThat(work.title()).as(relative).isEqualTo(parsed.title());
        assertThat(work.authors()).as(relative).containsExactly(parsed.author());
        List<String> actual = words(work.text());
        int at = 0;
        for (int i = 0; i < expected.size(); i++) {
            while (at < actual.size() && !actual.get(at).equals(expected.get(i))) {
                at++;
            }
            assertThat(at)
                    .as(
                            "%s: source word %d '%s' not found in order in the extracted text",
                            relative, i, expected.get(i))
                    .isLessThan(actual.size());
            at++;
        }
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }
}
