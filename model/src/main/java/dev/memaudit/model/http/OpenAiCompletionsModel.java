package dev.memaudit.model.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.InputRejectedException;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.model.Capabilities;
import dev.memaudit.model.DecodingDistribution;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelIdentities;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * A {@link LanguageModel} behind an OpenAI-compatible {@code /v1/completions} server (vLLM,
 * llama.cpp, {@code memaudit serve}). What the server can do is probed when the model opens (see
 * {@link #capabilities()} and {@link #manifestSection()}).
 *
 * <p>Scoring sends the token ids as the prompt and reads the prompt's log-probs back: vLLM's {@code
 * prompt_logprobs} when offered (log-prob and exact rank of every token), else {@code echo} with
 * {@code logprobs: k} (ranks exact up to k, 0 beyond). A server with neither cannot score, and
 * {@link #score} fails with the reason. μ and σ² (Min-K%++) need the full distribution, which no
 * server returns: they are {@code NaN}. Scheme log-probs follow {@link DecodingDistribution} from
 * the top-k list: exact for greedy where the list shows the top token is unique, for temperature 1
 * without truncation, for top-k ≤ k and for top-p at temperature 1 when the list reaches p; {@code
 * NaN} otherwise, including ties the list cannot break (it carries no token ids).
 *
 * <p>Generation sends the prefixes as prompt arrays (up to {@value #MAX_PROMPTS_PER_REQUEST} per
 * request) where the server takes them, else one request per row. A row's output must depend on its
 * prefix, seed and settings only, as the contract asks, and OpenAI's protocol has one {@code seed}
 * per request: so one request carries greedy rows of any seeds, or sampled rows that share a seed,
 * or, when the server acknowledges per-row seeds (the {@code seeds} extension of {@code memaudit
 * serve}, echoed in its answer; probed), any rows. Provided the server honours seeds ({@code
 * seed_reproducible} in the manifest), each row is what a request of its own would give. Requests
 * (scoring and generation) run in parallel up to {@link EndpointConfig#maxInFlight()}, so a
 * server's continuous batching sees several at once.
 */
public final class OpenAiCompletionsModel implements LanguageModel {
    private static final DecodingDistribution GREEDY = DecodingDistribution.greedy();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ASSUMED_CONTEXT = 2048;
    private static final int MAX_PROMPTS_PER_REQUEST = 16;
    private static final String PROBE_TEXT =
            "A short sentence to probe the server, said twice. A short sentence to probe the server.";

    /** How prompt log-probs are asked for. */
    enum ScoringMode {
        /** vLLM's {@code prompt_logprobs}. */
        PROMPT_LOGPROBS,
        /** {@code echo: true} with {@code logprobs}. */
        ECHO,
        /** The server returns no prompt log-probs. */
        NONE
    }

    private final CompletionsClient client;
    private final String modelName;
    private final ModelTokenizer tokenizer;
    private final String tokenization;
    private final ExecutorService pool;
    private final Map<String, Object> probe = new LinkedHashMap<>();
    private boolean modelListed;
    private int contextLength;
    private boolean contextAssumed;
    private int vocabSize;
    private ScoringMode mode = ScoringMode.NONE;
    private int topLogprobs;
    private int scoringMaxTokens = 1;
    private boolean promptLists;
    private String seedReproducible = "unknown";
    private boolean generatedIdsFromServer;
    private int generationLogprobs = 1;
    private boolean perRowSeeds;
    private ModelIdentity identity;

    private OpenAiCompletionsModel(
            CompletionsClient client, String modelName, ModelTokenizer tok, String tokenization) {
        this.client = client;
        this.modelName = modelName;
        this.tokenizer = tok;
        this.tokenization = tokenization;
        this.pool =
                Executors.newFixedThreadPool(
                        client.capacity(),
                        r -> {
                            Thread t = new Thread(r, "memaudit-http");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Connects, finds the model, loads or reaches its tokenizer and probes the server.
     *
     * @throws EndpointException (exit 4) when the server is down, does not list the model or
     *     answers outside the protocol
     * @throws MemauditException (usage) when the model is ambiguous or there is no tokenizer
     */
    public static OpenAiCompletionsModel open(EndpointConfig config) {
        return open(new CompletionsClient(config));
    }

    /**
     * Several replicas of one model ({@code --endpoint} given more than once): each is probed alone
     * and must serve the same model the same way ({@link #servingFacts()}); requests are then
     * spread over them ({@link CompletionsClient}).
     *
     * @throws MemauditException (usage) when two replicas differ, naming what differs
     */
    public static OpenAiCompletionsModel open(List<EndpointConfig> replicas) {
        return open(replicas, System.err::println);
    }

    /**
     * Like {@link #open(List)}, with dropped replicas reported to {@code warnings} (one line each).
     */
    public static OpenAiCompletionsModel open(
            List<EndpointConfig> replicas, java.util.function.Consumer<String> warnings) {
        if (replicas.size() == 1) {
            return open(replicas.get(0));
        }
        checkReplicasAgree(replicas);
        return open(new CompletionsClient(replicas, warnings));
    }

    /**
     * Replicas must give the probe sentence log-probs within this many nats per token on average:
     * far above the float differences between batchings or GPUs, far below what another checkpoint
     * under the same name gives.
     */
    static final double REPLICA_PROBE_NATS = 0.05;

    static void checkReplicasAgree(List<EndpointConfig> replicas) {
        Map<String, Object> first = null;
        float[] firstProbe = null;
        String firstBase = null;
        for (EndpointConfig c : replicas) {
            Map<String, Object> facts;
            float[] probe = null;
            try (OpenAiCompletionsModel m = open(c)) {
                facts = m.servingFacts();
                if (m.capabilities().promptLogprobs()) {
                    int[] ids = m.tokenizer().encodeIds(PROBE_TEXT);
                    probe = m.score(List.of(ids), false).get(0).logprobs();
                }
            }
            if (first == null) {
                first = facts;
                firstProbe = probe;
                firstBase = c.base();
                continue;
            }
            for (String key : first.keySet()) {
                if (!Objects.equals(first.get(key), facts.get(key))) {
                    throw MemauditException.usage(
                            "--endpoint "
                                    + c.base()
                                    + " is not a replica of "
                                    + firstBase
                                    + ": its "
                                    + key
                                    + " is "
                                    + facts.get(key)
                                    + " where "
                                    + firstBase
                                    + " has "
                                    + first.get(key)
                                    + " (replicas must serve the same model the same way)");
                }
            }
            if (probe != null && firstProbe != null && probe.length == firstProbe.length) {
                double diff = 0;
                int n = 0;
                for (int i = 0; i < probe.length; i++) {
                    if (Float.isFinite(probe[i]) && Float.isFinite(firstProbe[i])) {
                        diff += Math.abs(probe[i] - firstProbe[i]);
                        n++;
                    }
                }
                if (n > 0 && diff / n > REPLICA_PROBE_NATS) {
                    throw MemauditException.usage(
                            String.format(
                                    java.util.Locale.ROOT,
                                    "--endpoint %s is not a replica of %s: the probe sentence's"
                                            + " token log-probs differ by %.3f nats per token on"
                                            + " average (replicas must agree within %.2f); the"
                                            + " same name may serve other weights",
                                    c.base(),
                                    firstBase,
                                    diff / n,
                                    REPLICA_PROBE_NATS));
                }
            }
        }
    }

    /**
     * What replicas must share: the model identity (served name, reported model, context, tokenizer
     * fingerprint), the capabilities and how requests are shaped; not the address or counters.
     */
    Map<String, Object> servingFacts() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("served model", identity.servedModel());
        f.put("reported model", identity.modelId());
        f.put("context length", identity.contextTokens());
        f.put("tokenizer fingerprint", identity.tokenizerFingerprint());
        f.put("vocabulary size", vocabSize);
        capabilities().toMap().forEach((k, v) -> f.put(k.replace('_', ' '), v));
        f.put("scoring mode", mode);
        f.put("scoring max tokens", scoringMaxTokens);
        f.put("prompt arrays", promptLists);
        f.put("per-row seeds", perRowSeeds);
        f.put("generation logprobs", generationLogprobs);
        f.put("generated ids from server", generatedIdsFromServer);
        return f;
    }

    /** Like {@link #open(EndpointConfig)} over a given client (tests inject a sleeper). */
    public static OpenAiCompletionsModel open(CompletionsClient client) {
        EndpointConfig config = client.config();
        // /v1/models: is the server up, which model, how long a context
        JsonNode card = null;
        String name = config.modelName();
        List<String> listed = new ArrayList<>();
        boolean modelsEndpoint = true;
        try {
            JsonNode models = client.get("/v1/models");
            for (JsonNode m : models.path("data")) {
                listed.add(m.path("id").asText());
                if (name != null && name.equals(m.path("id").asText())) {
                    card = m;
                }
            }
            if (name == null) {
                if (listed.size() != 1) {
                    throw MemauditException.usage(
                            config.base()
                                    + " serves "
                                    + listed.size()
                                    + " models "
                                    + listed
                                    + "; name one with --model-name");
                }
                name = listed.get(0);
                card = models.path("data").get(0);
            } else if (card == null) {
                throw new EndpointException(
                        -1,
                        config.base()
                                + "/v1/models does not list model '"
                                + name
                                + "' (it lists "
                                + listed
                                + ")",
                        null);
            }
        } catch (EndpointException e) {
            if (e.status() != 404) {
                throw e;
            }
            modelsEndpoint = false;
            if (name == null) {
                throw MemauditException.usage(
                        config.base() + " has no /v1/models; name the model with --model-name");
            }
        }
        ModelTokenizer tok;
        String tokenization;
        if (config.tokenizer() != null) {
            tok = ModelTokenizer.load(config.tokenizer());
            tokenization =
                    "local tokenizer.json "
                            + config.tokenizer()
                            + " sha256:"
                            + Sha256.of(config.tokenizer());
        } else {
            int vocab = card == null ? 0 : card.path("vocab_size").asInt(0);
            tok = new ServerTokenizer(client, name, vocab);
            tokenization =
                    "server /tokenize (offsets from its token pieces, else from /detokenize"
                            + " windows)";
        }
        OpenAiCompletionsModel m = new OpenAiCompletionsModel(client, name, tok, tokenization);
        try {
            m.modelListed = card != null;
            m.probe.put("models_endpoint", modelsEndpoint);
            m.initContext(card, config);
            m.probeServer();
            String reported =
                    card == null
                            ? null
                            : card.path("root").isTextual()
                                    ? card.path("root").asText()
                                    : card.path("id").asText(null);
            m.identity =
                    new ModelIdentity(
                            "openai-completions",
                            null,
                            null, // the fingerprint says how it tokenizes, however reached
                            name,
                            reported,
                            m.contextLength,
                            ModelIdentities.tokenizerFingerprint(tok));
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private void initContext(JsonNode card, EndpointConfig config) {
        int served = card == null ? 0 : card.path("max_model_len").asInt(0);
        if (config.contextLength() > 0) {
            contextLength = config.contextLength();
        } else if (served > 0) {
            contextLength = served;
        } else {
            contextLength = ASSUMED_CONTEXT;
            contextAssumed = true;
        }
        int cardVocab = card == null ? 0 : card.path("vocab_size").asInt(0);
        vocabSize = cardVocab > 0 ? cardVocab : Math.max(0, tokenizer.vocabSize());
    }

    // ---------------------------------------------------------------- probing

    private void probeServer() {
        int[] ids = tokenizer.encodeIds(PROBE_TEXT);
        ids = Arrays.copyOf(ids, Math.min(ids.length, Math.max(2, contextLength - 1)));
        if (ids.length < 2) {
            throw new EndpointException(
                    -1, "the tokenizer gives " + ids.length + " tokens for a probe sentence", null);
        }
        // 1. vLLM prompt_logprobs: exact ranks; find the largest top-k the server allows
        for (int k : new int[] {20, 5, 1, 0}) {
            JsonNode r = tryPost(scoringRequest(ids, ScoringMode.PROMPT_LOGPROBS, k, 1));
            if (r == null) {
                continue;
            }
            List<TokenLogprob> got = promptEntries(r, ids, ScoringMode.PROMPT_LOGPROBS);
            if (got != null && got.size() >= ids.length) {
                mode = ScoringMode.PROMPT_LOGPROBS;
                topLogprobs = k;
            }
            break; // answered without prompt_logprobs: the field is ignored, not too large
        }
        // 2. echo with logprobs
        if (mode == ScoringMode.NONE) {
            for (int k : new int[] {20, 10, 5, 1}) {
                JsonNode r = tryPost(scoringRequest(ids, ScoringMode.ECHO, k, 1));
                if (r == null) {
                    continue;
                }
                List<TokenLogprob> got = promptEntries(r, ids, ScoringMode.ECHO);
                if (got != null
                        && got.size() >= ids.length
                        && !Double.isNaN(got.get(1).logprob())) {
                    mode = ScoringMode.ECHO;
                    topLogprobs = k;
                }
                break;
            }
        }
        if (mode != ScoringMode.NONE) {
            int k = mode == ScoringMode.PROMPT_LOGPROBS ? 0 : topLogprobs;
            JsonNode r = tryPost(scoringRequest(ids, mode, k, 0));
            if (r != null && promptEntries(r, ids, mode) != null) {
                scoringMaxTokens = 0;
            }
            // several prompts in one request (OpenAI allows a list of token-id arrays)
            int[] half = Arrays.copyOf(ids, Math.max(2, ids.length / 2));
            JsonNode two = tryPost(scoringRequest(List.of(ids, half), mode, k, scoringMaxTokens));
            promptLists =
                    two != null
                            && two.path("choices").size() == 2
                            && choiceEntries(byIndex(two, 1), half, mode) != null;
        }
        // 3. seeds: the same seed twice must give the same sample
        int[] shortPrompt =
                Arrays.copyOf(ids, Math.min(ids.length, Math.max(1, contextLength / 4)));
        int newTokens = Math.max(1, Math.min(8, contextLength - shortPrompt.length));
        GenerationSettings s = new GenerationSettings(newTokens, 1.0, 0, 1.0, 0, false);
        try {
            // logprobs 0 gives the sampled tokens' ids and log-probs without top lists where the
            // server allows it (vLLM, memaudit serve); llama.cpp needs 1
            generationLogprobs = 0;
            JsonNode a = tryPost(generationRequest(shortPrompt, s, 12345L));
            if (a == null || !idsFromServer(a.path("choices").path(0))) {
                generationLogprobs = 1;
                a = client.post("/v1/completions", generationRequest(shortPrompt, s, 12345L));
            }
            JsonNode b = client.post("/v1/completions", generationRequest(shortPrompt, s, 12345L));
            String ta = a.path("choices").path(0).path("text").asText(null);
            String tb = b.path("choices").path(0).path("text").asText(null);
            seedReproducible = ta == null ? "unknown" : ta.equals(tb) ? "yes" : "no";
            generatedIdsFromServer = idsFromServer(a.path("choices").path(0));
            if (promptLists && "yes".equals(seedReproducible)) {
                // per-row seeds: row 1 of a two-row request must be the single request's sample
                long[] seeds = {54321L, 12345L};
                JsonNode r =
                        tryPost(
                                generationRequest(
                                        List.of(shortPrompt, shortPrompt), s, seeds, true));
                perRowSeeds =
                        r != null
                                && seedsAcknowledged(r, seeds)
                                && r.path("choices").size() == 2
                                && ta.equals(byIndex(r, 1).path("text").asText(null));
            }
        } catch (EndpointException e) {
            if (e.status() < 400 || e.status() >= 500) {
                throw e;
            }
            seedReproducible = "unknown";
            probe.put("generation_probe_error", e.getMessage());
        } catch (IllegalArgumentException e) {
            probe.put("generation_probe_error", e.getMessage());
        }
    }

    /** POST that returns null on a 4xx refusal (an unsupported parameter), else throws. */
    private JsonNode tryPost(ObjectNode body) {
        try {
            return client.post("/v1/completions", body);
        } catch (EndpointException e) {
            if (e.status() >= 400 && e.status() < 500 && e.status() != 401 && e.status() != 403) {
                return null;
            }
            throw e;
        }
    }

    private ObjectNode scoringRequest(int[] ids, ScoringMode how, int k, int maxTokens) {
        return scoringRequest(List.of(ids), how, k, maxTokens);
    }

    /** One request for several prompts: a token-id array, or a list of them. */
    private ObjectNode scoringRequest(List<int[]> batch, ScoringMode how, int k, int maxTokens) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", modelName);
        ArrayNode p = b.putArray("prompt");
        for (int[] ids : batch) {
            ArrayNode row = batch.size() == 1 ? p : p.addArray();
            for (int id : ids) {
                row.add(id);
            }
        }
        b.put("max_tokens", maxTokens);
        b.put("temperature", 0.0);
        if (how == ScoringMode.PROMPT_LOGPROBS) {
            b.put("prompt_logprobs", k);
        } else {
            b.put("echo", true);
            b.put("logprobs", k);
            b.put("return_tokens_as_token_ids", true);
        }
        return b;
    }

    private ObjectNode generationRequest(int[] prefix, GenerationSettings s, long seed) {
        return generationRequest(List.of(prefix), s, new long[] {seed}, false);
    }

    /**
     * One request for one prefix, or for several non-empty ones as a prompt array; {@code seed} is
     * the first row's, and {@code seeds} (every row's) is added when {@code rowSeeds} is set.
     */
    private ObjectNode generationRequest(
            List<int[]> prefixes, GenerationSettings s, long[] seeds, boolean rowSeeds) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", modelName);
        if (prefixes.size() == 1 && prefixes.get(0).length == 0) {
            b.put("prompt", ""); // servers add the beginning-of-sequence token to text prompts
        } else {
            ArrayNode p = b.putArray("prompt");
            for (int[] prefix : prefixes) {
                ArrayNode row = prefixes.size() == 1 ? p : p.addArray();
                for (int id : prefix) {
                    row.add(id);
                }
            }
        }
        b.put("max_tokens", s.maxNewTokens());
        b.put("temperature", s.temperature());
        b.put("top_p", s.topP());
        // explicit neutral values: llama.cpp otherwise truncates with top_k 40 and min_p 0.05
        b.put("top_k", s.topK() > 0 ? s.topK() : -1);
        b.put("min_p", 0.0);
        b.put("repetition_penalty", 1.0); // vLLM's name
        b.put("repeat_penalty", 1.0); // llama.cpp's name
        b.put("seed", seeds[0]);
        if (rowSeeds) {
            ArrayNode all = b.putArray("seeds");
            for (long x : seeds) {
                all.add(x);
            }
        }
        b.put("logprobs", generationLogprobs);
        b.put("return_tokens_as_token_ids", true);
        if (!s.stopAtEos()) {
            b.put("ignore_eos", true);
        }
        return b;
    }

    /** Whether the server echoed the per-row seeds it was sent (it honours them). */
    private static boolean seedsAcknowledged(JsonNode r, long[] seeds) {
        JsonNode ack = r.path("seeds");
        if (!ack.isArray() || ack.size() != seeds.length) {
            return false;
        }
        for (int i = 0; i < seeds.length; i++) {
            if (!ack.get(i).isIntegralNumber() || ack.get(i).asLong() != seeds[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean idsFromServer(JsonNode choice) {
        try {
            List<TokenLogprob> lp = CompletionsResponses.logprobs(choice);
            return lp != null && !lp.isEmpty() && lp.stream().allMatch(t -> t.tokenId() >= 0);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The prompt's entries of an answer, or null when it has none. */
    private static List<TokenLogprob> promptEntries(JsonNode r, int[] ids, ScoringMode how) {
        return choiceEntries(r.path("choices").path(0), ids, how);
    }

    private static List<TokenLogprob> choiceEntries(JsonNode choice, int[] ids, ScoringMode how) {
        try {
            if (how == ScoringMode.PROMPT_LOGPROBS) {
                return CompletionsResponses.promptLogprobs(choice, ids);
            }
            List<TokenLogprob> all = CompletionsResponses.logprobs(choice);
            return all == null || all.size() < ids.length ? null : all.subList(0, ids.length);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- the contract

    @Override
    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String describe() {
        List<String> bases = client.bases();
        return bases.size() == 1
                ? "OpenAI-compatible server " + bases.get(0) + ", model " + modelName
                : bases.size()
                        + " replicas of an OpenAI-compatible server "
                        + bases
                        + ", model "
                        + modelName;
    }

    /**
     * The served model name, the model {@code /v1/models} reports ({@code root}, else {@code id}),
     * the context length and the tokenizer's fingerprint (the same through {@code --tokenizer} or
     * the server's {@code /tokenize} when they tokenize alike); never the URL.
     */
    @Override
    public ModelIdentity identity() {
        return identity;
    }

    @Override
    public String address() {
        return String.join(" ", client.bases());
    }

    /** The vocabulary size from {@code /v1/models} or the tokenizer; 0 when unknown. */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int maxSequenceLength() {
        return contextLength;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(
                "openai-completions",
                mode != ScoringMode.NONE,
                false,
                mode == ScoringMode.PROMPT_LOGPROBS
                        ? Integer.MAX_VALUE
                        : (mode == ScoringMode.ECHO ? topLogprobs : 0),
                mode == ScoringMode.NONE ? "none" : "partial",
                seedReproducible,
                tokenization);
    }

    @Override
    public Map<String, Object> manifestSection() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("description", describe());
        m.put("endpoint", client.config().base());
        m.put("model_name", modelName);
        m.put("model_listed", modelListed);
        m.put("api_key", client.config().apiKey() == null ? "none" : "sent (value not recorded)");
        m.put("context_tokens", contextLength);
        m.put("context_source", contextAssumed ? "assumed (server did not say)" : "server or flag");
        m.put("vocab_size", vocabSize);
        m.put(
                "scoring",
                switch (mode) {
                    case PROMPT_LOGPROBS -> "vLLM prompt_logprobs";
                    case ECHO -> "echo with logprobs";
                    case NONE -> "not available (server returns no prompt log-probs)";
                });
        m.put("top_logprobs", topLogprobs);
        m.put("scoring_max_tokens", scoringMaxTokens);
        m.put("prompts_per_request", promptLists ? MAX_PROMPTS_PER_REQUEST : 1);
        m.put(
                "generation_batching",
                !promptLists
                        ? "one request per row"
                        : perRowSeeds
                                ? "prompt arrays with per-row seeds"
                                : "prompt arrays of greedy rows or rows sharing a seed");
        m.put("generation_logprobs", generationLogprobs);
        m.put(
                "generated_token_ids",
                generatedIdsFromServer ? "server token ids" : "re-tokenized completion text");
        m.putAll(capabilities().toMap());
        if (tokenizer instanceof ServerTokenizer st) {
            m.put("server_tokenizer", st.manifestSection());
        }
        m.putAll(probe);
        m.put("requests", client.requestCount());
        m.put("retries", client.retryCount());
        m.put("bytes_sent", client.bytesSent());
        m.put("bytes_received", client.bytesReceived());
        if (client.bases().size() > 1) {
            List<Map<String, Object>> rs = new ArrayList<>();
            for (CompletionsClient.ReplicaStats r : client.replicaStats()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("endpoint", r.endpoint());
                e.put("requests", r.requests());
                e.put("answered", r.answered());
                e.put("faults", r.faults());
                e.put("dropped", r.dropped() == null ? false : r.dropped());
                rs.add(e);
            }
            m.put("replicas", rs);
        }
        return m;
    }

    @Override
    public List<ScoredSequence> score(
            List<int[]> sequences, boolean fullDistributionStats, GenerationSettings scheme) {
        if (mode == ScoringMode.NONE) {
            throw new EndpointException(
                    -1,
                    describe()
                            + ": not measurable: the server returns no prompt log-probabilities"
                            + " (neither echo with logprobs nor prompt_logprobs), so teacher-forced"
                            + " scoring is impossible",
                    null);
        }
        for (int i = 0; i < sequences.size(); i++) {
            int n = sequences.get(i).length;
            if (n == 0 || n > contextLength) {
                throw new InputRejectedException(
                        i,
                        "sequence "
                                + i
                                + " has "
                                + n
                                + " tokens; scoring needs 1.."
                                + contextLength);
            }
        }
        boolean needTop = scheme != null && !scheme.isGreedy() && !isPlainT1(scheme);
        // greedy needs the runner-up to tell a unique top token from a tie: at least 2 entries
        int k = mode == ScoringMode.ECHO || needTop ? topLogprobs : Math.min(2, topLogprobs);
        // servers batch the prompts of one request; a few requests in parallel keep them busy
        int spread =
                (sequences.size() + client.config().maxInFlight() - 1)
                        / client.config().maxInFlight();
        int per = promptLists ? Math.min(MAX_PROMPTS_PER_REQUEST, Math.max(8, spread)) : 1;
        int chunks = (sequences.size() + per - 1) / per;
        List<List<ScoredSequence>> parts =
                parallel(
                        chunks,
                        c ->
                                scoreChunk(
                                        sequences.subList(
                                                c * per, Math.min(sequences.size(), (c + 1) * per)),
                                        k,
                                        fullDistributionStats,
                                        scheme));
        List<ScoredSequence> out = new ArrayList<>(sequences.size());
        parts.forEach(out::addAll);
        return out;
    }

    private static boolean isPlainT1(GenerationSettings s) {
        return s.temperature() == 1.0 && s.topK() == 0 && s.topP() >= 1;
    }

    /** The choice answering prompt {@code i}: by its {@code index} field, else by position. */
    private static JsonNode byIndex(JsonNode r, int i) {
        for (JsonNode c : r.path("choices")) {
            if (c.path("index").asInt(-1) == i) {
                return c;
            }
        }
        return r.path("choices").path(i);
    }

    private List<ScoredSequence> scoreChunk(
            List<int[]> chunk, int k, boolean stats, GenerationSettings scheme) {
        JsonNode r =
                client.post("/v1/completions", scoringRequest(chunk, mode, k, scoringMaxTokens));
        if (r.path("choices").size() != chunk.size()) {
            throw new EndpointException(
                    -1,
                    describe()
                            + ": "
                            + r.path("choices").size()
                            + " choices for "
                            + chunk.size()
                            + " prompts",
                    null);
        }
        List<ScoredSequence> out = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            out.add(scoreOne(chunk.get(i), byIndex(r, i), k, stats, scheme));
        }
        return out;
    }

    private ScoredSequence scoreOne(
            int[] ids, JsonNode choice, int k, boolean stats, GenerationSettings scheme) {
        List<TokenLogprob> got = choiceEntries(choice, ids, mode);
        if (got == null) {
            throw new EndpointException(
                    -1,
                    describe()
                            + ": the answer carries no prompt log-probs for a prompt of "
                            + ids.length
                            + " tokens (missing logprobs or a shorter list), although the probe found"
                            + " them",
                    null);
        }
        int n = ids.length;
        float[] lp = new float[n];
        int[] rk = new int[n];
        float[] mu = stats ? new float[n] : null;
        float[] var = stats ? new float[n] : null;
        float[] d = scheme == null ? null : new float[n];
        float[] g = new float[n];
        DecodingDistribution decoding = scheme == null ? null : DecodingDistribution.of(scheme);
        lp[0] = Float.NaN;
        g[0] = Float.NaN;
        if (stats) {
            Arrays.fill(mu, Float.NaN);
            Arrays.fill(var, Float.NaN);
        }
        if (d != null) {
            d[0] = Float.NaN;
        }
        for (int i = 1; i < n; i++) {
            TokenLogprob t = got.get(i);
            if (t.tokenId() >= 0 && t.tokenId() != ids[i]) {
                throw new EndpointException(
                        -1,
                        describe()
                                + ": the server echoed token "
                                + t.tokenId()
                                + " at position "
                                + i
                                + " where the prompt has "
                                + ids[i]
                                + " (it re-tokenized the prompt)",
                        null);
            }
            if (Double.isNaN(t.logprob())) {
                throw new EndpointException(
                        -1, describe() + ": no log-prob for prompt position " + i, null);
            }
            lp[i] = (float) t.logprob();
            rk[i] = mode == ScoringMode.PROMPT_LOGPROBS ? t.rank() : t.derivedRank(k);
            g[i] = (float) schemeLogprob(GREEDY, t, rk[i], k);
            if (d != null) {
                d[i] = (float) schemeLogprob(decoding, t, rk[i], k);
            }
        }
        return new ScoredSequence(ids.clone(), lp, rk, mu, var, d, g);
    }

    /**
     * ln P_h(token) from what the server returned, by the rules of {@link DecodingDistribution}
     * applied to the {@code k} best listed log-probs; NaN where they do not determine it. A rank
     * above 1 (some token strictly more probable) settles greedy even without a list.
     */
    private static double schemeLogprob(DecodingDistribution h, TokenLogprob t, int rank, int k) {
        if (h.isGreedy() && rank > 1) {
            return Double.NEGATIVE_INFINITY;
        }
        return h.logProbFromTopList(t.top(), Math.min(k, t.top().length), t.logprob());
    }

    @Override
    public List<Generation> generate(
            List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings) {
        if (rowSeeds.length != prefixes.size()) {
            throw new IllegalArgumentException(
                    rowSeeds.length + " row seeds for " + prefixes.size() + " prefixes");
        }
        for (int i = 0; i < prefixes.size(); i++) {
            int n = Math.max(1, prefixes.get(i).length);
            if (n + settings.maxNewTokens() > contextLength) {
                throw new InputRejectedException(
                        i,
                        "prefix of "
                                + n
                                + " tokens + "
                                + settings.maxNewTokens()
                                + " new tokens exceeds the model's "
                                + contextLength
                                + " positions");
            }
        }
        List<int[]> groups = generationGroups(prefixes, rowSeeds, settings);
        List<List<Generation>> parts =
                parallel(
                        groups.size(),
                        g -> generateGroup(groups.get(g), prefixes, rowSeeds, settings));
        Generation[] out = new Generation[prefixes.size()];
        for (int g = 0; g < groups.size(); g++) {
            int[] rows = groups.get(g);
            for (int j = 0; j < rows.length; j++) {
                out[rows[j]] = parts.get(g).get(j);
            }
        }
        return List.of(out);
    }

    /**
     * Rows that may share a request (see the class comment), in requests of at most {@value
     * #MAX_PROMPTS_PER_REQUEST}, spread over the requests in flight; an empty prefix goes alone (it
     * is sent as text, which a prompt array of ids cannot hold).
     */
    private List<int[]> generationGroups(
            List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings) {
        Map<Object, List<Integer>> bySeed = new LinkedHashMap<>();
        List<int[]> groups = new ArrayList<>();
        for (int i = 0; i < prefixes.size(); i++) {
            if (!promptLists || prefixes.get(i).length == 0) {
                groups.add(new int[] {i});
                continue;
            }
            Object key = settings.isGreedy() || perRowSeeds ? "any" : rowSeeds[i];
            bySeed.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        int spread =
                (prefixes.size() + client.config().maxInFlight() - 1)
                        / client.config().maxInFlight();
        int per = Math.min(MAX_PROMPTS_PER_REQUEST, Math.max(8, spread));
        for (List<Integer> rows : bySeed.values()) {
            for (int from = 0; from < rows.size(); from += per) {
                groups.add(
                        rows.subList(from, Math.min(rows.size(), from + per)).stream()
                                .mapToInt(Integer::intValue)
                                .toArray());
            }
        }
        return groups;
    }

    private List<Generation> generateGroup(
            int[] rows, List<int[]> prefixes, long[] rowSeeds, GenerationSettings s) {
        List<int[]> batch = new ArrayList<>(rows.length);
        long[] seeds = new long[rows.length];
        boolean distinct = false;
        for (int j = 0; j < rows.length; j++) {
            batch.add(prefixes.get(rows[j]));
            seeds[j] = rowSeeds[rows[j]];
            distinct |= seeds[j] != seeds[0];
        }
        boolean sendSeeds = distinct && !s.isGreedy();
        JsonNode r = client.post("/v1/completions", generationRequest(batch, s, seeds, sendSeeds));
        if (r.path("choices").size() != rows.length) {
            throw new EndpointException(
                    -1,
                    describe()
                            + ": "
                            + r.path("choices").size()
                            + " choices for "
                            + rows.length
                            + " prompts",
                    null);
        }
        if (sendSeeds && !seedsAcknowledged(r, seeds)) {
            throw new EndpointException(
                    -1,
                    describe()
                            + ": the answer does not acknowledge the per-row seeds, although the"
                            + " probe found them",
                    null);
        }
        List<Generation> out = new ArrayList<>(rows.length);
        for (int j = 0; j < rows.length; j++) {
            out.add(
                    generation(
                            batch.get(j),
                            rows.length == 1 ? r.path("choices").path(0) : byIndex(r, j)));
        }
        return out;
    }

    private Generation generation(int[] prefix, JsonNode choice) {
        if (!choice.path("text").isTextual()) {
            throw new EndpointException(
                    -1, describe() + ": the answer has no choices[0].text", null);
        }
        List<TokenLogprob> lp;
        try {
            lp = CompletionsResponses.logprobs(choice);
        } catch (IllegalArgumentException e) {
            throw new EndpointException(
                    -1, describe() + ": unreadable logprobs: " + e.getMessage(), e);
        }
        int[] tokens;
        float[] lps;
        if (lp != null && !lp.isEmpty() && lp.stream().allMatch(t -> t.tokenId() >= 0)) {
            tokens = lp.stream().mapToInt(TokenLogprob::tokenId).toArray();
            lps = new float[tokens.length];
            for (int i = 0; i < lps.length; i++) {
                lps[i] = (float) lp.get(i).logprob();
            }
        } else {
            // no ids from the server: re-tokenize its text (may differ from what it generated)
            tokens = tokenizer.encodeIds(choice.path("text").asText());
            lps = new float[tokens.length];
            boolean aligned = lp != null && lp.size() == tokens.length;
            for (int i = 0; i < lps.length; i++) {
                lps[i] = aligned ? (float) lp.get(i).logprob() : Float.NaN;
            }
        }
        boolean eos = "stop".equals(choice.path("finish_reason").asText());
        return new Generation(prefix.clone(), tokens, lps, eos);
    }

    private <T> List<T> parallel(int n, IntFunction<T> task) {
        List<Future<T>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int row = i;
            futures.add(pool.submit(() -> task.apply(row)));
        }
        List<T> out = new ArrayList<>(n);
        try {
            for (Future<T> f : futures) {
                out.add(f.get());
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new EndpointException(-1, describe() + ": interrupted", e);
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        tokenizer.close();
        client.close();
    }
}
