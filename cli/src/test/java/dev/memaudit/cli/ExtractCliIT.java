package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.testing.SampleCanary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memaudit extract} and {@code memaudit sample --campaign} on corpora-sample with the shared
 * canary: the per-work coverage separates members from non-members exactly as the canary's
 * membership.json says.
 *
 * <p>Canary: {@code SampleCanary}, member-only (non-members are out of distribution for it): a
 * pipeline check, not evidence of a method's power in a real audit.
 */
class ExtractCliIT {
    @TempDir Path tmp;

    @Test
    void coverageSeparatesMembersFromNonMembers() throws Exception {
        Path model = SampleCanary.modelDir();
        Path index = SampleCanary.indexDir();
        Path out = tmp.resolve("extract");
        Cli.Result r =
                Cli.run(
                                "extract",
                                "--index",
                                index.toString(),
                                "--model",
                                model.toString(),
                                "--out",
                                out.toString(),
                                "--prefix-tokens",
                                "32",
                                "--suffix-tokens",
                                "32",
                                "--attempts",
                                "1",
                                "--attempt-windows",
                                "top:1",
                                "--reconstruct-max-tokens",
                                "64")
                        .exits(0)
                        .noStackTrace();
        System.err.println(r.out());
        for (String f :
                List.of(
                        "windows.jsonl",
                        "attempts.jsonl",
                        "works.json",
                        "extract.json",
                        "manifest.json")) {
            assertThat(out.resolve(f)).isRegularFile();
        }
        JsonNode membership = Json.MAPPER.readTree(model.resolve("membership.json").toFile());
        Set<String> members = new HashSet<>();
        membership.path("members").forEach(m -> members.add(m.path("id").asText()));
        Set<String> nonMembers = new HashSet<>();
        membership.path("non_members").forEach(m -> nonMembers.add(m.path("id").asText()));
        assertThat(members).isEqualTo(SampleCanary.members());

        JsonNode works = Json.MAPPER.readTree(out.resolve("works.json").toFile()).path("works");
        assertThat(works.size()).isEqualTo(members.size() + nonMembers.size());
        double lowestMember = 1;
        double highestNonMember = 0;
        for (String id : members) {
            JsonNode e = works.path(id).path("extract");
            assertThat(e.path("coverage").path("0.01").asDouble()).as(id).isGreaterThan(0.8);
            assertThat(e.path("greedy_extractable_share").asDouble()).as(id).isGreaterThan(0.8);
            lowestMember = Math.min(lowestMember, e.path("coverage").path("0.01").asDouble());
        }
        for (String id : nonMembers) {
            JsonNode e = works.path(id).path("extract");
            assertThat(e.path("coverage").path("0.01").asDouble()).as(id).isZero();
            assertThat(e.path("greedy_extractable_windows").asInt()).as(id).isZero();
            assertThat(e.path("attempts").path("exact").asInt()).as(id).isZero();
            highestNonMember =
                    Math.max(highestNonMember, e.path("coverage").path("0.01").asDouble());
        }
        assertThat(lowestMember).isGreaterThan(highestNonMember + 0.5);
    }

    @Test
    void campaignRecordsTiersAndPlainOpeningsOfMembersReproduceThem() throws Exception {
        Path out = tmp.resolve("sample");
        Cli.run(
                        "sample",
                        "--campaign",
                        "--index",
                        SampleCanary.indexDir().toString(),
                        "--model",
                        SampleCanary.modelDir().toString(),
                        "--tiers",
                        "plain,title",
                        "--n",
                        "1",
                        "--max-new-tokens",
                        "32",
                        "--out",
                        out.toString())
                .exits(0)
                .noStackTrace();
        Path scan = tmp.resolve("scan");
        Cli.run(
                        "scan",
                        "--index",
                        SampleCanary.indexDir().toString(),
                        "--outputs",
                        out.resolve("generations.jsonl").toString(),
                        "--out",
                        scan.toString())
                .exits(0);
        int memberPlainHits = 0;
        for (String line : Files.readAllLines(scan.resolve("outputs.jsonl"))) {
            JsonNode o = Json.MAPPER.readTree(line);
            JsonNode f = o.path("fields");
            assertThat(f.path("tier").asText()).isIn("plain", "title");
            String work = f.path("work_id").asText();
            if (f.path("tier").asText().equals("plain")
                    && SampleCanary.members().contains(work)
                    && work.equals(o.path("longest_span_work_id").asText())) {
                memberPlainHits++;
            }
            if (SampleCanary.nonMembers().contains(work)) {
                // a non-member's opening never makes the canary continue that work
                assertThat(o.path("longest_span_work_id").asText(""))
                        .as(o.path("output_id").asText())
                        .isNotEqualTo(work);
            }
        }
        assertThat(memberPlainHits).isGreaterThanOrEqualTo(SampleCanary.members().size() - 1);
    }
}
