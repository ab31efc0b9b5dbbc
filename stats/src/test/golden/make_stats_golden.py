#!/usr/bin/env python3
"""Golden values for the stats module's tests, computed with SciPy (independent of Hipparchus).

Run: python3 stats/src/test/golden/make_stats_golden.py
and paste the printed constants into TwoSampleTestsTest / MultipleTestingTest.
"""
import numpy as np
from scipy import stats

x = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.1]
y = [1.2, 2.2, 0.8, 2.9, 1.7, 2.4, 1.1]
print("welch greater(x,y) =", repr(stats.ttest_ind(x, y, equal_var=False, alternative="greater").pvalue))
print("welch greater(y,x) =", repr(stats.ttest_ind(y, x, equal_var=False, alternative="greater").pvalue))
print("mw greater(x,y) =", repr(stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic", use_continuity=True).pvalue))
print("mw greater(y,x) =", repr(stats.mannwhitneyu(y, x, alternative="greater", method="asymptotic", use_continuity=True).pvalue))
# ties
a = [1, 2, 2, 3, 3, 3, 4, 5]
b = [1, 1, 2, 2, 3, 4]
print("mw ties greater(a,b) =", repr(stats.mannwhitneyu(a, b, alternative="greater", method="asymptotic", use_continuity=True).pvalue))
print("mw U(a,b) =", repr(stats.mannwhitneyu(a, b, alternative="greater").statistic))
nx, ny = len(x), len(y)
pooled = np.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / (nx + ny - 2))
print("cohen d =", repr((np.mean(x) - np.mean(y)) / pooled))
p = [0.01, 0.04, 0.03, 0.005, 0.2]
print("bh =", list(stats.false_discovery_control(p, method="bh")))
