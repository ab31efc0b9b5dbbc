package dev.memaudit.reports.html;

/**
 * HTML escaping for text and attribute values. Everything a model or a corpus wrote is untrusted
 * and goes through {@link #esc}; the only unescaped strings in a report are this package's own
 * markup.
 */
public final class Html {
    private Html() {}

    /**
     * Escapes {@code & < > " '} and replaces characters that have no place in an HTML document (C0
     * controls other than tab and newlines, lone surrogates, U+FFFE/U+FFFF) with U+FFFD, so text
     * cannot close an element, open a tag or break out of a quoted attribute.
     */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c)
                            && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)
                            || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                            || c == 0x7F
                            || c == 0xFFFE
                            || c == 0xFFFF) {
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
