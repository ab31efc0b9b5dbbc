/** Statistics the extract stage reports (Clopper–Pearson intervals). */
package dev.memaudit.extractor.stats;
