/**
 * The report's inputs that live outside the run folder: {@link
 * dev.memaudit.audit.report.IndexTexts} gives the reports module the works' texts from the index
 * and the outputs' texts from the scanned file, each only when its hash is the one the run
 * recorded.
 */
package dev.memaudit.audit.report;
