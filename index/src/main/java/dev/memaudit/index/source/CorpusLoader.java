package dev.memaudit.index.source;

import dev.memaudit.core.io.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the files of manifest entries into works, one entry after another, with the reader for each
 * entry's format. A problem with one work (missing file, corrupt PDF, DRM, a bad JSONL line, a file
 * over one of the {@link ReadLimits}) becomes a {@link WorkProblem} and loading goes on: one bad
 * file never aborts a long run. Two works with the same id (e.g. from two JSONL files) are a
 * problem for the second one.
 */
public final class CorpusLoader {
    private final Map<String, WorkSource> byFormat = new LinkedHashMap<>();
    private final Map<String, WorkSource> byExtension = new HashMap<>();
    private final ReadLimits limits;

    /** A loader with every built-in reader and the default limits. */
    public CorpusLoader() {
        this(ReadLimits.DEFAULTS);
    }

    /** A loader with every built-in reader and these limits (e.g. a manifest's). */
    public CorpusLoader(ReadLimits limits) {
        this(builtInSources(), limits);
    }

    /** A loader with the given readers and the default limits. */
    public CorpusLoader(List<WorkSource> sources) {
        this(sources, ReadLimits.DEFAULTS);
    }

    /** A loader with the given readers; a later reader wins a format or extension. */
    public CorpusLoader(List<WorkSource> sources, ReadLimits limits) {
        this.limits = limits;
        for (WorkSource source : sources) {
            byFormat.put(source.format(), source);
            for (String extension : source.extensions()) {
                byExtension.put(extension, source);
            }
        }
    }

    /** The limits every reader of this loader keeps to. */
    public ReadLimits limits() {
        return limits;
    }

    /** One instance of every built-in reader: txt, md, html, epub, pdf, jsonl. */
    public static List<WorkSource> builtInSources() {
        return List.of(
                new TextSource(),
                new MarkdownSource(),
                new HtmlSource(),
                new EpubSource(),
                new PdfSource(),
                new JsonlSource());
    }

    /**
     * Reads entries in order; calls {@code works.accept} for each readable work (also when its text
     * is empty or blank: the caller counts empties), {@code problems.accept} for every entry or
     * line that could not be read. Never throws for a per-work problem.
     */
    public void load(
            List<WorkEntry> entries, Consumer<LoadedWork> works, Consumer<WorkProblem> problems) {
        Map<String, String> loadedFrom = new HashMap<>();
        Consumer<LoadedWork> unique =
                work -> {
                    String earlier = loadedFrom.putIfAbsent(work.id(), work.relativePath());
                    if (earlier == null) {
                        works.accept(work);
                    } else {
                        problems.accept(
                                new WorkProblem(
                                        work.id(),
                                        work.file(),
                                        null,
                                        WorkProblem.Kind.FAILED,
                                        "duplicate work id '"
                                                + work.id()
                                                + "' (already loaded from "
                                                + earlier
                                                + ")"));
                    }
                };
        for (WorkEntry entry : entries) {
            loadEntry(entry, unique, problems);
        }
    }

    private void loadEntry(
            WorkEntry entry, Consumer<LoadedWork> works, Consumer<WorkProblem> problems) {
        WorkSource source = sourceFor(entry);
        if (source == null) {
            problems.accept(
                    failed(
                            entry,
                            "no reader for format "
                                    + (entry.format() != null
                                            ? "'" + entry.format() + "'"
                                            : "of " + entry.relativePath())
                                    + " (known: "
                                    + String.join(", ", byFormat.keySet())
                                    + ")"));
            return;
        }
        Path file = entry.path();
        if (!Files.exists(file)) {
            problems.accept(failed(entry, "file not found: " + entry.relativePath()));
            return;
        }
        if (!Files.isRegularFile(file)) {
            problems.accept(failed(entry, "not a regular file: " + entry.relativePath()));
            return;
        }
        // What the caller does with a work (index it) is not this file's problem: its failures
        // pass through instead of being recorded as a failure to read the file.
        Consumer<LoadedWork> caller =
                work -> {
                    try {
                        works.accept(work);
                    } catch (RuntimeException | Error e) {
                        throw new CallerFailure(e);
                    }
                };
        try {
            ReadLimits.Key sizeLimit = source.fileSizeLimit();
            long size = sizeLimit == null ? 0 : Files.size(file);
            if (sizeLimit != null && size > limits.get(sizeLimit)) {
                // before hashing too: a 2 GB file is refused at once
                throw limits.exceeded(sizeLimit, "the file is " + ReadLimits.formatBytes(size));
            }
            String sha256 = Sha256.of(file);
            source.read(entry, sha256, limits, caller, problems);
        } catch (CallerFailure e) {
            e.rethrow();
        } catch (OverLimitException e) {
            problems.accept(overLimit(entry, e));
        } catch (WorkReadException e) {
            problems.accept(new WorkProblem(entry.id(), file, e.line(), e.kind(), e.getMessage()));
        } catch (IOException | UncheckedIOException e) {
            OverLimitException over = overLimitCause(e);
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            problems.accept(
                    over != null
                            ? overLimit(entry, over)
                            : failed(entry, "cannot read " + entry.relativePath() + ": " + cause));
        } catch (StackOverflowError e) {
            // A recursive parser (commonmark's inline parser, PDFBox's object parser) on input
            // nested deeper than its stack allows: this file's problem, not the run's.
            problems.accept(
                    failed(
                            entry,
                            "cannot read "
                                    + entry.relativePath()
                                    + " as "
                                    + source.format()
                                    + ": its structure is nested too deeply for the parser"
                                    + " (stack overflow)"));
        } catch (RuntimeException e) {
            OverLimitException over = overLimitCause(e);
            if (over != null) {
                // a parser library wrapped our own limit check
                problems.accept(overLimit(entry, over));
                return;
            }
            // a parser library choking on a malformed file: this file's problem, not the run's
            problems.accept(
                    failed(
                            entry,
                            "cannot read "
                                    + entry.relativePath()
                                    + " as "
                                    + source.format()
                                    + ": "
                                    + e));
        }
    }

    /** A failure of the caller's consumer, carried through the reader unchanged. */
    private static final class CallerFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallerFailure(Throwable cause) {
            super(cause);
        }

        void rethrow() {
            if (getCause() instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) getCause();
        }
    }

    private static WorkProblem overLimit(WorkEntry entry, OverLimitException e) {
        return new WorkProblem(
                entry.id(), entry.path(), null, WorkProblem.Kind.FAILED, e.getMessage(), e.limit());
    }

    private static OverLimitException overLimitCause(Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof OverLimitException over) {
                return over;
            }
        }
        return null;
    }

    private WorkSource sourceFor(WorkEntry entry) {
        if (entry.format() != null) {
            return byFormat.get(entry.format().toLowerCase(Locale.ROOT));
        }
        return byExtension.get(extensionOf(entry.relativePath()));
    }

    /** The lower-case extension of a file name, without the dot; "" when it has none. */
    static String extensionOf(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        return dot > slash + 1 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    private static WorkProblem failed(WorkEntry entry, String reason) {
        return new WorkProblem(entry.id(), entry.path(), null, WorkProblem.Kind.FAILED, reason);
    }
}
