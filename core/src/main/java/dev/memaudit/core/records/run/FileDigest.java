package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;

/**
 * A file as a manifest records it.
 *
 * @param sha256 SHA-256 of its bytes, 64 lowercase hex digits
 * @param bytes its size; absent for an input known by its hash only (a work's source as the index
 *     recorded it)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FileDigest(String sha256, @OptionalField Long bytes) {}
