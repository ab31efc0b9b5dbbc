package dev.memaudit.reports.csv;

import java.util.List;

/**
 * RFC 4180 CSV (comma, CRLF line ends, fields with comma, quote, CR or LF quoted, quotes doubled)
 * with formula neutralization: a text cell starting with {@code = + - @}, tab or carriage return is
 * prefixed with a single quote, so a spreadsheet shows it instead of running it (OWASP "CSV
 * injection"). Numbers the report itself formats are written as they are.
 */
public final class Csv {
    private final StringBuilder out = new StringBuilder();

    /** Appends one row; each cell is a {@link Number}, a {@link Boolean}, a string or null. */
    public Csv row(List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Object c = cells.get(i);
            if (c == null) {
                continue;
            }
            out.append(
                    c instanceof Number || c instanceof Boolean
                            ? c.toString()
                            : quote(neutralize(c.toString())));
        }
        out.append("\r\n");
        return this;
    }

    /** A text cell a spreadsheet will not evaluate. */
    public static String neutralize(String s) {
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            return "'" + s;
        }
        return s;
    }

    static String quote(String s) {
        if (s.indexOf(',') < 0
                && s.indexOf('"') < 0
                && s.indexOf('\r') < 0
                && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
