package dev.memaudit.core.records.run;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A component of a {@link StageConfig} that does not change the stage's records (a batch size,
 * where an input lies, the statistics recomputed from the ledger at the end): written to {@code
 * run-config.json} like every other setting but not compared when a run is resumed, so a resumed
 * run may change it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
    ElementType.RECORD_COMPONENT,
    ElementType.PARAMETER,
    ElementType.FIELD,
    ElementType.METHOD
})
public @interface NotPinned {}
