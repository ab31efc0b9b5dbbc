/**
 * Canaries from a corpus: {@link dev.memaudit.audit.canary.CanaryTraining} reads a corpus's works
 * and has the model module's trainer learn them ({@code memaudit canary train}); {@link
 * dev.memaudit.audit.canary.CanaryCalibration} trains one canary per seed and runs the ppl stage on
 * each to measure the membership features and tests ({@code memaudit canary calibrate}); with a
 * background, {@link dev.memaudit.audit.canary.LadderCalibration} does it on ladder canaries, per
 * dose, with extraction and the dose–response figure ({@link
 * dev.memaudit.audit.canary.DoseResponseSvg}).
 */
package dev.memaudit.audit.canary;
