package dev.memaudit.reports;

import java.util.List;

/**
 * What a report says about its own making.
 *
 * @param toolVersion the memaudit version writing the report
 * @param generatedUtc ISO-8601 UTC instant (from the injected clock)
 * @param command the report command line, without the program name (e.g. {@code report --run x})
 * @param runName how the run folder is named in the report (its file name, not the full path)
 */
public record ReportInfo(
        String toolVersion, String generatedUtc, List<String> command, String runName) {}
