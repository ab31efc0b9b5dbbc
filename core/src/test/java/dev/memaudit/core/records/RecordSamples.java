package dev.memaudit.core.records;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.records.extract.AttemptRecord;
import dev.memaudit.core.records.extract.AttemptsNeeded;
import dev.memaudit.core.records.extract.ExtractConfig;
import dev.memaudit.core.records.extract.ExtractSummary;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.extract.NearRecord;
import dev.memaudit.core.records.extract.NearSettings;
import dev.memaudit.core.records.extract.NearSummary;
import dev.memaudit.core.records.extract.PriorSettings;
import dev.memaudit.core.records.extract.Reconstruction;
import dev.memaudit.core.records.extract.ReconstructionRecord;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.core.records.guard.GuardRecord;
import dev.memaudit.core.records.meter.ApproxConfig;
import dev.memaudit.core.records.meter.ApproxSummary;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.MeterExactConfig;
import dev.memaudit.core.records.meter.MeterSummary;
import dev.memaudit.core.records.meter.MeterValidateConfig;
import dev.memaudit.core.records.meter.TrainedModelRecord;
import dev.memaudit.core.records.meter.ValidationSummary;
import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.core.records.ppl.PplSummary;
import dev.memaudit.core.records.ppl.PplWork;
import dev.memaudit.core.records.prevalence.PrevalenceConfig;
import dev.memaudit.core.records.prevalence.PrevalenceRecord;
import dev.memaudit.core.records.prevalence.PrevalenceSummary;
import dev.memaudit.core.records.run.AuditState;
import dev.memaudit.core.records.run.FileDigest;
import dev.memaudit.core.records.run.Manifest;
import dev.memaudit.core.records.run.Membership;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.core.records.run.ReportConfig;
import dev.memaudit.core.records.run.RunConfigFile;
import dev.memaudit.core.records.run.ServedByRecord;
import dev.memaudit.core.records.run.SkippedRecord;
import dev.memaudit.core.records.run.StageConfig;
import dev.memaudit.core.records.run.TrainingStepRecord;
import dev.memaudit.core.records.run.WorksFile;
import dev.memaudit.core.records.sample.GenerationRecord;
import dev.memaudit.core.records.sample.SampleConfig;
import dev.memaudit.core.records.sample.SampleSettings;
import dev.memaudit.core.records.sample.SampleSummary;
import dev.memaudit.core.records.scan.OutputSummary;
import dev.memaudit.core.records.scan.ScanConfig;
import dev.memaudit.core.records.scan.ScanCoverage;
import dev.memaudit.core.records.scan.ScanSummary;
import dev.memaudit.core.records.scan.ScanWork;
import dev.memaudit.core.records.scan.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One realistic record of every run-folder file type, every optional and nullable part present in
 * one sample and absent (or null) in another, as the stages write them.
 */
final class RecordSamples {
    private RecordSamples() {}

    static final ExtractConfig EXTRACT =
            new ExtractConfig(
                    "LlamaForCausalLM (2 layers) from /m",
                    new ModelIdentity(
                            "local",
                            "ab".repeat(32),
                            "cd".repeat(32),
                            null,
                            null,
                            2048,
                            "ef".repeat(32)),
                    "1bd54997fb3cbfbabca73e650f1b93e1",
                    "21".repeat(32),
                    32,
                    32,
                    32,
                    List.of("t0.7_k40_p0.9"),
                    2,
                    "t1",
                    "all",
                    1,
                    1024,
                    12,
                    0.8,
                    null,
                    16,
                    "/runs/a/index",
                    3,
                    new NearSettings("t1", 0.1, 8, 256),
                    new PriorSettings(8, 1, "/corpora/a/corpus.yaml"));
    static final ScanConfig SCAN =
            new ScanConfig(
                    12,
                    2,
                    64L << 20,
                    "/runs/a/index",
                    "1bd54997fb3cbfbabca73e650f1b93e1",
                    3,
                    8,
                    1,
                    true,
                    true,
                    0.8,
                    new ScanConfig.Chance(
                            4,
                            List.of("controls of /corpus/corpus.yaml"),
                            3,
                            41_200,
                            41_191,
                            39_800));
    static final MeterValidateConfig VALIDATE =
            new MeterValidateConfig(
                    "/tmp/meter",
                    "7a".repeat(32),
                    List.of("unlearn", "gradient"),
                    1,
                    42,
                    List.of("--unlearn-steps", "20"));

    static final MeterExactConfig METER =
            new MeterExactConfig(
                    "corpus",
                    "ab".repeat(32),
                    "/data/background",
                    Map.of("w1", 64, "w2", 16),
                    List.of("w1", "w2"),
                    null,
                    null,
                    42,
                    3,
                    16,
                    32,
                    16,
                    new MeterExactConfig.CanarySettings(
                            "llama", 512, 64, 2, 2, 128, 64, 8, 0.005, 0, 200_000));

    static final ApproxConfig APPROX =
            new ApproxConfig(
                    "/models/gpt2",
                    new ModelIdentity(
                            "local",
                            "ab".repeat(32),
                            "cd".repeat(32),
                            null,
                            null,
                            1024,
                            "ef".repeat(32)),
                    "/runs/a/index",
                    "1bd54997fb3cbfbabca73e650f1b93e1",
                    List.of("w1", "w2"),
                    Map.of("w1", "a1".repeat(32), "w2", "a2".repeat(32)),
                    "/data/behaviours.jsonl",
                    "b1".repeat(32),
                    "unlearn",
                    128,
                    8,
                    "index",
                    8,
                    5,
                    1e-4,
                    1.0,
                    1.0,
                    null,
                    null);

    static final PrevalenceConfig PREVALENCE =
            new PrevalenceConfig(
                    "/logs/outputs.jsonl.gz",
                    List.of("model", "month"),
                    1000L,
                    7L,
                    0.95,
                    12,
                    0.8,
                    64L << 20,
                    2,
                    "/runs/a/index",
                    "1bd54997fb3cbfbabca73e650f1b93e1",
                    3,
                    8,
                    1);
    static final SampleConfig SAMPLE =
            new SampleConfig(
                    "OpenAI-compatible server http://127.0.0.1:8000, model canary",
                    new ModelIdentity(
                            "openai-completions",
                            null,
                            null,
                            "canary",
                            "/models/canary",
                            64,
                            "ef".repeat(32)),
                    4,
                    new SampleSettings(64, 1.0, 0, 1.0, true, 3),
                    List.of("plain:w1", "unconditioned"),
                    8);
    static final PplStatsSettings STATS = PplStatsSettings.defaults().withSeed(1);
    static final PplConfig PPL =
            PplConfig.ofIndex(
                    "/m",
                    null,
                    "/runs/a/index",
                    "uid",
                    "/corpus.yaml",
                    List.of(),
                    128,
                    false,
                    STATS);
    static final PplConfig CALIBRATION = PplConfig.ofCalibration("/m", 7, 64, true, STATS);

    /** Every sample, by the file it is a record of (several per file where parts vary). */
    static List<Object> all() {
        List<Object> out = new ArrayList<>();
        Map<String, Double> pz = new LinkedHashMap<>();
        pz.put("greedy", 0.0);
        pz.put("t1", 3.2e-12);
        Map<String, Double> lpz = new LinkedHashMap<>();
        lpz.put("greedy", null);
        lpz.put("t1", -26.47);
        Map<String, Map<String, AttemptsNeeded>> needed = new LinkedHashMap<>();
        Map<String, AttemptsNeeded> never = new LinkedHashMap<>();
        never.put("0.5", AttemptsNeeded.UNREACHABLE);
        never.put("0.99", AttemptsNeeded.UNREACHABLE);
        needed.put("greedy", never);
        needed.put(
                "t1",
                Map.of(
                        "0.5",
                        AttemptsNeeded.of(216608375066L),
                        "0.99",
                        AttemptsNeeded.of(new java.math.BigDecimal("1.4e12"))));
        needed.put(
                "t1_k20",
                Map.of(
                        "0.5",
                        AttemptsNeeded.ofLog10(347.2764109836466),
                        "0.99",
                        AttemptsNeeded.of(new java.math.BigDecimal("9.1e17"))));
        pz.put("t1_k20", 0.0);
        lpz.put("t1_k20", -800.0);
        out.add(
                new WindowRecord(
                        WindowRecord.SCHEMA_VERSION,
                        "w1",
                        3,
                        90,
                        190,
                        190,
                        290,
                        32,
                        32,
                        96,
                        128,
                        160,
                        pz,
                        lpz,
                        false,
                        4,
                        needed,
                        null,
                        null,
                        "suffix token 3 is not among the server's top 5 log-probs, fewer than m ="
                                + " 20: whether its rank is at most m is unknown",
                        Map.of("t0.7_k40", "not determined by the server's top-20 list"),
                        null));
        out.add(
                new WindowRecord(
                        WindowRecord.SCHEMA_VERSION,
                        "w1",
                        4,
                        190,
                        290,
                        290,
                        390,
                        32,
                        32,
                        128,
                        160,
                        192,
                        Map.of("t1", 0.5),
                        Map.of("t1", -0.69),
                        false,
                        4,
                        Map.of(
                                "t1",
                                Map.of("0.5", AttemptsNeeded.of(1), "0.99", AttemptsNeeded.of(7))),
                        12.25,
                        1,
                        null,
                        null,
                        new WindowRecord.Prior(
                                2,
                                -0.69,
                                -41.5,
                                -30.25,
                                -30.943,
                                30.253,
                                List.of("w2@17", "c1@0"))));
        AttemptRecord.Settings settings = new AttemptRecord.Settings(1.0, 0, 1.0, 32);
        out.add(
                new AttemptRecord(
                        AttemptRecord.SCHEMA_VERSION,
                        "w1",
                        3,
                        1,
                        "t1",
                        -7478141181703763310L,
                        settings,
                        "the prefix",
                        " the generation",
                        new int[] {12, 5, 900},
                        false,
                        2,
                        0.25,
                        7,
                        0.625,
                        0.7,
                        false,
                        List.of(new AttemptRecord.ScanSpan("w2", 10, 120, 1, 111, 21, true)),
                        null));
        out.add(new ServedByRecord(1, "http://127.0.0.1:8000"));
        out.add(
                new GuardRecord(
                        1,
                        "mg-abc-1",
                        "2026-12-03T06:00:00Z",
                        "/v1/chat/completions",
                        true,
                        "qwen",
                        "qwen",
                        "annotate",
                        200,
                        "annotated",
                        812.5,
                        3.25,
                        List.of(
                                new GuardRecord.Match(
                                        0, "kiln-weather", "exact", 50, 1.0, 35, 298, 1714, 1977)),
                        null,
                        null,
                        null));
        out.add(
                new GuardRecord(
                        1,
                        "mg-abc-2",
                        "2026-12-03T06:00:01Z",
                        "/v1/completions",
                        false,
                        null,
                        null,
                        "block",
                        502,
                        "upstream_failed",
                        null,
                        null,
                        List.of(),
                        "the upstream answer is over 1024 bytes",
                        "{\"prompt\":\"x\"}",
                        List.of("a", "b")));
        out.add(
                SkippedRecord.of(
                        "attempt",
                        "w1#4/2",
                        "w1",
                        "prefix of 2100 tokens + 32 new tokens exceeds the model's 2048 positions"));
        out.add(ReconstructionRecord.of("w1", new Reconstruction(1024, 1024, 0.4066, 3632)));
        out.add(
                new NearRecord(
                        NearRecord.SCHEMA_VERSION,
                        "w1",
                        3,
                        "t1",
                        3,
                        8,
                        256,
                        0.31,
                        Math.log(0.31),
                        0.12,
                        7,
                        248,
                        false));
        out.add(
                new NearRecord(
                        NearRecord.SCHEMA_VERSION,
                        "w1",
                        4,
                        "t1",
                        3,
                        8,
                        256,
                        0.0,
                        null,
                        null,
                        0,
                        248,
                        false));
        out.add(
                new NearSummary(
                        NearSummary.SCHEMA_VERSION,
                        new NearSettings("t1", 0.1, 8, 256),
                        Map.of(
                                "w1",
                                new NearSummary.Work(
                                        2,
                                        838,
                                        0,
                                        1,
                                        Map.of("0.5", 0.0, "0.1", 0.0382, "0.01", 0.0382),
                                        Map.of("0.5", 0.0, "0.1", 0.0382, "0.01", 0.0382)))));
        out.add(
                new ExtractSummary(
                        ExtractSummary.SCHEMA_VERSION,
                        "m",
                        15,
                        838,
                        2514,
                        List.of("greedy", "t1"),
                        false,
                        838,
                        8.4,
                        99.9,
                        2514,
                        60.7,
                        41.4,
                        20,
                        new ExtractWork.EasiestWindow(
                                "w1", 4, 200, 260, 12.25, 1, "the sample text of its suffix"),
                        1,
                        0.8,
                        new ExtractWork.Empirical("t1", 64, 69, 0.93, 0.84, 0.98, 0.9, null),
                        new ExtractWork.Empirical(
                                "t1",
                                66,
                                69,
                                0.96,
                                0.88,
                                0.99,
                                null,
                                Map.of("expected_rate", "no probability of a near suffix")),
                        new ExtractWork.AttemptCoverage(35, 1000, 1040, 1140, 0.877, 0.912)));
        out.add(
                new ExtractSummary(
                        ExtractSummary.SCHEMA_VERSION,
                        "m",
                        1,
                        0,
                        0,
                        List.of("greedy", "t1"),
                        true,
                        0,
                        0,
                        null,
                        0,
                        0,
                        null,
                        20,
                        null,
                        0,
                        0.8,
                        new ExtractWork.Empirical("t1", 0, 0, null, null, null, null, null),
                        new ExtractWork.Empirical("t1", 0, 0, null, null, null, null, null),
                        new ExtractWork.AttemptCoverage(0, 0, 0, 0, null, null)));
        Map<String, Double> features = new LinkedHashMap<>();
        features.put("nll", 0.0048);
        features.put("ppl", 1.0048);
        features.put("min_k_5", -0.054);
        features.put("zlib_ratio", 1.6e-5);
        out.add(new ChunkRecord(1, "work", "w1", 0, 0, 443, 128, 443, 445, 293, features));
        out.add(new ChunkRecord(1, "control", "c1", 2, 900, 1300, 128, 400, 402, 280, Map.of()));
        out.add(pplSummary());
        out.add(
                new GenerationRecord(
                        1,
                        "plain:w1#0",
                        "plain",
                        "w1",
                        "One: The Fuse Box",
                        " key.",
                        new int[] {1412, 46},
                        new float[] {-0.0029150634f, -2.0525733E-4f},
                        -7478141181703763310L,
                        false,
                        5,
                        SAMPLE.settings()));
        out.add(
                new GenerationRecord(
                        1,
                        "unconditioned#1",
                        "unconditioned",
                        null,
                        "",
                        "x",
                        new int[] {9},
                        new float[] {-1.5f},
                        42,
                        true,
                        null,
                        SAMPLE.settings()));
        out.add(new SampleSummary(1, 16, 0, 16, Map.of("plain", 15L, "unconditioned", 1L)));
        out.add(Span.of("plain:w1#0", "w1", 1, 113, 99, 211, 22, 32, true).withChance(-31.4));
        out.add(
                Span.of("o", "w2", 0, 50, 7, 57, 12, null, false)
                        .withCommon(new Span.CommonIn(2, false, 0.75)));
        out.add(Span.near("o", "w2", 60, 160, 70, 168, null, false, 0.9, 2, 20, 19, "9=1X4=1D5="));
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        fields.put("tier", "plain");
        fields.putArray("logprobs").add(-0.5);
        fields.putNull("note"); // the scanned file's own data, nulls included
        out.add(
                new OutputSummary(
                        2,
                        "plain:w1#0",
                        1,
                        "scanned",
                        22,
                        114,
                        1,
                        22,
                        "w1",
                        22,
                        1.0,
                        112,
                        0.98,
                        1,
                        22L,
                        1.0,
                        fields));
        out.add(
                new OutputSummary(
                        2, "e", 2, "empty", 0, 0, 0, 0, null, 0, 0.0, 0, 0.0, 0, 0L, 0.0, null));
        out.add(
                new ScanSummary(
                        2,
                        16,
                        1,
                        7,
                        7,
                        1L,
                        272,
                        15,
                        2,
                        List.of(
                                new ScanSummary.Problem("outputs.jsonl", 3L, "no \"id\""),
                                new ScanSummary.Problem("outputs", null, "not valid UTF-8")),
                        0.104));
        out.add(
                new PrevalenceRecord(
                        PrevalenceRecord.SCHEMA_VERSION,
                        "o17",
                        17,
                        List.of("m1", "(missing)"),
                        240,
                        true,
                        List.of("w1"),
                        2));
        var share = new PrevalenceSummary.Share(0.0125, 0.004, 0.029, 5, 400, 12_000, 380.5);
        var census = new PrevalenceSummary.Share(0.0, 0.0, 0.0, 0, 12, 12, null);
        out.add(
                new PrevalenceSummary(
                        PrevalenceSummary.SCHEMA_VERSION,
                        "stratified sample",
                        List.of("model"),
                        7L,
                        0.95,
                        "Korn-Graubard",
                        3,
                        share,
                        List.of(new PrevalenceSummary.StratumShare(List.of("m1"), share)),
                        Map.of("w1", new PrevalenceSummary.WorkShare("Work one", census))));
        out.add(worksFile());
        for (StageConfig c :
                List.of(
                        SCAN,
                        EXTRACT,
                        SAMPLE,
                        PPL,
                        CALIBRATION,
                        PREVALENCE,
                        METER,
                        VALIDATE,
                        APPROX)) {
            out.add(manifest(c));
        }
        out.add(reportManifest());
        for (StageConfig c : List.of(EXTRACT, SAMPLE, PPL, CALIBRATION, PREVALENCE)) {
            out.add(RunConfigFile.of(c));
        }
        Map<String, AuditState.Stage> stages = new LinkedHashMap<>();
        stages.put(
                "index",
                new AuditState.Stage("6e".repeat(32), "memaudit index build", "t0", true, "t1"));
        stages.put("extract", new AuditState.Stage(null, "memaudit extract", "t2", false, null));
        out.add(new AuditState(1, stages));
        out.add(
                new Membership(
                        2,
                        List.of(new Membership.Work("w1", 64, 2550, List.of(3, 4, 97))),
                        List.of(new Membership.Work("w2", 0, 1140, List.of())),
                        new Membership.Background(
                                "/data/background",
                                List.of(
                                        new Membership.BackgroundFile(
                                                "b1",
                                                "/data/background/b1.txt",
                                                "7a".repeat(32),
                                                40960L,
                                                20480,
                                                null),
                                        new Membership.BackgroundFile(
                                                "b2",
                                                "/data/background/b2.txt",
                                                "7b".repeat(32),
                                                null,
                                                0,
                                                "contains the text of w2")),
                                19456,
                                1024,
                                2000000),
                        42,
                        1657,
                        6627,
                        1.00015,
                        0.0736,
                        0,
                        new Membership.Evaluation(
                                4.25,
                                List.of(
                                        new Membership.WorkScore("w1", 64, 0.41, 0.93),
                                        new Membership.WorkScore("w2", 0, 4.4, 0.21))),
                        new Membership.Settings(
                                "LlamaForCausalLM",
                                2048,
                                2048,
                                256,
                                2,
                                4,
                                688,
                                128,
                                4,
                                100,
                                List.of(0, 1, 4, 16, 64),
                                0.003,
                                2632192,
                                4,
                                0.0,
                                50,
                                0.1,
                                1.0),
                        new Membership.Counterfactual(
                                42, List.of(new Membership.Withheld("w3", 16, 40800)))));
        out.add(
                new TrainingStepRecord(
                        TrainingStepRecord.SCHEMA_VERSION,
                        3,
                        List.of(17, 4),
                        List.of("w1"),
                        "5c".repeat(32)));
        out.add(
                new InfluenceRecord(
                        InfluenceRecord.SCHEMA_VERSION,
                        "exact",
                        "w1",
                        "w1#own-3",
                        "own",
                        41,
                        12.5,
                        0.3049,
                        4.1,
                        0.012,
                        -80.25,
                        -92.75));
        out.add(
                new TrainedModelRecord(
                        TrainedModelRecord.SCHEMA_VERSION,
                        "without-w1",
                        "models/without-w1",
                        42,
                        42,
                        "w1",
                        "6a".repeat(32),
                        "6b".repeat(32),
                        61.5));
        out.add(
                new MeterSummary(
                        MeterSummary.SCHEMA_VERSION,
                        "exact",
                        "natural log",
                        3,
                        List.of(
                                new MeterSummary.WorkInfluence(
                                        "w1",
                                        64,
                                        Map.of(
                                                "own",
                                                new MeterSummary.KindSummary(16, 0.3, 12.0, 14, 2),
                                                "unrelated",
                                                new MeterSummary.KindSummary(
                                                        16, 0.001, 0.03, null, null)),
                                        List.of(
                                                new MeterSummary.Top(
                                                        "w1#own-3",
                                                        "own",
                                                        12.5,
                                                        0.3049,
                                                        4.1,
                                                        0.012)))),
                        Map.of("own", 16, "unrelated", 16),
                        Map.of("b9", "longer than the model's context"),
                        new MeterSummary.Cost(300.5, 4.25, 6)));
        out.add(
                new ValidationSummary(
                        ValidationSummary.SCHEMA_VERSION,
                        "/tmp/meter",
                        "7a".repeat(32),
                        "/tmp/meter/models/full",
                        "7b".repeat(32),
                        3,
                        "delta_logprob per (work, behaviour) pair",
                        List.of(
                                new ValidationSummary.MethodAgreement(
                                        "unlearn",
                                        "unlearn",
                                        5,
                                        120,
                                        600,
                                        new ValidationSummary.Estimate(0.81, 0.74, 0.86),
                                        new ValidationSummary.Estimate(0.77, 0.7, 0.83),
                                        1,
                                        0.9,
                                        40,
                                        1.0,
                                        95.5),
                                new ValidationSummary.MethodAgreement(
                                        "gradient",
                                        "gradient",
                                        5,
                                        120,
                                        600,
                                        new ValidationSummary.Estimate(null, null, null),
                                        new ValidationSummary.Estimate(0.4, 0.3, 0.5),
                                        1,
                                        null,
                                        0,
                                        null,
                                        12.0))));
        out.add(
                new InfluenceRecord(
                        InfluenceRecord.SCHEMA_VERSION,
                        "gradient",
                        "w1",
                        "w1#own-3",
                        "own",
                        41,
                        1520.5,
                        37.09,
                        null,
                        null,
                        null,
                        null));
        out.add(
                new ApproxSummary(
                        ApproxSummary.SCHEMA_VERSION,
                        "unlearn",
                        "delta_logprob = log p_original(b) - log p_unlearned(b)",
                        124_439_808L,
                        List.of(
                                new ApproxSummary.WorkCost(
                                        "w1",
                                        8,
                                        1016,
                                        42.5,
                                        1.33,
                                        3.25,
                                        4.5,
                                        3.5,
                                        3.52,
                                        List.of(12.5, 14.0),
                                        Map.of(
                                                "own",
                                                new MeterSummary.KindSummary(
                                                        16, 0.3, 12.0, null, null)))),
                        Map.of("own", 16, "given", 16),
                        Map.of("b9", "longer than the model's context"),
                        3.5,
                        95.25));
        return out;
    }

    static WorksFile worksFile() {
        Map<String, WorksFile.WorkEntry> works = new LinkedHashMap<>();
        works.put(
                "w1",
                WorksFile.WorkEntry.scan(
                        "Harbour Lights",
                        new ScanWork(
                                3,
                                4,
                                900,
                                12000,
                                0.075,
                                47,
                                "plain:w1#0",
                                1,
                                1100L,
                                0.0917,
                                60,
                                "plain:w1#0",
                                new ScanCoverage(
                                        5,
                                        5,
                                        12,
                                        2400,
                                        4,
                                        3,
                                        new ScanCoverage.Block(180, 0.075, 47, 120, 410),
                                        new ScanCoverage.Block(150, 0.0625, 47, 120, 410),
                                        new ScanCoverage.Block(220, 0.0917, 60, 120, 520),
                                        new ScanCoverage.Block(200, 0.0833, 60, 120, 520),
                                        2,
                                        0,
                                        2,
                                        1),
                                3,
                                1)));
        works.put(
                "w2",
                WorksFile.WorkEntry.scan(
                        null,
                        new ScanWork(
                                0,
                                0,
                                0,
                                0,
                                0.0,
                                0,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                new ScanCoverage(
                                        5,
                                        5,
                                        12,
                                        0,
                                        0,
                                        0,
                                        new ScanCoverage.Block(0, 0.0, 0, null, null),
                                        new ScanCoverage.Block(0, 0.0, 0, null, null),
                                        null,
                                        null,
                                        0,
                                        0,
                                        null,
                                        null),
                                null,
                                null)));
        works.put(
                "w3",
                WorksFile.WorkEntry.extract(
                        "Kiln Weather",
                        new ExtractWork(
                                35,
                                2,
                                1140,
                                Map.of("0.5", 0.83, "0.1", 0.9, "0.01", 0.95),
                                Map.of(
                                        "t1",
                                        Map.of("0.5", 0.83, "0.1", 0.9, "0.01", 0.95),
                                        "greedy",
                                        Map.of("0.5", 0.8, "0.1", 0.8, "0.01", 0.8)),
                                Map.of(
                                        "t1_k40",
                                        "p_z under t1_k40 not measured for 35 of 35 windows"),
                                33,
                                0.94,
                                new ExtractWork.LongestExtractable(640, 0, 2100),
                                new ExtractWork.PzQuantiles(0.91, 0.99, 1.0),
                                new ExtractWork.Attempts(
                                        105,
                                        99,
                                        102,
                                        1,
                                        35,
                                        36,
                                        new ExtractWork.Empirical(
                                                "t1", 64, 69, 0.93, 0.84, 0.98, 0.9, null),
                                        new ExtractWork.Empirical(
                                                "t1",
                                                66,
                                                69,
                                                0.96,
                                                0.88,
                                                0.99,
                                                null,
                                                Map.of(
                                                        "expected_rate",
                                                        "no probability of a near suffix")),
                                        new ExtractWork.AttemptCoverage(
                                                35, 1000, 1040, 1140, 0.877, 0.912)),
                                new Reconstruction(1024, 1024, 0.4, 3632),
                                new ExtractWork.EasiestWindow(
                                        "w1",
                                        4,
                                        200,
                                        260,
                                        12.25,
                                        1,
                                        "the sample text of its suffix"),
                                1,
                                "window 7: suffix token 3 is not among the server's top 5 log-probs",
                                new ExtractWork.PriorWork(35, 12.5, 4, 0.114, 2.302585092994046))));
        works.put(
                "w4",
                WorksFile.WorkEntry.extract(
                        null,
                        new ExtractWork(
                                0,
                                0,
                                0,
                                Map.of("0.5", 0.0, "0.1", 0.0, "0.01", 0.0),
                                Map.of(),
                                Map.of(),
                                0,
                                0.0,
                                new ExtractWork.LongestExtractable(0, null, null),
                                new ExtractWork.PzQuantiles(null, null, null),
                                new ExtractWork.Attempts(
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        new ExtractWork.Empirical(
                                                "t1", 0, 0, null, null, null, null, null),
                                        new ExtractWork.Empirical(
                                                "t1",
                                                0,
                                                0,
                                                null,
                                                null,
                                                null,
                                                null,
                                                Map.of(
                                                        "expected_rate",
                                                        "p_z under t1 not measured for window"
                                                                + " 3")),
                                        new ExtractWork.AttemptCoverage(0, 0, 0, 0, null, null)),
                                null,
                                null,
                                0,
                                null,
                                null)));
        works.put("w5", WorksFile.WorkEntry.ppl("Brass and Birch", pplWork()));
        return WorksFile.of(works);
    }

    static PplWork pplWork() {
        return new PplWork(
                9,
                PplWork.OK,
                Map.of(
                        "nll",
                        new PplWork.Feature(
                                "lower_is_member",
                                3.1,
                                3.4,
                                -0.3,
                                -0.5,
                                -0.1,
                                -0.8,
                                0.002,
                                0.01,
                                0.2,
                                9,
                                57),
                        "ppl",
                        new PplWork.Feature(
                                "lower_is_member",
                                22.0,
                                30.0,
                                -8.0,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                9,
                                57)),
                new PplWork.Aggregate(
                        0.52,
                        0.038,
                        0.52,
                        1.1,
                        1.0,
                        0.88,
                        false,
                        4,
                        28,
                        List.of("nll", "ppl"),
                        Map.of("nll", -0.4, "ppl", 0.08)),
                List.of("the works and the controls differ in characters per token"));
    }

    static PplSummary pplSummary() {
        Map<String, Double> p = new LinkedHashMap<>();
        p.put("c1", 0.03);
        p.put("c2", null);
        return new PplSummary(
                1,
                "m",
                null,
                128,
                false,
                Map.of("ref_diff", "no --reference-model"),
                new PplSummary.Run(120, 0, 120, 0, List.of(), List.of("tiny")),
                0.05,
                new PplSummary.Seeds(1),
                STATS,
                new PplSummary.ChunkCounts(90, 30),
                List.of("c1", "c2"),
                List.of("nll", "ppl"),
                new PplSummary.ControlSplit(
                        "ok", "by_text", 0.49, false, List.of("c1"), List.of("c2"), 12, 18),
                new PplSummary.ControlLeaveOneOut(2, 1, 0.5, 0.0975, true, p, p, p),
                15,
                new PplSummary.SignificantCounts(5, 5, 5),
                List.of(),
                Map.of("nll", "NLL = -mean(lp_t)"));
    }

    static Manifest manifest(StageConfig config) {
        Map<String, FileDigest> inputs = new LinkedHashMap<>();
        inputs.put("work/w1", new FileDigest("9a".repeat(32), null));
        inputs.put("outputs/generations.jsonl", new FileDigest("be".repeat(32), 16048L));
        Map<String, Object> backend = new LinkedHashMap<>();
        backend.put("backend", "local");
        backend.put("context_tokens", null);
        return new Manifest(
                1,
                "memaudit",
                "0.1.0-SNAPSHOT",
                config.command(),
                List.of(config.command(), "--out", "x"),
                "17.0.15",
                "Linux amd64",
                "2026-12-01T22:57:59.038795613Z",
                "2026-12-01T22:58:59.038795613Z",
                config,
                inputs,
                Map.of("windows.jsonl", new FileDigest("91".repeat(32), 439014L)),
                config instanceof ScanConfig ? null : Map.of("seed", 1),
                config instanceof ScanConfig ? null : backend,
                config instanceof ScanConfig ? Map.of("spans.jsonl", 1) : null,
                null,
                null);
    }

    static Manifest reportManifest() {
        return new Manifest(
                1,
                "memaudit",
                "0.1.0-SNAPSHOT",
                "report",
                List.of("report", "--run", "r"),
                "17.0.15",
                "Linux amd64",
                "a",
                "b",
                new ReportConfig(
                        "r",
                        false,
                        new ReportConfig.CalibrationInput(
                                "../cal/calibration.json",
                                "4c".repeat(32),
                                2,
                                "/abs/cal/dose-response.svg",
                                "5d".repeat(32)),
                        List.of(
                                new ReportConfig.InfluenceInput(
                                        "influence",
                                        "/abs/meter/influence.jsonl",
                                        "6e".repeat(32),
                                        "exact"),
                                new ReportConfig.InfluenceInput(
                                        "validation",
                                        "/abs/validate/validation.json",
                                        "6f".repeat(32),
                                        null))),
                Map.of("extract/attempts.jsonl", new FileDigest("01".repeat(32), 10L)),
                Map.of("report.html", new FileDigest("3b".repeat(32), 517748L)),
                Map.of("extract", Map.of("seed", 1), "extract.seed", 1),
                null,
                Map.of("report.json", 1),
                "..",
                List.of(
                        new Manifest.ReportStage(
                                "extract", "extract", "0.1.0-SNAPSHOT", List.of("extract"))));
    }
}
