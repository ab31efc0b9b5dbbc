package dev.memaudit.core.records;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A map (or list) component whose entries may hold {@code null} (e.g. {@code log_p_z} of a scheme
 * whose p_z is exactly 0). Without it a {@code null} inside a map or list is an error.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
    ElementType.RECORD_COMPONENT,
    ElementType.PARAMETER,
    ElementType.FIELD,
    ElementType.METHOD
})
public @interface NullableValues {}
