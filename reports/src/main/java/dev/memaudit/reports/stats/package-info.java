/**
 * Statistics of the perplexity-gap (membership) report, pure math over numbers: one-sided Welch and
 * Mann–Whitney tests, Cohen's d and a seeded percentile bootstrap ({@link
 * dev.memaudit.reports.stats.TwoSampleTests}), the dataset-inference aggregate ({@link
 * dev.memaudit.reports.stats.DatasetInference}), Holm and Benjamini–Hochberg adjustments ({@link
 * dev.memaudit.reports.stats.MultipleTesting}), AUC and TPR at a fixed FPR ({@link
 * dev.memaudit.reports.stats.Roc}); and the per-work statistics of a ppl run with its self-checks
 * ({@link dev.memaudit.reports.stats.MembershipStatistics}, written by {@link
 * dev.memaudit.reports.stats.PplStatsFiles}). Distributions and ranking come from Hipparchus.
 * Golden values of the tests come from SciPy ({@code src/test/golden/make_stats_golden.py}).
 */
package dev.memaudit.reports.stats;
