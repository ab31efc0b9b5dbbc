package dev.memaudit.reports.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * Lenient field access on the JSON that stages write: producers may add fields and some are
 * optional, so a missing or null field reads as {@code null}, never as 0.
 */
public final class Nodes {
    private Nodes() {}

    /** {@code node.path(field)}, or an empty object when it is not an object. */
    public static JsonNode object(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isObject() ? v : JsonNodeFactory.instance.objectNode();
    }

    /** The child at a path of field names, or a missing node. */
    public static JsonNode at(JsonNode node, String... path) {
        JsonNode n = node == null ? MissingNode.getInstance() : node;
        for (String p : path) {
            n = n.path(p);
        }
        return n;
    }

    public static Double dbl(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return n.isNumber() ? n.doubleValue() : null;
    }

    public static Long lng(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return n.isIntegralNumber() ? n.longValue() : null;
    }

    public static Integer integer(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null;
    }

    public static String str(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return n.isTextual() ? n.textValue() : n.isNumber() ? n.asText() : null;
    }

    public static Boolean bool(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return n.isBoolean() ? n.booleanValue() : null;
    }
}
