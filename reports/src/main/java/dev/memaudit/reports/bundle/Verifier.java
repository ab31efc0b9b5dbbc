package dev.memaudit.reports.bundle;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.FileDigest;
import dev.memaudit.core.records.run.Manifest;
import dev.memaudit.core.records.run.ReportConfig;
import dev.memaudit.reports.bundle.VerifyResult.Kind;
import dev.memaudit.reports.bundle.VerifyResult.Problem;
import dev.memaudit.reports.run.StageFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Verifies an evidence bundle or a run folder: re-hashes every file listed in every {@code
 * manifest.json} found (the folder's own, or those of its direct subfolders; for a bundle also
 * those of the run folder it names), reports files missing, changed or not listed, checks the
 * bundle's Ed25519 signature when there is one (or when a public key is pinned), then runs the
 * {@link StageCheck}s on every stage folder whose files all matched.
 */
public final class Verifier {
    private final List<StageCheck> checks;

    /**
     * @param checks extra checks per stage folder (none: hashes and signature only)
     */
    public Verifier(List<StageCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    /**
     * @param target a bundle, a stage folder, or a folder of stage folders
     * @param pinned the public key the bundle must be signed with, or null to accept the key in the
     *     bundle (a signature by the key shipped beside it proves integrity, not authorship)
     */
    public VerifyResult verify(Path target, PublicKey pinned) {
        if (!Files.isDirectory(target)) {
            throw MemauditException.badInput(target + " is not a folder");
        }
        List<Path> dirs = manifestDirs(target);
        if (dirs.isEmpty()) {
            throw MemauditException.badInput(
                    "no manifest.json in " + target + " or in its direct subfolders");
        }
        State st = new State();
        Set<Path> seen = new HashSet<>();
        List<Path> queue = new ArrayList<>(dirs);
        List<StageFolder> stages = new ArrayList<>();
        boolean bundleFound = false;
        for (int i = 0; i < queue.size(); i++) {
            Path dir = queue.get(i);
            if (!seen.add(real(dir))) {
                continue;
            }
            Manifest m = readManifest(dir, st);
            if (m == null) {
                continue;
            }
            String command = m.command();
            boolean bundle = command.equals("report");
            checkOutputs(dir, m, bundle, st);
            if (bundle) {
                bundleFound = true;
                checkSignature(dir, pinned, st);
                Path run = checkInputs(dir, m, st);
                checkCalibration(dir, m, st);
                if (run != null) {
                    queue.addAll(manifestDirs(run));
                }
            } else {
                stages.add(new StageFolder(dir, command, m));
            }
        }
        if (pinned != null && !bundleFound) {
            st.problem(
                    target,
                    Kind.SIGNATURE,
                    "a public key was given but no report bundle was found");
        }
        for (StageFolder s : stages) {
            Path dir = s.dir().toAbsolutePath().normalize();
            boolean clean =
                    st.problems.stream()
                            .noneMatch(p -> p.file().toAbsolutePath().normalize().startsWith(dir));
            for (StageCheck c : checks) {
                if (!c.appliesTo(s)) {
                    continue;
                }
                if (!clean) {
                    st.notes.add(c.name() + " skipped for " + s.dir() + ": its files do not match");
                    continue;
                }
                List<Problem> found = c.check(s);
                st.problems.addAll(found);
                st.notes.add(
                        c.name()
                                + " on "
                                + s.dir()
                                + ": "
                                + (found.isEmpty() ? "ok" : found.size() + " problem(s)"));
            }
        }
        List<Problem> sorted = new ArrayList<>(st.problems);
        sorted.sort(
                Comparator.comparing((Problem p) -> p.file().toString())
                        .thenComparing(Problem::kind));
        return new VerifyResult(
                List.copyOf(st.manifests), st.files, List.copyOf(sorted), List.copyOf(st.notes));
    }

    private static final class State {
        final List<Path> manifests = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        long files;

        void problem(Path file, Kind kind, String detail) {
            problems.add(new Problem(file, kind, detail));
        }
    }

    /** The folder itself when it has a manifest, else its direct subfolders that have one. */
    static List<Path> manifestDirs(Path dir) {
        if (Files.isRegularFile(dir.resolve(Bundle.MANIFEST))) {
            return List.of(dir);
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> Files.isRegularFile(p.resolve(Bundle.MANIFEST)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The manifest of {@code dir}, or null (and a problem) when it is not a valid one. */
    private static Manifest readManifest(Path dir, State st) {
        Path file = dir.resolve(Bundle.MANIFEST);
        st.manifests.add(file);
        try {
            return Records.read(file, Manifest.class);
        } catch (MemauditException e) {
            // the message names file, line and field; the problem is listed by its file already
            String prefix = file.toString();
            String detail = e.getMessage();
            if (detail.startsWith(prefix)) {
                detail = detail.substring(prefix.length()).replaceFirst("^:(\\d+): ", "line $1: ");
                detail = detail.replaceFirst("^: ", "");
            }
            st.problem(file, Kind.MALFORMED, "not a memaudit manifest: " + detail);
            return null;
        }
    }

    private static void checkOutputs(Path dir, Manifest m, boolean bundle, State st) {
        Set<Path> listed = new HashSet<>();
        for (Map.Entry<String, FileDigest> e : m.outputs().entrySet()) {
            Path f = inside(dir, e.getKey(), st);
            if (f != null) {
                listed.add(f);
                checkFile(f, e.getValue(), st);
            }
        }
        Path manifest = dir.resolve(Bundle.MANIFEST).toAbsolutePath().normalize();
        Path sig = dir.resolve(Bundle.SIGNATURE).toAbsolutePath().normalize();
        for (Path f : filesBelow(dir)) {
            Path abs = f.toAbsolutePath().normalize();
            if (abs.equals(manifest) || (bundle && abs.equals(sig)) || listed.contains(abs)) {
                continue;
            }
            st.problem(f, Kind.UNLISTED, "not listed in " + dir.resolve(Bundle.MANIFEST));
        }
    }

    /** Regular files below {@code dir}, without the subtrees of nested folders with a manifest. */
    private static List<Path> filesBelow(Path dir) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    if (!Files.isRegularFile(p.resolve(Bundle.MANIFEST))) {
                        out.addAll(filesBelow(p));
                    }
                } else {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }

    private static Path inside(Path dir, String name, State st) {
        Path base = dir.toAbsolutePath().normalize();
        Path f = base.resolve(name).normalize();
        if (!f.startsWith(base) || f.equals(base)) {
            st.problem(
                    dir.resolve(Bundle.MANIFEST),
                    Kind.MALFORMED,
                    "lists a path outside its folder: " + name);
            return null;
        }
        return f;
    }

    private static void checkFile(Path f, FileDigest entry, State st) {
        String want = entry.sha256();
        if (Files.isSymbolicLink(f)) {
            st.problem(f, Kind.CHANGED, "is a symbolic link, not the file the manifest lists");
            return;
        }
        if (!Files.isRegularFile(f)) {
            st.problem(f, Kind.MISSING, "listed with SHA-256 " + want + " but absent");
            return;
        }
        st.files++;
        String got = Sha256.of(f);
        if (!got.equals(want)) {
            st.problem(f, Kind.CHANGED, "SHA-256 is " + got + ", the manifest says " + want);
            return;
        }
        Long bytes = entry.bytes();
        try {
            if (bytes != null && bytes != Files.size(f)) {
                st.problem(
                        f,
                        Kind.CHANGED,
                        "size is " + Files.size(f) + " bytes, the manifest says " + bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    private static void checkSignature(Path dir, PublicKey pinned, State st) {
        Path sigFile = dir.resolve(Bundle.SIGNATURE);
        Path pubFile = dir.resolve(Bundle.PUBLIC_KEY);
        if (!Files.exists(sigFile)) {
            if (pinned != null) {
                st.problem(
                        sigFile,
                        Kind.SIGNATURE,
                        "absent, but a public key was given: the bundle must be signed");
            } else {
                st.notes.add(dir + ": bundle not signed (hashes checked only)");
            }
            return;
        }
        PublicKey key = pinned;
        if (Files.exists(pubFile)) {
            PublicKey shipped;
            try {
                shipped = Ed25519Keys.readPublic(pubFile);
            } catch (MemauditException e) {
                st.problem(pubFile, Kind.SIGNATURE, e.getMessage());
                return;
            }
            if (pinned != null && !Arrays.equals(pinned.getEncoded(), shipped.getEncoded())) {
                st.problem(pubFile, Kind.SIGNATURE, "the bundle's key is not the public key given");
                return;
            }
            key = shipped;
        }
        if (key == null) {
            st.problem(
                    sigFile,
                    Kind.SIGNATURE,
                    "signed, but no " + Bundle.PUBLIC_KEY + " and no --public-key to check it");
            return;
        }
        try {
            byte[] sig =
                    Base64.getDecoder()
                            .decode(Files.readString(sigFile, StandardCharsets.US_ASCII).strip());
            byte[] manifest = Files.readAllBytes(dir.resolve(Bundle.MANIFEST));
            if (!Ed25519Keys.verify(key, manifest, sig)) {
                st.problem(
                        dir.resolve(Bundle.MANIFEST),
                        Kind.SIGNATURE,
                        "does not match its signature in "
                                + Bundle.SIGNATURE
                                + ": the manifest or the signature was changed, or another key"
                                + " signed it");
            } else {
                st.notes.add(
                        dir
                                + ": Ed25519 signature valid"
                                + (pinned != null
                                        ? " (pinned key)"
                                        : " (key shipped in the bundle)"));
            }
        } catch (IllegalArgumentException e) {
            st.problem(sigFile, Kind.SIGNATURE, "not base64");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sigFile, e);
        }
    }

    /**
     * Re-hashes the calibration a report read ({@code config.calibration}) where it still lies; it
     * is outside the run folder, so a bundle moved elsewhere may not have it (then a note says it
     * was not checked).
     */
    private static void checkCalibration(Path dir, Manifest m, State st) {
        if (!(m.config() instanceof ReportConfig rc)) {
            return;
        }
        ReportConfig.CalibrationInput c = rc.calibration();
        if (c != null) {
            checkOutside(dir, "calibration", c.file(), c.sha256(), st);
            if (c.doseResponseSvg() != null && c.doseResponseSvgSha256() != null) {
                checkOutside(
                        dir, "calibration", c.doseResponseSvg(), c.doseResponseSvgSha256(), st);
            }
        }
        if (rc.influence() != null) {
            for (ReportConfig.InfluenceInput i : rc.influence()) {
                checkOutside(dir, i.role(), i.file(), i.sha256(), st);
            }
        }
    }

    private static void checkOutside(Path dir, String what, String file, String sha256, State st) {
        Path f = Path.of(file);
        if (!f.isAbsolute() || !Files.isRegularFile(f)) {
            st.notes.add(
                    dir
                            + ": "
                            + what
                            + " "
                            + file
                            + " not found"
                            + (f.isAbsolute() ? "" : " (a relative path)")
                            + "; its SHA-256 was not checked");
            return;
        }
        // the report read it through any link, so verify does too
        checkFile(real(f), new FileDigest(sha256, null), st);
    }

    /** Re-hashes a bundle's inputs; returns the run folder, or null when it is not there. */
    private static Path checkInputs(Path dir, Manifest m, State st) {
        String rel = m.runDir();
        if (rel == null) {
            st.problem(
                    dir.resolve(Bundle.MANIFEST),
                    Kind.MALFORMED,
                    "a report manifest without " + Bundle.RUN_DIR);
            return null;
        }
        Path run = dir.resolve(rel).normalize();
        if (!Files.isDirectory(run)) {
            st.notes.add(
                    dir
                            + ": run folder "
                            + run
                            + " not found beside the bundle; its inputs were not checked");
            return null;
        }
        for (Map.Entry<String, FileDigest> e : m.inputs().entrySet()) {
            Path f = inside(run, e.getKey(), st);
            if (f != null) {
                checkFile(f, e.getValue(), st);
            }
        }
        return run;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
