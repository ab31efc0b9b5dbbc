package dev.memaudit.model;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * What tokenizing a command's texts with code-point offsets costs, said before the work starts.
 *
 * @param texts texts to tokenize
 * @param tokens their tokens, when known (a server tokenizer counts them), else -1
 * @param requestsDone requests already sent to count the tokens (their answers are kept)
 * @param requestsPlanned further requests needed for the offsets
 * @param method how offsets are found (e.g. {@code "local tokenizer.json"})
 */
public record TokenizationPlan(
        int texts, long tokens, long requestsDone, long requestsPlanned, String method) {

    /** A local tokenizer: no request. */
    public static TokenizationPlan local(int texts) {
        return new TokenizationPlan(texts, -1, 0, 0, "local tokenizer.json");
    }

    /** Requests done and planned. */
    public long requests() {
        return requestsDone + requestsPlanned;
    }

    /** One line for stderr. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "tokenizing %,d text%s (%,d tokens) through the server: %,d request%s sent, %,d"
                        + " more planned for the token offsets (%s); with an open model,"
                        + " --tokenizer tokenizer.json needs none",
                texts,
                texts == 1 ? "" : "s",
                tokens,
                requestsDone,
                requestsDone == 1 ? "" : "s",
                requestsPlanned,
                method);
    }

    /**
     * Plans {@code texts} with {@code tokenizer} and, when that costs requests, prints the plan to
     * {@code err} (prefixed {@code memaudit: }) before the caller starts.
     */
    public static TokenizationPlan announce(
            ModelTokenizer tokenizer, List<String> texts, PrintStream err) {
        TokenizationPlan p = tokenizer.plan(texts);
        if (p.requests() > 0) {
            err.println("memaudit: " + p.describe());
            err.flush();
        }
        return p;
    }
}
