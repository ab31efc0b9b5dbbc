package dev.memaudit.core.records;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record component whose key is always written but whose value may be {@code null} (e.g. an
 * offset of something that does not exist, a p-value that could not be computed). Reading a file
 * where the key is missing is still an error: only the value may be null. Without this annotation
 * (or {@link OptionalField}) a component is required and never null.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
    ElementType.RECORD_COMPONENT,
    ElementType.PARAMETER,
    ElementType.FIELD,
    ElementType.METHOD
})
public @interface Nullable {}
