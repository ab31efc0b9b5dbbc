package dev.memaudit.audit;

import dev.memaudit.core.config.YamlSection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code audit.yaml}: which corpus, which model (a folder, an endpoint, or a canary trained on
 * the spot), where the audit folder goes, and the settings of each stage. Paths are relative to the
 * YAML file's folder. Every setting has a default except {@code corpus}; unknown keys are errors.
 * The settings of a stage are kept as the command-line flags they become, so the plan can print the
 * exact commands and a stage's fingerprint is its command line.
 *
 * <pre>
 * corpus: corpus.yaml           # a corpus folder or corpus.yaml (its controls: feed ppl)
 * out: ../runs/sample-audit     # the audit folder
 * stages: [index, model, extract, sample, scan, ppl, report]   # default: all
 * index:   {ngram: 8}
 * model:   {dir: path}  |  {endpoint: url, model_name: n, api_key_env: VAR, tokenizer: path}
 *          |  {canary: {members: [ids] | member_fraction: 0.5, repeat: 100, steps: 0, seed: 42,
 *                       arch: llama, layers: 4, fast: false}}
 * extract: {prefix_tokens: 50, suffix_tokens: 50, stride: 50, attempts: 2,
 *           attempt_windows: all | top:K | random:K, seed: 1, min_similarity: 0.8}
 * sample:  {n: 4, max_new_tokens: 64, temperature: 1.0, seed: 3,
 *           tiers: [plain, instruction, title, unconditioned], opening_tokens: 32}   # a campaign
 * scan:    {min_words: 12, min_similarity: 0.8, exact_only: false}
 * ppl:     {chunk_tokens: 128, alpha: 0.05, seed: 1}
 * report:  {sign_key: path, calibration: path}   # calibration.json of canary calibrate
 * </pre>
 */
public record AuditConfig(
        Path file,
        Path corpus,
        Path out,
        List<String> stages,
        int ngram,
        ModelSpec model,
        Map<String, List<String>> stageFlags,
        Path signKey,
        Path calibration) {

    /** All stages, in the order they run. */
    public static final List<String> STAGES =
            List.of("index", "model", "extract", "sample", "scan", "ppl", "report");

    /**
     * Where the model comes from: exactly one of a folder, an endpoint, or a canary to train.
     *
     * @param dir a Hugging Face model folder, or null
     * @param endpointFlags flags naming an OpenAI-compatible endpoint, or null
     * @param canaryFlags flags of {@code memaudit canary train}, or null
     */
    public record ModelSpec(Path dir, List<String> endpointFlags, List<String> canaryFlags) {}

    /** Reads and checks an audit.yaml; all problems are reported at once (exit 3). */
    public static AuditConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw dev.memaudit.core.error.MemauditException.badInput(file + ": no such audit file");
        }
        Path base = file.toAbsolutePath().getParent();
        YamlSection y = YamlSection.read(file);
        var problems = y.problems();
        y.allowOnly(
                "corpus", "out", "stages", "index", "model", "extract", "sample", "scan", "ppl",
                "report");
        String corpus = y.string("corpus", null);
        if (corpus == null) {
            problems.add(1, "missing key 'corpus' (a corpus folder or corpus.yaml)");
        }
        String out = y.string("out", "runs/" + stripExtension(file.getFileName().toString()));
        List<String> stages = y.strings("stages");
        if (stages == null) {
            stages = STAGES;
        } else {
            for (String s : stages) {
                if (!STAGES.contains(s)) {
                    problems.add(
                            y.lineOf("stages"),
                            "unknown stage '"
                                    + s
                                    + "' (stages: "
                                    + String.join(", ", STAGES)
                                    + ")");
                }
            }
        }

        int ngram = 8;
        YamlSection index = y.section("index");
        if (index != null) {
            index.allowOnly("ngram");
            ngram = (int) index.integer("ngram", 8, 2, 64);
        }

        ModelSpec model = readModel(y, base);

        Map<String, List<String>> flags = new LinkedHashMap<>();
        YamlSection ex = y.section("extract");
        List<String> f = new ArrayList<>();
        if (ex != null) {
            ex.allowOnly(
                    "prefix_tokens",
                    "suffix_tokens",
                    "stride",
                    "attempts",
                    "attempt_windows",
                    "seed",
                    "min_similarity",
                    "works");
            flag(f, "--prefix-tokens", ex.integer("prefix_tokens", -1, 1, 8192));
            flag(f, "--suffix-tokens", ex.integer("suffix_tokens", -1, 1, 8192));
            flag(f, "--stride", ex.integer("stride", -1, 1, 8192));
            flag(f, "--attempts", ex.integer("attempts", -1, 0, 100_000));
            String attemptWindows = ex.string("attempt_windows", null);
            if (attemptWindows != null) {
                f.addAll(List.of("--attempt-windows", attemptWindows));
            }
            flag(f, "--seed", ex.integer("seed", -1, 0, Long.MAX_VALUE));
            flagD(f, "--min-similarity", ex.number("min_similarity", -1, 0.5, 1));
            List<String> works = ex.strings("works");
            if (works != null) {
                f.add("--works");
                f.add(String.join(",", works));
            }
        }
        flags.put("extract", f);

        YamlSection sa = y.section("sample");
        f = new ArrayList<>();
        if (sa != null) {
            sa.allowOnly(
                    "n",
                    "max_new_tokens",
                    "temperature",
                    "top_k",
                    "top_p",
                    "seed",
                    "tiers",
                    "opening_tokens");
            List<String> tiers = sa.strings("tiers");
            if (tiers != null) {
                f.add("--tiers");
                f.add(String.join(",", tiers));
            }
            flag(f, "--opening-tokens", sa.integer("opening_tokens", -1, 1, 8192));
            flag(f, "--n", sa.integer("n", -1, 1, 10_000_000));
            flag(f, "--max-new-tokens", sa.integer("max_new_tokens", -1, 1, 8192));
            flagD(f, "--temperature", sa.number("temperature", -1, 0, 100));
            flag(f, "--top-k", sa.integer("top_k", -1, 0, 1_000_000));
            flagD(f, "--top-p", sa.number("top_p", -1, 1e-9, 1));
            flag(f, "--seed", sa.integer("seed", -1, 0, Long.MAX_VALUE));
        }
        if (!f.contains("--n")) {
            f.addAll(0, List.of("--n", "4"));
        }
        flags.put("sample", f);

        YamlSection sc = y.section("scan");
        f = new ArrayList<>();
        if (sc != null) {
            sc.allowOnly("min_words", "min_similarity", "exact_only");
            flag(f, "--min-words", sc.integer("min_words", -1, 2, 100_000));
            flagD(f, "--min-similarity", sc.number("min_similarity", -1, 0.5, 1));
            if (sc.bool("exact_only", false)) {
                f.add("--exact-only");
            }
        }
        flags.put("scan", f);

        YamlSection pp = y.section("ppl");
        f = new ArrayList<>();
        if (pp != null) {
            pp.allowOnly("chunk_tokens", "alpha", "seed");
            flag(f, "--chunk-tokens", pp.integer("chunk_tokens", -1, 8, 8192));
            flagD(f, "--alpha", pp.number("alpha", -1, 1e-9, 0.5));
            flag(f, "--seed", pp.integer("seed", -1, 0, Long.MAX_VALUE));
        }
        flags.put("ppl", f);

        Path signKey = null;
        Path calibration = null;
        YamlSection rep = y.section("report");
        if (rep != null) {
            rep.allowOnly("sign_key", "calibration");
            String c = rep.string("calibration", null);
            if (c != null) {
                calibration = base.resolve(c).normalize();
                if (!Files.isRegularFile(calibration)) {
                    problems.add(
                            rep.lineOf("calibration"),
                            "report.calibration: no such file " + calibration);
                }
            }
            String k = rep.string("sign_key", null);
            if (k != null) {
                signKey = base.resolve(k).normalize();
                if (!Files.isRegularFile(signKey)) {
                    problems.add(
                            rep.lineOf("sign_key"), "report.sign_key: no such file " + signKey);
                }
            }
        }

        Path corpusPath = corpus == null ? null : base.resolve(corpus).normalize();
        if (corpusPath != null && !Files.exists(corpusPath)) {
            problems.add(y.lineOf("corpus"), "corpus: no such file or folder " + corpusPath);
        }
        problems.throwIfAny();
        return new AuditConfig(
                file,
                corpusPath,
                base.resolve(out).normalize(),
                List.copyOf(stages),
                ngram,
                model,
                flags,
                signKey,
                calibration);
    }

    private static ModelSpec readModel(YamlSection y, Path base) {
        var problems = y.problems();
        YamlSection m = y.section("model");
        if (m == null) {
            problems.add(
                    y.lineOf("model"),
                    "missing key 'model' (dir: <folder>, endpoint: <url>, or canary: {…})");
            return null;
        }
        m.allowOnly("dir", "endpoint", "model_name", "api_key_env", "tokenizer", "canary");
        int kinds =
                (m.has("dir") ? 1 : 0) + (m.has("endpoint") ? 1 : 0) + (m.has("canary") ? 1 : 0);
        if (kinds != 1) {
            problems.add(
                    m.lineOf("dir"),
                    "model must have exactly one of dir, endpoint or canary, got " + kinds);
            return null;
        }
        if (m.has("dir")) {
            Path dir = base.resolve(m.string("dir", "")).normalize();
            if (!Files.isDirectory(dir)) {
                problems.add(m.lineOf("dir"), "model.dir: no such folder " + dir);
            }
            return new ModelSpec(dir, null, null);
        }
        if (m.has("endpoint")) {
            // one URL, or a list of replicas of one model
            List<String> f = new ArrayList<>();
            for (String url : m.strings("endpoint")) {
                f.addAll(List.of("--endpoint", url));
            }
            String name = m.string("model_name", null);
            if (name == null) {
                problems.add(m.lineOf("endpoint"), "model.endpoint needs model.model_name");
            } else {
                f.addAll(List.of("--model-name", name));
            }
            String keyEnv = m.string("api_key_env", null);
            if (keyEnv != null) {
                f.addAll(List.of("--api-key-env", keyEnv));
            }
            String tok = m.string("tokenizer", null);
            if (tok != null) {
                f.addAll(List.of("--tokenizer", base.resolve(tok).normalize().toString()));
            }
            return new ModelSpec(null, f, null);
        }
        YamlSection c = m.section("canary");
        List<String> f = new ArrayList<>();
        if (c != null) {
            c.allowOnly(
                    "members",
                    "member_fraction",
                    "repeat",
                    "steps",
                    "seed",
                    "arch",
                    "layers",
                    "fast");
            List<String> members = c.strings("members");
            if (members != null) {
                f.add("--members");
                f.add(String.join(",", members));
            }
            flagD(f, "--member-fraction", c.number("member_fraction", -1, 1e-9, 1 - 1e-9));
            flag(f, "--repeat", c.integer("repeat", -1, 1, 100_000));
            flag(f, "--steps", c.integer("steps", -1, 0, 100_000_000));
            flag(f, "--seed", c.integer("seed", -1, 0, Long.MAX_VALUE));
            flag(f, "--layers", c.integer("layers", -1, 1, 64));
            String arch = c.string("arch", null);
            if (arch != null) {
                f.addAll(List.of("--arch", arch));
            }
            if (c.bool("fast", false)) {
                f.add("--fast");
            }
        }
        return new ModelSpec(null, null, f);
    }

    private static void flag(List<String> f, String name, long value) {
        if (value >= 0) {
            f.add(name);
            f.add(Long.toString(value));
        }
    }

    private static void flagD(List<String> f, String name, double value) {
        if (value >= 0) {
            f.add(name);
            f.add(Double.toString(value));
        }
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
