package dev.memaudit.model.safetensors;

import java.util.Locale;

/** Element types named in safetensors headers, with their width in bytes. */
public enum SafetensorsDtype {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1),
    F8_E4M3(1),
    F8_E5M2(1);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype of a header name, or null when unknown. */
    static SafetensorsDtype parse(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name.toUpperCase(Locale.ROOT))) {
                return d;
            }
        }
        return null;
    }
}
