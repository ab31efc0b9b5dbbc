package dev.memaudit.core.records;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Map;

/**
 * Writes a map's entries in the map's own order. The project mapper sorts every map by key (files
 * are byte-reproducible); a map whose order is part of a file's layout, and deterministic because
 * its writer builds it in a fixed order, keeps it with {@code @JsonSerialize(using =
 * InsertionOrder.class)}.
 */
public final class InsertionOrder extends StdSerializer<Map<String, ?>> {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings({"unchecked", "rawtypes"})
    public InsertionOrder() {
        super((Class) Map.class);
    }

    @Override
    public void serialize(Map<String, ?> value, JsonGenerator gen, SerializerProvider provider)
            throws IOException {
        gen.writeStartObject(value);
        for (Map.Entry<String, ?> e : value.entrySet()) {
            provider.defaultSerializeField(e.getKey(), e.getValue(), gen);
        }
        gen.writeEndObject();
    }
}
