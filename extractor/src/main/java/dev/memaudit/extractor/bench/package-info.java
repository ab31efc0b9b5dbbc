/** {@code memaudit bench extract}: windows/s and attempts/s against the matmul peak. */
package dev.memaudit.extractor.bench;
