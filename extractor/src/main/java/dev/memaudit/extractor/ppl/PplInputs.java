package dev.memaudit.extractor.ppl;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.WorkEntry;
import dev.memaudit.index.store.WorksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the texts of a ppl run come from: the works from an index's works store (the original text
 * the index stores, so offsets agree with scan and extract), the controls from a corpus folder or
 * corpus.yaml.
 */
public final class PplInputs {
    private PplInputs() {}

    /**
     * Texts read, with what a manifest records about them.
     *
     * @param texts the texts, in input order
     * @param hashes input name ({@code work/<id>}, {@code control/<id>}, as the report reads them)
     *     → SHA-256 of its source file (as the index or loader computed it)
     * @param problems texts that could not be read (file, reason)
     * @param indexUid the uid of the index the works came from, or null for controls
     */
    public record Loaded(
            List<PplText> texts,
            Map<String, String> hashes,
            List<String> problems,
            String indexUid) {}

    /**
     * The works of an index, all or those named.
     *
     * @param ids work ids to take, or null/empty for every work
     * @throws MemauditException BAD_INPUT naming ids the index does not hold
     */
    public static Loaded works(Path indexDir, List<String> ids) {
        try (NgramIndex index = NgramIndex.open(indexDir)) {
            WorksStore store = index.store();
            Map<String, IndexManifest.WorkInfo> info = new TreeMap<>();
            for (IndexManifest.WorkInfo w : index.manifest().works()) {
                info.put(w.id(), w);
            }
            List<String> wanted = new ArrayList<>();
            if (ids == null || ids.isEmpty()) {
                for (int i = 0; i < store.size(); i++) {
                    wanted.add(store.id(i));
                }
            } else {
                List<String> unknown = new ArrayList<>();
                for (String id : new LinkedHashSet<>(ids)) {
                    (store.ordinal(id) < 0 ? unknown : wanted).add(id);
                }
                if (!unknown.isEmpty()) {
                    throw MemauditException.badInput(
                            "--works: the index "
                                    + indexDir
                                    + " has no work "
                                    + String.join(", ", unknown));
                }
            }
            List<PplText> texts = new ArrayList<>();
            Map<String, String> hashes = new TreeMap<>();
            for (String id : wanted) {
                IndexManifest.WorkInfo w = info.get(id);
                if (w != null && "control".equals(w.role())) {
                    continue;
                }
                texts.add(
                        new PplText(
                                PplText.WORK,
                                id,
                                w == null ? null : w.title(),
                                store.text(store.ordinal(id))));
                if (w != null && w.sourceSha256() != null) {
                    hashes.put("work/" + id, w.sourceSha256());
                }
            }
            return new Loaded(texts, hashes, List.of(), index.manifest().indexUid());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close index " + indexDir, e);
        }
    }

    /**
     * Control texts: the {@code controls:} of a corpus.yaml (or of the corpus.yaml in a folder); a
     * corpus without controls (e.g. a plain folder of texts) is all controls.
     */
    public static Loaded controls(Path corpus) {
        CorpusManifest m = CorpusManifest.load(corpus);
        List<WorkEntry> entries = m.controls().isEmpty() ? m.works() : m.controls();
        List<PplText> texts = new ArrayList<>();
        Map<String, String> hashes = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        new CorpusLoader(m.limits())
                .load(
                        entries,
                        w -> {
                            if (!w.text().isBlank()) {
                                texts.add(
                                        new PplText(PplText.CONTROL, w.id(), w.title(), w.text()));
                                hashes.put("control/" + w.id(), w.sourceSha256());
                            } else {
                                problems.add(w.relativePath() + ": empty text, not used");
                            }
                        },
                        p ->
                                problems.add(
                                        p.file()
                                                + (p.line() == null ? "" : ":" + p.line())
                                                + ": "
                                                + p.reason()));
        return new Loaded(texts, hashes, problems, null);
    }
}
