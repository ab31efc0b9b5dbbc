package dev.memaudit.reports.influence;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.ValidationSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The influence a report shows: the {@code influence.jsonl} of one {@code meter exact} or {@code
 * meter approx} folder ({@code report --influence}), read whole and pinned by hash, since it lies
 * outside the run folder.
 *
 * @param file the influence.jsonl read
 * @param sha256 its SHA-256
 * @param method the one method all its lines share ({@code exact}, {@code unlearn}, {@code
 *     gradient})
 * @param records its lines, in file order
 */
public record InfluenceFolder(
        Path file, String sha256, String method, List<InfluenceRecord> records) {

    /** Reads {@code dirOrFile}: a meter folder holding influence.jsonl, or the file itself. */
    public static InfluenceFolder read(Path dirOrFile) {
        Path file =
                Files.isDirectory(dirOrFile)
                        ? dirOrFile.resolve(Records.fileName(InfluenceRecord.class))
                        : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw MemauditException.badInput(
                    file + ": no such file (influence.jsonl of memaudit meter exact or approx)");
        }
        List<InfluenceRecord> records = Records.readAll(file, InfluenceRecord.class);
        if (records.isEmpty()) {
            throw MemauditException.badInput(file + ": no influence lines");
        }
        List<String> methods = records.stream().map(InfluenceRecord::method).distinct().toList();
        if (methods.size() != 1) {
            throw MemauditException.badInput(
                    file + ": lines of several methods " + methods + "; one folder, one method");
        }
        return new InfluenceFolder(file, Sha256.of(file), methods.get(0), List.copyOf(records));
    }

    /**
     * A {@code validation.json} of {@code meter validate} ({@code report --influence-validation}):
     * how each approximate method agreed with exact counterfactuals on canaries.
     */
    public record Validation(Path file, String sha256, ValidationSummary summary) {
        public static Validation read(Path file) {
            if (!Files.isRegularFile(file)) {
                throw MemauditException.badInput(
                        file + ": no such file (validation.json of memaudit meter validate)");
            }
            return new Validation(
                    file, Sha256.of(file), Records.read(file, ValidationSummary.class));
        }

        /** The agreement of {@code method}, or null when it was not validated. */
        public ValidationSummary.MethodAgreement of(String method) {
            return summary.methods().stream()
                    .filter(m -> m.method().equals(method))
                    .findFirst()
                    .orElse(null);
        }
    }
}
