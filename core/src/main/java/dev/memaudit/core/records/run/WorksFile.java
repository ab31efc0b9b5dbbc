package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.ppl.PplWork;
import dev.memaudit.core.records.scan.ScanWork;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code works.json} of a stage folder: per work, the summary of that stage (one section named
 * after it: {@code scan}, {@code extract} or {@code ppl}).
 *
 * @param works work id → its entry
 */
@RecordFile(name = "works.json", version = WorksFile.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorksFile(int schemaVersion, Map<String, WorkEntry> works) {

    /** Version of the works.json layout. */
    public static final int SCHEMA_VERSION = 1;

    public static WorksFile of(Map<String, WorkEntry> works) {
        return new WorksFile(SCHEMA_VERSION, works);
    }

    /**
     * One work: its title and the section of the stage that wrote the file.
     *
     * @param title the work's title; absent when the corpus gave none
     * @param scan the scan stage's section; absent in other stages' files
     * @param extract the extract stage's section; absent in other stages' files
     * @param ppl the ppl stage's section; absent in other stages' files
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WorkEntry(
            @OptionalField String title,
            @OptionalField ScanWork scan,
            @OptionalField ExtractWork extract,
            @OptionalField PplWork ppl) {

        public static WorkEntry scan(String title, ScanWork s) {
            return new WorkEntry(title, s, null, null);
        }

        public static WorkEntry extract(String title, ExtractWork e) {
            return new WorkEntry(title, null, e, null);
        }

        public static WorkEntry ppl(String title, PplWork p) {
            return new WorkEntry(title, null, null, p);
        }

        private Object section(String stage) {
            return switch (stage) {
                case "scan" -> scan;
                case "extract" -> extract;
                case "ppl" -> ppl;
                default -> throw new IllegalArgumentException("no works.json section " + stage);
            };
        }
    }

    /**
     * Checks that every work has the section of {@code stage} (the stage whose folder holds the
     * file) and no other.
     *
     * @throws MemauditException INTEGRITY naming the file and the work otherwise
     */
    public WorksFile requireSection(Path file, String stage) {
        for (Map.Entry<String, WorkEntry> e : works.entrySet()) {
            for (String s : new String[] {"scan", "extract", "ppl"}) {
                boolean has = e.getValue().section(s) != null;
                if (has != s.equals(stage)) {
                    throw MemauditException.integrity(
                            file
                                    + ": works."
                                    + e.getKey()
                                    + "."
                                    + s
                                    + (has
                                            ? ": a section the " + stage + " stage does not write"
                                            : ": missing (the "
                                                    + stage
                                                    + " stage writes it for every work)"));
                }
            }
        }
        return this;
    }
}
