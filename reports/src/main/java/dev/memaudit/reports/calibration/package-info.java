/**
 * Reads a {@code calibration.json} that {@code memaudit canary calibrate} wrote (schema 1:
 * member-only canaries; schema 2: ladder canaries over a background), so a report can say how well
 * its methods did on canaries of known membership. The layout is the one {@code
 * dev.memaudit.stats.Calibration#toMap} (schema 1) and {@code
 * dev.memaudit.stats.DoseCalibration#toMap} plus {@code canary calibrate}'s settings and canaries
 * (schema 2) write; unknown keys and versions are rejected.
 */
package dev.memaudit.reports.calibration;
