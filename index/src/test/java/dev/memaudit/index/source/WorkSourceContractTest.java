package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link WorkSource} keeps, checked over its format's fixtures
 * (src/test/resources/sources/&lt;format&gt;/ or files the subclass writes into a temp folder): the
 * expected text exactly, the same text on every read, the SHA-256 of the source bytes, the problem
 * kind for each bad input, and for each of its {@link ReadLimits} an input over it that fails
 * naming the limit while the same input loads once the limit is raised. A new format adds one
 * subclass.
 */
abstract class WorkSourceContractTest {

    /** A readable file and the works it must give. */
    protected record Good(String name, Path file, String encoding, List<Expected> works) {}

    /** One expected work; a null title or empty authors are not checked. */
    protected record Expected(String id, String text, String title, List<String> authors) {
        static Expected text(String id, String text) {
            return new Expected(id, text, null, List.of());
        }
    }

    /**
     * An unreadable file (or line): the problem it must give, and the works still loaded from it.
     */
    protected record Bad(
            String name,
            Path file,
            String encoding,
            WorkProblem.Kind kind,
            String reasonContains,
            Integer line,
            List<String> idsStillLoaded) {
        Bad(String name, Path file, WorkProblem.Kind kind, String reasonContains) {
            this(name, file, null, kind, reasonContains, null, List.of());
        }
    }

    /**
     * An input over a limit: read with {@code limits} it must fail naming {@code limit} (and leave
     * {@code idsStillLoaded}); read with {@code raised} it must load without a problem. Inputs are
     * generated here, small, with a lowered limit to show the mechanism where the default scale
     * would be slow.
     */
    protected record OverLimit(
            String name,
            Path file,
            ReadLimits limits,
            ReadLimits.Key limit,
            String reasonContains,
            Integer line,
            List<String> idsStillLoaded,
            ReadLimits raised) {
        OverLimit(
                String name,
                Path file,
                ReadLimits limits,
                ReadLimits.Key limit,
                String reasonContains,
                ReadLimits raised) {
            this(name, file, limits, limit, reasonContains, null, List.of(), raised);
        }
    }

    @TempDir protected Path temp;

    /** The reader under test. */
    protected abstract WorkSource source();

    /** Readable inputs; files may be written into {@code dir}. */
    protected abstract List<Good> goodInputs(Path dir) throws Exception;

    /** Unreadable inputs, at least one per way this format fails. */
    protected abstract List<Bad> badInputs(Path dir) throws Exception;

    /** Inputs over each limit this format keeps to, at least one. */
    protected abstract List<OverLimit> overLimitInputs(Path dir) throws Exception;

    /** The defaults with {@code key} set to {@code value}. */
    protected static ReadLimits limit(ReadLimits.Key key, long value) {
        return ReadLimits.DEFAULTS.with(key, value);
    }

    /** A fixture under src/test/resources/sources/. */
    protected static Path fixture(String relative) {
        try {
            return Path.of(
                    WorkSourceContractTest.class.getResource("/sources/" + relative).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no test fixture sources/" + relative, e);
        }
    }

    protected static String readFixture(String relative) throws Exception {
        return Files.readString(fixture(relative), StandardCharsets.UTF_8);
    }

    /** An entry for {@code file} with the given format, id from its name. */
    protected WorkEntry entry(Path file, String encoding) {
        String name = file.getFileName().toString();
        return new WorkEntry(
                name.substring(0, name.indexOf('.')),
                null,
                List.of(),
                "Example Rightsholder",
                "all rights reserved",
                2024,
                file.toAbsolutePath(),
                name,
                source().format(),
                encoding,
                Role.WORK);
    }

    /** Works and problems from loading one entry with only this reader. */
    protected record Outcome(List<LoadedWork> works, List<WorkProblem> problems) {}

    protected Outcome load(WorkEntry entry) {
        return load(entry, ReadLimits.DEFAULTS);
    }

    protected Outcome load(WorkEntry entry, ReadLimits limits) {
        List<LoadedWork> works = new ArrayList<>();
        List<WorkProblem> problems = new ArrayList<>();
        new CorpusLoader(List.of(source()), limits).load(List.of(entry), works::add, problems::add);
        return new Outcome(works, problems);
    }

    @Test
    void failsEachInputOverALimitNamingTheLimitAndLoadsItWhenRaised() throws Exception {
        List<OverLimit> inputs = overLimitInputs(temp);
        assertThat(inputs).isNotEmpty();
        for (OverLimit over : inputs) {
            WorkEntry entry = entry(over.file(), null);
            Outcome outcome = load(entry, over.limits());
            assertThat(outcome.problems()).as(over.name()).hasSize(1);
            WorkProblem problem = outcome.problems().get(0);
            assertThat(problem.kind()).as(over.name()).isEqualTo(WorkProblem.Kind.FAILED);
            assertThat(problem.limit()).as(over.name() + ": " + problem).isEqualTo(over.limit());
            assertThat(problem.reason())
                    .as(over.name())
                    .contains(over.reasonContains())
                    .contains(over.limit().key());
            assertThat(problem.file()).isEqualTo(over.file().toAbsolutePath());
            if (over.line() != null) {
                assertThat(problem.line()).as(over.name()).isEqualTo(over.line());
            }
            assertThat(outcome.works())
                    .as(over.name())
                    .extracting(LoadedWork::id)
                    .isEqualTo(over.idsStillLoaded());
            // the limit, and nothing else, is what fails it
            Outcome raised = load(entry, over.raised());
            assertThat(raised.problems()).as(over.name() + " with the limit raised").isEmpty();
            assertThat(raised.works()).as(over.name() + " with the limit raised").isNotEmpty();
        }
    }

    @Test
    void declaresFormatAndLowerCaseExtensions() {
        assertThat(source().format()).matches("[a-z]+");
        assertThat(source().extensions())
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e).matches("[a-z0-9]+"));
    }

    @Test
    void readsExpectedTextExactly() throws Exception {
        for (Good good : goodInputs(temp)) {
            Outcome outcome = load(entry(good.file(), good.encoding()));
            assertThat(outcome.problems()).as(good.name()).isEmpty();
            assertThat(outcome.works()).as(good.name()).hasSameSizeAs(good.works());
            for (int i = 0; i < good.works().size(); i++) {
                Expected expected = good.works().get(i);
                LoadedWork work = outcome.works().get(i);
                assertThat(work.id()).as(good.name()).isEqualTo(expected.id());
                assertThat(work.text())
                        .as(good.name() + " " + work.id())
                        .isEqualTo(expected.text());
                assertThat(work.format()).isEqualTo(source().format());
                assertThat(work.role()).isEqualTo(Role.WORK);
                if (expected.title() != null) {
                    assertThat(work.title()).as(good.name()).isEqualTo(expected.title());
                }
                if (!expected.authors().isEmpty()) {
                    assertThat(work.authors()).as(good.name()).isEqualTo(expected.authors());
                }
            }
        }
    }

    @Test
    void rereadingGivesTheSameWorks() throws Exception {
        for (Good good : goodInputs(temp)) {
            WorkEntry entry = entry(good.file(), good.encoding());
            assertThat(load(entry)).as(good.name()).isEqualTo(load(entry));
        }
    }

    @Test
    void carriesSha256OfTheSourceBytes() throws Exception {
        for (Good good : goodInputs(temp)) {
            String expected =
                    HexFormat.of()
                            .formatHex(
                                    MessageDigest.getInstance("SHA-256")
                                            .digest(Files.readAllBytes(good.file())));
            assertThat(load(entry(good.file(), good.encoding())).works())
                    .as(good.name())
                    .isNotEmpty()
                    .allSatisfy(
                            work -> {
                                assertThat(work.sourceSha256()).isEqualTo(expected);
                                assertThat(work.file()).isEqualTo(good.file().toAbsolutePath());
                            });
        }
    }

    @Test
    void reportsEachBadInputWithItsKind() throws Exception {
        List<Bad> bads = badInputs(temp);
        assertThat(bads).isNotEmpty();
        for (Bad bad : bads) {
            Outcome outcome = load(entry(bad.file(), bad.encoding()));
            assertThat(outcome.works())
                    .as(bad.name())
                    .extracting(LoadedWork::id)
                    .isEqualTo(bad.idsStillLoaded());
            assertThat(outcome.problems()).as(bad.name()).hasSize(1);
            WorkProblem problem = outcome.problems().get(0);
            assertThat(problem.kind()).as(bad.name()).isEqualTo(bad.kind());
            assertThat(problem.reason()).as(bad.name()).contains(bad.reasonContains());
            assertThat(problem.file()).isEqualTo(bad.file().toAbsolutePath());
            if (bad.line() != null) {
                assertThat(problem.line()).as(bad.name()).isEqualTo(bad.line());
            }
        }
    }

    @Test
    void missingFileFails() {
        Outcome outcome = load(entry(temp.resolve("absent." + source().format()), null));
        assertThat(outcome.works()).isEmpty();
        assertThat(outcome.problems())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.kind()).isEqualTo(WorkProblem.Kind.FAILED);
                            assertThat(p.id()).isEqualTo("absent");
                            assertThat(p.reason()).contains("file not found");
                        });
    }
}
