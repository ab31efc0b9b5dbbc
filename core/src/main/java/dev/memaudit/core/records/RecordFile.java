package dev.memaudit.core.records;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the record type of one run-folder file (docs/run-folders.md): the file's name, the {@code
 * schema_version} this memaudit writes and the older ones it still reads. {@link Records} checks
 * the version before binding, and the docs check requires every such record to be documented field
 * by field.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RecordFile {
    /** The file name in a run folder (e.g. {@code windows.jsonl}). */
    String name();

    /** The {@code schema_version} of the layout the record describes. */
    int version();

    /**
     * The oldest {@code schema_version} still read, where later versions only added optional fields
     * (absent in older files); -1 (the default) for {@link #version()} alone.
     */
    int readsFrom() default -1;
}
