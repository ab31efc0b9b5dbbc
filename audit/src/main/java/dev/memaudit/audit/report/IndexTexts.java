package dev.memaudit.audit.report;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.run.FileDigest;
import dev.memaudit.core.records.run.Reservation;
import dev.memaudit.core.records.scan.ScanConfig;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.scan.ScanService;
import dev.memaudit.reports.run.SourceTexts;
import dev.memaudit.reports.run.StageFolder;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The texts a report shows passages against: works from the index the stages used (its works
 * store), outputs from the file the scan read. A text is used only when it is provably the one the
 * run saw: the index must have the uid the stage recorded and the work's source the SHA-256 the
 * stage recorded; the outputs file must have the SHA-256 the scan recorded. Otherwise the report
 * shows offsets only and says why.
 */
public final class IndexTexts implements SourceTexts, Closeable {
    private final NgramIndex index;
    private final Map<String, String> workSha = new HashMap<>();
    private final Map<String, String> expectedSha = new HashMap<>();
    private final Map<String, String> outputs = new HashMap<>();
    private final List<String> notes = new ArrayList<>();

    private IndexTexts(NgramIndex index) {
        this.index = index;
    }

    /**
     * @param stages the run's stage folders
     * @param indexOverride an index folder to use instead of the one the stages recorded, or null
     */
    public static IndexTexts open(List<StageFolder> stages, Path indexOverride) {
        Path indexDir = indexOverride;
        String uid = null;
        for (StageFolder s : stages) {
            String recorded = s.config().readIndex();
            if (indexDir == null && recorded != null) {
                indexDir = Path.of(recorded);
            }
            if (uid == null) {
                uid = s.config().readIndexUid();
            }
        }
        NgramIndex index = null;
        List<String> notes = new ArrayList<>();
        if (indexDir == null) {
            notes.add(
                    "No stage recorded an index folder: work texts are not shown (pass --index).");
        } else if (!Files.isDirectory(indexDir)) {
            notes.add(
                    "The index "
                            + indexDir
                            + " the run used is not here: work texts are not shown (pass --index).");
        } else {
            try {
                index = NgramIndex.open(indexDir);
                if (uid != null && !uid.equals(index.manifest().indexUid())) {
                    notes.add(
                            "The index "
                                    + indexDir
                                    + " is not the one the run used (uid "
                                    + index.manifest().indexUid()
                                    + ", run recorded "
                                    + uid
                                    + "): work texts are not shown.");
                    index.close();
                    index = null;
                }
            } catch (MemauditException | IOException e) {
                notes.add(
                        "The index "
                                + indexDir
                                + " cannot be opened ("
                                + e.getMessage()
                                + "): work texts are not shown.");
                index = null;
            }
        }
        IndexTexts t = new IndexTexts(index);
        t.notes.addAll(notes);
        if (index != null) {
            for (IndexManifest.WorkInfo w : index.manifest().works()) {
                t.workSha.put(w.id(), w.sourceSha256());
            }
        }
        for (StageFolder s : stages) {
            s.manifest()
                    .inputs()
                    .forEach(
                            (name, digest) -> {
                                if (name.startsWith("work/")) {
                                    t.expectedSha.putIfAbsent(name.substring(5), digest.sha256());
                                }
                            });
            if (s.command().equals("scan")) {
                t.loadOutputs(s);
            }
        }
        return t;
    }

    private void loadOutputs(StageFolder scan) {
        List<String> args = scan.manifest().args();
        String path = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--outputs") && i + 1 < args.size()) {
                path = args.get(i + 1);
            } else if (args.get(i).startsWith("--outputs=")) {
                path = args.get(i).substring("--outputs=".length());
            }
        }
        if (path == null) {
            notes.add("The scan's manifest does not name its outputs: output texts are not shown.");
            return;
        }
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            notes.add(
                    "The scanned outputs "
                            + path
                            + " are not here (or are a folder): output texts are not shown.");
            return;
        }
        FileDigest recorded = scan.manifest().inputs().get("outputs/" + file.getFileName());
        if (recorded == null || !recorded.sha256().equals(Sha256.of(file))) {
            notes.add(
                    "The outputs file "
                            + path
                            + " is not the one the scan read (SHA-256 differs): output texts are not shown.");
            return;
        }
        try {
            // read as the scan read it: the same ids, the same text field
            ScanService.forEachOutput(
                    file,
                    ((ScanConfig) scan.manifest().config()).maxOutputBytes(),
                    o -> {
                        if (o.text() != null) {
                            outputs.putIfAbsent(o.id(), o.text());
                        }
                    });
        } catch (IOException e) {
            notes.add(
                    "Cannot read "
                            + path
                            + " ("
                            + e.getMessage()
                            + "): output texts are not shown.");
            outputs.clear();
        }
    }

    @Override
    public Optional<Reservation> reservation(String workId) {
        if (index == null) {
            return Optional.empty();
        }
        for (IndexManifest.WorkInfo w : index.manifest().works()) {
            if (w.id().equals(workId)) {
                return Optional.ofNullable(w.reservation());
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> work(String workId) {
        if (index == null) {
            return Optional.empty();
        }
        String want = expectedSha.get(workId);
        if (want != null && !want.equals(workSha.get(workId))) {
            notes.add(
                    "Work "
                            + workId
                            + " changed in the index since the run: its text is not shown.");
            return Optional.empty();
        }
        int ordinal = index.store().ordinal(workId);
        return ordinal < 0 ? Optional.empty() : Optional.of(index.store().text(ordinal));
    }

    @Override
    public Optional<String> output(String outputId) {
        return Optional.ofNullable(outputs.get(outputId));
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    @Override
    public void close() throws IOException {
        if (index != null) {
            index.close();
        }
    }
}
