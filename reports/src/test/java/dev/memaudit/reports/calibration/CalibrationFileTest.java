package dev.memaudit.reports.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationFileTest {
    @TempDir Path tmp;

    @Test
    void readsWhatTheLadderWriterWrites() throws IOException {
        Path f = CalibrationSamples.ladder(tmp.resolve("calibration.json"), true);
        Files.writeString(tmp.resolve(CalibrationFile.DOSE_RESPONSE_SVG), "<svg/>");
        CalibrationFile c = CalibrationFile.read(f);
        assertThat(c.schemaVersion()).isEqualTo(2);
        assertThat(c.memberOnly()).isNull();
        assertThat(c.sha256()).isEqualTo(Sha256.of(f));
        assertThat(c.doseResponseSvgSha256())
                .isEqualTo(Sha256.of(tmp.resolve("dose-response.svg")));
        assertThat(c.ladder().seeds()).containsExactly(42L, 43L);
        assertThat(c.ladder().perWorkTest().byDose().get(0).estimate().high()).isEqualTo(0.602);
        assertThat(c.ladder().extraction().logLinearSlope().greedyShare().value())
                .isEqualTo(0.4152);
        assertThat(c.ladder().canaries().get(1).heldOutBackgroundNll()).isNull();
    }

    @Test
    void readsWhatTheMemberOnlyWriterWrites() {
        CalibrationFile c =
                CalibrationFile.read(CalibrationSamples.memberOnly(tmp.resolve("c.json")));
        assertThat(c.schemaVersion()).isEqualTo(1);
        assertThat(c.ladder()).isNull();
        assertThat(c.memberOnly().aggregateTest()).hasSize(2);
        assertThat(c.doseResponseSvg()).isNull();
    }

    @Test
    void aMissingFileIsBadInputNamingIt() {
        Path f = tmp.resolve("nowhere/calibration.json");
        assertThatThrownBy(() -> CalibrationFile.read(f))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("no such calibration file");
    }

    @Test
    void anUnknownVersionNotJsonOrAnUnknownKeyIsBadInputWithTheReason() throws IOException {
        Path v = Files.writeString(tmp.resolve("v.json"), "{\"schema_version\": 7}");
        assertThatThrownBy(() -> CalibrationFile.read(v))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(v.toString())
                .hasMessageContaining("schema_version 7 is not one this memaudit reads");
        Path j = Files.writeString(tmp.resolve("j.json"), "{\"schema_version\": 2,");
        assertThatThrownBy(() -> CalibrationFile.read(j))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(j.toString())
                .hasMessageContaining("not a calibration.json");
        Path good = CalibrationSamples.ladder(tmp.resolve("k.json"), true);
        String text = Files.readString(good).replaceFirst("\\{", "{\"surprise\": 1,");
        Path k = Files.writeString(tmp.resolve("k.json"), text);
        assertThatThrownBy(() -> CalibrationFile.read(k))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(k.toString())
                .hasMessageContaining("surprise");
        Path none = Files.writeString(tmp.resolve("n.json"), "{\"foo\": 1}");
        assertThatThrownBy(() -> CalibrationFile.read(none))
                .hasMessageContaining("no integer schema_version");
    }

    @Test
    void aLadderWithoutItsSectionsIsRejected() throws IOException {
        Path f =
                Files.writeString(
                        tmp.resolve("s.json"),
                        "{\"schema_version\": 2, \"regime\": \"ladder\", \"seeds\": [1],"
                                + " \"doses\": [0, 1]}");
        assertThatThrownBy(() -> CalibrationFile.read(f))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("no per_work_test.by_dose");
    }
}
