/**
 * Errors with exit-code categories. Every failure that reaches the user is a {@link
 * dev.memaudit.core.error.MemauditException} carrying an {@link
 * dev.memaudit.core.error.ExitCategory}; only the CLI's {@code Main} turns it into an exit code.
 */
package dev.memaudit.core.error;
