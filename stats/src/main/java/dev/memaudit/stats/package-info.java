/**
 * Every statistic memaudit reports, in one place, as pure math over numbers (no files, no models):
 * one quantile definition ({@link dev.memaudit.stats.Quantiles}), Clopper–Pearson intervals ({@link
 * dev.memaudit.stats.ClopperPearson}), one-sided Welch and Mann–Whitney tests, Cohen's d and a
 * seeded percentile bootstrap ({@link dev.memaudit.stats.TwoSampleTests}), the dataset-inference
 * aggregate ({@link dev.memaudit.stats.DatasetInference}), Holm and Benjamini–Hochberg adjustments
 * ({@link dev.memaudit.stats.MultipleTesting}), AUC and TPR at a fixed FPR ({@link
 * dev.memaudit.stats.Roc}); the per-work membership statistics of a ppl run with its self-checks
 * ({@link dev.memaudit.stats.MembershipStatistics}) and the calibration summaries ({@link
 * dev.memaudit.stats.Calibration}). Used by the extractor (coverage intervals, the ppl stage) and
 * by the reports. Distributions and ranking come from Hipparchus; golden values of the tests from
 * SciPy ({@code src/test/golden/make_stats_golden.py}).
 */
package dev.memaudit.stats;
