package dev.memaudit.model.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code /v1/chat/completions} turns messages into the prompt the model continues.
 *
 * <p>With a model folder whose {@code tokenizer_config.json} has a {@code chat_template} (a string,
 * or a list of named templates of which {@code default} or else the first is used), that template
 * rendered as Jinja (HubSpot's Jinjava) with {@code messages} (each a map with {@code role} and
 * {@code content}), {@code add_generation_prompt = true}, {@code bos_token} and {@code eos_token}
 * (from the same file, empty when absent) and {@code raise_exception(message)}, which refuses the
 * request with that message. Jinjava is not Python: a template that calls Python string methods
 * other than those Java strings also have ({@code strip}, {@code startsWith}…) fails when the
 * server starts, naming the file, rather than rendering something else.
 *
 * <p>Without one, the plain template: every message as {@code <role>: <content>} and a newline,
 * then {@code assistant:}, which the model continues.
 */
public final class ChatTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A chat message: its role and its text. */
    public record Message(String role, String content) {}

    private final String source;
    private final String template;
    private final String bos;
    private final String eos;
    private final Jinjava jinja;

    private ChatTemplate(String source, String template, String bos, String eos) {
        this.source = source;
        this.template = template;
        this.bos = bos;
        this.eos = eos;
        if (template == null) {
            jinja = null;
        } else {
            jinja =
                    new Jinjava(
                            JinjavaConfig.newBuilder()
                                    .withFailOnUnknownTokens(false)
                                    .withTrimBlocks(false)
                                    .withLstripBlocks(false)
                                    .build());
            jinja.getGlobalContext()
                    .registerFunction(
                            new ELFunctionDefinition(
                                    "",
                                    "raise_exception",
                                    ChatTemplate.class,
                                    "raiseException",
                                    String.class));
        }
    }

    /** The plain template. */
    public static ChatTemplate plain() {
        return new ChatTemplate("the plain template (role: content)", null, "", "");
    }

    /** A Jinja template with its special tokens; checked by rendering a two-message chat. */
    public static ChatTemplate jinja(String source, String template, String bos, String eos) {
        ChatTemplate t = new ChatTemplate(source, template, bos, eos);
        try {
            t.render(List.of(new Message("system", "S"), new Message("user", "U")));
        } catch (Rejected e) {
            // a template may refuse a system message (raise_exception): try a user message alone
            t.render(List.of(new Message("user", "U")));
        }
        return t;
    }

    /**
     * The model folder's template ({@code tokenizer_config.json}'s {@code chat_template}), or the
     * plain one when the folder has none.
     *
     * @throws MemauditException (input) naming the file when it is not JSON or its template does
     *     not render
     */
    public static ChatTemplate of(Path modelDir) {
        Path f = modelDir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(f)) {
            return plain();
        }
        JsonNode cfg;
        try {
            cfg = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw MemauditException.badInput(f + ": not JSON: " + e.getMessage());
        }
        JsonNode t = cfg.path("chat_template");
        String template = null;
        if (t.isTextual()) {
            template = t.asText();
        } else if (t.isArray() && !t.isEmpty()) {
            JsonNode chosen = t.get(0);
            for (JsonNode named : t) {
                if ("default".equals(named.path("name").asText())) {
                    chosen = named;
                }
            }
            template = chosen.path("template").asText(null);
        }
        if (template == null || template.isBlank()) {
            return plain();
        }
        try {
            return jinja(
                    f + " (chat_template)",
                    template,
                    special(cfg.path("bos_token")),
                    special(cfg.path("eos_token")));
        } catch (MemauditException e) {
            throw MemauditException.badInput(
                    f + ": chat_template does not render: " + e.getMessage());
        }
    }

    /** A special token as tokenizer_config.json writes it: a string or {"content": …}. */
    private static String special(JsonNode n) {
        if (n.isTextual()) {
            return n.asText();
        }
        return n.path("content").asText("");
    }

    /** Where the template comes from, for the server's start line and errors. */
    public String source() {
        return source;
    }

    /**
     * The prompt for these messages, ready for generation.
     *
     * @throws Rejected when the template refuses them ({@code raise_exception})
     * @throws MemauditException (input) when the template fails to render
     */
    public String render(List<Message> messages) {
        if (jinja == null) {
            StringBuilder b = new StringBuilder();
            for (Message m : messages) {
                b.append(m.role()).append(": ").append(m.content()).append('\n');
            }
            return b.append("assistant:").toString();
        }
        List<Map<String, Object>> ms = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("role", m.role());
            x.put("content", m.content());
            ms.add(x);
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", ms);
        vars.put("add_generation_prompt", true);
        vars.put("bos_token", bos);
        vars.put("eos_token", eos);
        RenderResult r;
        try {
            r = jinja.renderForResult(template, vars);
        } catch (RuntimeException e) {
            Rejected rejected = rejection(e);
            if (rejected != null) {
                throw rejected;
            }
            throw MemauditException.badInput(source + ": " + e.getMessage());
        }
        for (TemplateError e : r.getErrors()) {
            if (e.getException() != null && rejection(e.getException()) != null) {
                throw rejection(e.getException());
            }
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw MemauditException.badInput(source + ": " + e.getMessage());
            }
        }
        return r.getOutput();
    }

    private static Rejected rejection(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof Rejected r) {
                return r;
            }
        }
        return null;
    }

    /** The template refused the conversation ({@code raise_exception}): a 400 for the client. */
    public static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message);
        }
    }

    /** {@code raise_exception(message)} in a template. */
    public static String raiseException(String message) {
        throw new Rejected(message);
    }
}
