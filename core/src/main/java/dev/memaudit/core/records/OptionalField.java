package dev.memaudit.core.records;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record component that may be absent from the file: written only when non-null, read as {@code
 * null} when missing (e.g. {@code tokens} of a span when no tokenizer was given, {@code error} of
 * an attempt that did not fail). Without this annotation (or {@link Nullable}) a component is
 * required and never null. Each use says in the record's javadoc what absence means.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
    ElementType.RECORD_COMPONENT,
    ElementType.PARAMETER,
    ElementType.FIELD,
    ElementType.METHOD
})
@JacksonAnnotationsInside
@JsonInclude(JsonInclude.Include.NON_NULL)
public @interface OptionalField {}
