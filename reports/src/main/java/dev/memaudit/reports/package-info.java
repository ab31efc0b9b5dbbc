/**
 * Reports over run folders (see {@code docs/run-folders.md}): {@link
 * dev.memaudit.reports.ReportService} reads the stage folders ({@code run}), writes the
 * self-contained {@code report.html} ({@code html}: jte templates in {@code src/main/jte}, compiled
 * at build time, over the typed {@link dev.memaudit.reports.html.ReportPage}), {@code report.json},
 * {@code works.csv} and {@code spans.csv} ({@code csv}), {@code summary.md} ({@code md}), and the
 * evidence bundle's signed manifest; {@code bundle} verifies bundles and run folders. This module
 * sees neither Lucene nor a model: texts come in through {@link
 * dev.memaudit.reports.run.SourceTexts}.
 */
package dev.memaudit.reports;
