package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.testing.SampleCanary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extraction, ppl and a sampling campaign through {@code memaudit serve} and {@code --endpoint}
 * give the local backend's numbers (log-probabilities within 1e-4, identical offsets, decisions and
 * generated tokens) on the shared canary, with the model's {@code tokenizer.json} and with the
 * server's own tokenizer.
 *
 * <p>Canary: {@code SampleCanary}, member-only (non-members are out of distribution for it): a
 * pipeline check, not evidence of a method's power in a real audit.
 */
class ServeExtractPplIT {
    @TempDir Path tmp;

    private static final String WORKS = "kiln-weather,brass-and-birch";

    @Test
    void extractAndPplThroughServeEqualTheLocalModel() throws Exception {
        Path model = SampleCanary.modelDir();
        Path index = SampleCanary.indexDir();
        try (InProcessServe serve =
                InProcessServe.start(tmp, "--model", model.toString(), "--model-name", "canary")) {
            String url = serve.url;
            List<String> local = List.of("--model", model.toString());
            List<String> remote =
                    List.of(
                            "--endpoint",
                            url,
                            "--model-name",
                            "canary",
                            "--tokenizer",
                            model.resolve("tokenizer.json").toString());

            List<String> serverTokenizer = List.of("--endpoint", url, "--model-name", "canary");
            Map<String, Cli.Result> extractRuns = new HashMap<>();
            for (var backend :
                    Map.of("local", local, "http", remote, "http-server-tok", serverTokenizer)
                            .entrySet()) {
                List<String> args = new ArrayList<>(List.of("extract"));
                args.addAll(backend.getValue());
                args.addAll(
                        List.of(
                                "--index",
                                index.toString(),
                                "--out",
                                tmp.resolve("extract-" + backend.getKey()).toString(),
                                "--works",
                                WORKS,
                                // the commonness control would tokenize every indexed text too;
                                // this test counts what the two works cost through the server
                                "--prior-prefixes",
                                "0",
                                "--prefix-tokens",
                                "32",
                                "--suffix-tokens",
                                "32",
                                "--attempts",
                                "1",
                                "--attempt-windows",
                                "top:2",
                                "--seed",
                                "5"));
                extractRuns.put(backend.getKey(), Cli.run(args).exits(0).noStackTrace());
                args = new ArrayList<>(List.of("ppl"));
                args.addAll(backend.getValue());
                args.addAll(
                        List.of(
                                "--index",
                                index.toString(),
                                "--controls",
                                SampleCanary.corpusDir().toString(),
                                "--out",
                                tmp.resolve("ppl-" + backend.getKey()).toString(),
                                "--works",
                                WORKS,
                                "--chunk-tokens",
                                "64"));
                Cli.run(args).exits(0).noStackTrace();
                args = new ArrayList<>(List.of("sample", "--campaign"));
                args.addAll(backend.getValue());
                args.addAll(
                        List.of(
                                "--index",
                                index.toString(),
                                "--works",
                                WORKS,
                                "--tiers",
                                "plain,instruction",
                                "--n",
                                "2",
                                "--max-new-tokens",
                                "12",
                                "--seed",
                                "9",
                                "--out",
                                tmp.resolve("sample-" + backend.getKey()).toString()));
                Cli.run(args).exits(0).noStackTrace();
            }
            // what tokenizing through the server costs is said before the work starts
            assertThat(extractRuns.get("http-server-tok").err())
                    .containsPattern("tokenizing 2 texts \\([0-9,]+ tokens\\) through the server")
                    .contains("--tokenizer tokenizer.json needs none");
            assertThat(extractRuns.get("http").err()).doesNotContain("through the server");
        }

        for (String remote : List.of("http", "http-server-tok")) {
            compare(remote);
        }
        JsonNode manifest =
                Json.MAPPER.readTree(tmp.resolve("extract-http-server-tok/manifest.json").toFile());
        assertThat(manifest.toString())
                .contains("server /tokenize (offsets from its token pieces")
                .contains("\"texts_offsets_from_pieces\":2");
    }

    private void compare(String remote) throws Exception {
        Map<String, JsonNode> wl =
                Cli.byKey(tmp.resolve("extract-local/windows.jsonl"), "work_id", "window");
        Map<String, JsonNode> wh =
                Cli.byKey(tmp.resolve("extract-" + remote + "/windows.jsonl"), "work_id", "window");
        assertThat(wh.keySet()).isEqualTo(wl.keySet()).isNotEmpty();
        for (String k : wl.keySet()) {
            JsonNode a = wl.get(k);
            JsonNode b = wh.get(k);
            for (String scheme : List.of("greedy", "t1")) {
                JsonNode x = a.path("log_p_z").path(scheme);
                JsonNode y = b.path("log_p_z").path(scheme);
                assertThat(y.isNull()).as(k + " " + scheme).isEqualTo(x.isNull());
                if (!x.isNull()) {
                    assertThat(y.asDouble())
                            .as(k + " " + scheme)
                            .isCloseTo(x.asDouble(), org.assertj.core.data.Offset.offset(1e-4));
                }
            }
            for (String f :
                    List.of(
                            "prefix_char_start",
                            "prefix_char_end",
                            "suffix_char_start",
                            "suffix_char_end",
                            "prefix_token_start",
                            "suffix_token_end")) {
                assertThat(b.path(f)).as(k + " " + f).isEqualTo(a.path(f));
            }
            assertThat(b.path("greedy_extractable")).as(k).isEqualTo(a.path("greedy_extractable"));
            assertThat(b.path("longest_rank1_run")).as(k).isEqualTo(a.path("longest_rank1_run"));
        }
        Map<String, JsonNode> al =
                Cli.byKey(
                        tmp.resolve("extract-local/attempts.jsonl"),
                        "work_id",
                        "window",
                        "attempt");
        Map<String, JsonNode> ah =
                Cli.byKey(
                        tmp.resolve("extract-" + remote + "/attempts.jsonl"),
                        "work_id",
                        "window",
                        "attempt");
        assertThat(ah.keySet()).isEqualTo(al.keySet()).isNotEmpty();
        for (String k : al.keySet()) {
            assertThat(ah.get(k).path("generated_tokens"))
                    .as(k)
                    .isEqualTo(al.get(k).path("generated_tokens"));
        }

        Map<String, JsonNode> cl =
                Cli.byKey(tmp.resolve("ppl-local/chunks.jsonl"), "set", "work_id", "chunk");
        Map<String, JsonNode> ch =
                Cli.byKey(
                        tmp.resolve("ppl-" + remote + "/chunks.jsonl"), "set", "work_id", "chunk");
        assertThat(ch.keySet()).isEqualTo(cl.keySet()).isNotEmpty();
        for (String k : cl.keySet()) {
            assertThat(ch.get(k).path("char_start")).as(k).isEqualTo(cl.get(k).path("char_start"));
            assertThat(ch.get(k).path("char_end")).as(k).isEqualTo(cl.get(k).path("char_end"));
            for (String f : List.of("nll", "zlib_ratio", "min_k_20")) {
                assertThat(ch.get(k).path("features").path(f).asDouble())
                        .as(k + " " + f)
                        .isCloseTo(
                                cl.get(k).path("features").path(f).asDouble(),
                                org.assertj.core.data.Offset.offset(1e-4));
            }
            // The completions API gives no full distribution: Min-K%++ is not measured, not
            // guessed.
            assertThat(ch.get(k).path("features").has("min_k_pp_20")).isFalse();
            assertThat(cl.get(k).path("features").has("min_k_pp_20")).isTrue();
        }
        Map<String, JsonNode> gl = Cli.byKey(tmp.resolve("sample-local/generations.jsonl"), "id");
        Map<String, JsonNode> gh =
                Cli.byKey(tmp.resolve("sample-" + remote + "/generations.jsonl"), "id");
        assertThat(gh.keySet()).isEqualTo(gl.keySet()).hasSize(8);
        for (String k : gl.keySet()) {
            assertThat(gh.get(k).path("prompt")).as(k).isEqualTo(gl.get(k).path("prompt"));
            assertThat(gh.get(k).path("token_ids")).as(k).isEqualTo(gl.get(k).path("token_ids"));
            assertThat(gh.get(k).path("seed")).as(k).isEqualTo(gl.get(k).path("seed"));
        }
    }
}
