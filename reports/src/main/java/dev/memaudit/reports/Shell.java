package dev.memaudit.reports;

import java.util.List;
import java.util.regex.Pattern;

/** Command lines as a POSIX shell would take them back (for "the exact command to reproduce"). */
public final class Shell {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Shell() {}

    /** {@code memaudit} followed by each argument, single-quoted where the shell would split it. */
    public static String command(List<String> args) {
        StringBuilder sb = new StringBuilder("memaudit");
        for (String a : args) {
            sb.append(' ').append(quote(a));
        }
        return sb.toString();
    }

    public static String quote(String arg) {
        if (!arg.isEmpty() && SAFE.matcher(arg).matches()) {
            return arg;
        }
        return "'" + arg.replace("'", "'\"'\"'") + "'";
    }
}
