package dev.memaudit.core.records.guard;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * One line of the log of {@code memaudit guard} ({@code --log}): one request the guard answered,
 * written (and forced to the device) once its answer is complete or has failed, so a guard killed
 * at any moment leaves every earlier request's line whole.
 *
 * @param requestId the guard's id of the request, also sent to the client as {@code
 *     X-Memaudit-Request-Id}
 * @param timeUtc when the request arrived, an ISO-8601 instant
 * @param path the request path ({@code /v1/completions} or {@code /v1/chat/completions})
 * @param stream whether the client asked for a server-sent event stream
 * @param requestedModel the {@code model} field of the request; null when it had none
 * @param upstreamModel the {@code model} the upstream's answer named; null when no answer came
 * @param policy {@code annotate}, {@code block} or {@code redact}
 * @param status the HTTP status the guard answered with (200 for a stream, even when it was ended
 *     by a block or an upstream failure)
 * @param outcome {@code passed} (no match), {@code annotated}, {@code blocked}, {@code redacted},
 *     {@code upstream_error} (the upstream's status passed through), {@code upstream_failed} (no
 *     usable answer: unreachable, slow, truncated, oversized), {@code bad_request} or {@code
 *     client_gone} (the client closed the connection)
 * @param upstreamMs milliseconds from sending the request upstream to its last byte; null when the
 *     upstream never answered
 * @param guardMs milliseconds the guard spent scanning and rewriting (the latency it added); null
 *     when nothing was scanned
 * @param matches every passage found, over all choices, in their final extent
 * @param error what went wrong, for the outcomes other than passed, annotated, blocked and
 *     redacted; null otherwise
 * @param request the request body as received; only with {@code --log-prompts}
 * @param outputs each choice's generated text as the upstream sent it, by choice index; only with
 *     {@code --log-prompts}
 */
@RecordFile(name = "guard.jsonl", version = GuardRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"schema_version", "request_id", "time_utc"})
public record GuardRecord(
        int schemaVersion,
        String requestId,
        String timeUtc,
        String path,
        boolean stream,
        @Nullable String requestedModel,
        @Nullable String upstreamModel,
        String policy,
        int status,
        String outcome,
        @Nullable Double upstreamMs,
        @Nullable Double guardMs,
        List<Match> matches,
        @Nullable String error,
        @OptionalField String request,
        @OptionalField List<String> outputs) {

    /** Version of the guard log layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * One passage of one choice's text found in a work; offsets in Unicode code points, half-open,
     * into the choice's text and the work's original text.
     *
     * @param choice the choice's {@code index}
     * @param match {@code exact} or {@code near}
     * @param words normalized words of the output side
     * @param similarity word similarity, 1 for an exact span
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Match(
            int choice,
            String workId,
            String match,
            int words,
            double similarity,
            int outputCharStart,
            int outputCharEnd,
            int workCharStart,
            int workCharEnd) {}
}
