package dev.memaudit.index.source;

import dev.memaudit.core.io.JsonlReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much of a file the readers may take in for one work, so that a zip bomb, a 2 GB line or a 1
 * GB HTML file fails that work with a reason naming the file, entry and size, instead of exhausting
 * the heap and ending the whole build. Set in corpus.yaml's {@code limits:} mapping or with {@code
 * index build --limit key=value} (the flag wins); every key has a default ({@link Key}).
 *
 * <p>Sizes are bytes: a whole number, optionally followed by a unit, binary ({@code KiB, MiB, GiB})
 * or decimal ({@code KB, MB, GB}), e.g. {@code 512MiB} or {@code 64 MB}.
 */
public final class ReadLimits {
    private static final long KIB = 1024;
    private static final long MIB = KIB * KIB;
    private static final long GIB = MIB * KIB;

    /** The largest size any byte limit may be set to: a Java array or string holds no more. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 64L;

    /** Expansion below this many bytes is never a compression-ratio problem (tiny entries). */
    static final long RATIO_GRACE_BYTES = MIB;

    /** One limit: its corpus.yaml key, default, allowed range and what it bounds. */
    public enum Key {
        /**
         * The text of one work in UTF-8, and what a reader takes in for it: a text file's size, an
         * EPUB's entries expanded together, the memory PDFBox may buffer for a PDF.
         */
        MAX_WORK_BYTES(
                "max_work_bytes",
                true,
                512 * MIB,
                KIB,
                MAX_BYTES,
                "text of one work (UTF-8), a .txt file, an EPUB's entries expanded together"),
        /**
         * One document parsed into a tree in memory: an HTML or Markdown file, one entry of an EPUB
         * once expanded, one decoded PDF content stream.
         */
        MAX_DOCUMENT_BYTES(
                "max_document_bytes",
                true,
                64 * MIB,
                KIB,
                MAX_BYTES,
                "one HTML or Markdown file, one EPUB entry expanded, one decoded PDF content"
                        + " stream"),
        /** Expanded bytes per compressed byte of one EPUB entry, checked past the first MiB. */
        MAX_COMPRESSION_RATIO(
                "max_compression_ratio",
                false,
                100,
                2,
                1_000_000,
                "expanded / compressed bytes of one EPUB entry (checked past 1 MiB expanded)"),
        /** One line of a JSONL file, without its line end. */
        MAX_LINE_BYTES(
                "max_line_bytes",
                true,
                JsonlReader.DEFAULT_MAX_LINE_BYTES,
                KIB,
                MAX_BYTES,
                "one line of a JSONL file"),
        /** Nesting of elements (HTML, XHTML, XML), Markdown blocks and inlines, JSON values. */
        MAX_DEPTH(
                "max_depth",
                false,
                512,
                8,
                100_000,
                "nesting of HTML/XHTML elements, Markdown nodes, JSON values"),
        /**
         * Markup nodes of one document: tags and elements of an HTML file or EPUB entry, nodes of a
         * Markdown file, glyphs of one PDF page.
         */
        MAX_ELEMENTS(
                "max_elements",
                false,
                1_000_000,
                1_000,
                1_000_000_000,
                "tags and elements of one HTML file or EPUB entry, nodes of a Markdown file,"
                        + " glyphs of a PDF page");

        private final String key;
        private final boolean bytes;
        private final long defaultValue;
        private final long min;
        private final long max;
        private final String bounds;

        Key(String key, boolean bytes, long defaultValue, long min, long max, String bounds) {
            this.key = key;
            this.bytes = bytes;
            this.defaultValue = defaultValue;
            this.min = min;
            this.max = max;
            this.bounds = bounds;
        }

        /** The corpus.yaml key (and {@code --limit} key), e.g. {@code max_work_bytes}. */
        public String key() {
            return key;
        }

        /** Whether the value is a size in bytes (units allowed) rather than a plain count. */
        public boolean isBytes() {
            return bytes;
        }

        public long defaultValue() {
            return defaultValue;
        }

        /** What the limit bounds, for help texts. */
        public String bounds() {
            return bounds;
        }

        /** The key for {@code name}, or null. */
        public static Key of(String name) {
            for (Key k : values()) {
                if (k.key.equals(name)) {
                    return k;
                }
            }
            return null;
        }

        /** Every key, comma-separated, for messages. */
        public static String names() {
            return String.join(", ", Arrays.stream(values()).map(Key::key).toList());
        }

        /**
         * Parses a value of this key.
         *
         * @throws IllegalArgumentException naming the key, the value and the allowed range
         */
        public long parse(String text) {
            String t = text.strip();
            long value;
            if (bytes) {
                value = parseBytes(t);
            } else {
                try {
                    value = Long.parseLong(t.replace("_", ""));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            key + " must be a whole number, got '" + text + "'");
                }
            }
            check(value);
            return value;
        }

        private long parseBytes(String t) {
            return ReadLimits.parseBytes(key, t);
        }

        /**
         * @throws IllegalArgumentException when {@code value} is out of range
         */
        public void check(long value) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(
                        key
                                + " must be between "
                                + format(min)
                                + " and "
                                + format(max)
                                + ", got "
                                + format(value));
            }
        }

        /** A value of this key for people: sizes with a unit when exact, else bytes. */
        public String format(long value) {
            return bytes ? formatBytes(value) : String.format(Locale.ROOT, "%,d", value);
        }
    }

    private static final Pattern SIZE = Pattern.compile("([0-9][0-9_]*)\\s*([A-Za-z]*)");

    /**
     * Parses a size in bytes: a whole number, optionally with a unit (B, KiB, MiB, GiB binary; KB,
     * MB, GB decimal), e.g. {@code 64MiB}; a value too large for a long is {@code Long.MAX_VALUE}.
     *
     * @param name the setting, for the message
     * @throws IllegalArgumentException naming the setting and the value
     */
    public static long parseBytes(String name, String text) {
        String t = text.strip();
        Matcher m = SIZE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    name
                            + " must be a size in bytes, e.g. 64MiB, 512 MB or 1048576, got '"
                            + t
                            + "'");
        }
        long multiplier =
                switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "", "b" -> 1;
                    case "kib", "k" -> KIB;
                    case "mib", "m" -> MIB;
                    case "gib", "g" -> GIB;
                    case "kb" -> 1000;
                    case "mb" -> 1000_000;
                    case "gb" -> 1000_000_000;
                    default ->
                            throw new IllegalArgumentException(
                                    name
                                            + ": unknown unit '"
                                            + m.group(2)
                                            + "' (B, KiB, MiB, GiB, KB, MB, GB)");
                };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1).replace("_", "")), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The defaults of every key. */
    public static final ReadLimits DEFAULTS = new ReadLimits(new EnumMap<>(Key.class));

    private final EnumMap<Key, Long> values;

    private ReadLimits(EnumMap<Key, Long> given) {
        this.values = new EnumMap<>(Key.class);
        for (Key k : Key.values()) {
            values.put(k, given.getOrDefault(k, k.defaultValue));
        }
    }

    /** These limits with {@code key} set to {@code value} (checked against its range). */
    public ReadLimits with(Key key, long value) {
        key.check(value);
        EnumMap<Key, Long> copy = new EnumMap<>(values);
        copy.put(key, value);
        return new ReadLimits(copy);
    }

    /** These limits with every entry of {@code overrides} applied. */
    public ReadLimits with(Map<Key, Long> overrides) {
        ReadLimits r = this;
        for (Map.Entry<Key, Long> e : overrides.entrySet()) {
            r = r.with(e.getKey(), e.getValue());
        }
        return r;
    }

    public long get(Key key) {
        return values.get(key);
    }

    /** Bytes of one work's text in UTF-8. */
    public long maxWorkBytes() {
        return values.get(Key.MAX_WORK_BYTES);
    }

    /** Bytes of one document parsed into a tree (HTML, Markdown, EPUB entry, PDF stream). */
    public long maxDocumentBytes() {
        return values.get(Key.MAX_DOCUMENT_BYTES);
    }

    /** Expanded bytes per compressed byte of one EPUB entry. */
    public long maxCompressionRatio() {
        return values.get(Key.MAX_COMPRESSION_RATIO);
    }

    /** Bytes of one JSONL line. */
    public long maxLineBytes() {
        return values.get(Key.MAX_LINE_BYTES);
    }

    /** Nesting depth of elements, Markdown nodes and JSON values. */
    public int maxDepth() {
        return (int) (long) values.get(Key.MAX_DEPTH);
    }

    /** Markup nodes of one document, glyphs of one PDF page. */
    public long maxElements() {
        return values.get(Key.MAX_ELEMENTS);
    }

    /** Every key and its value, in key order, for provenance (builds.jsonl). */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k.key, v));
        return Collections.unmodifiableMap(m);
    }

    /** Keys whose value differs from the default, as {@code key=value}, for messages. */
    public List<String> nonDefaults() {
        List<String> list = new ArrayList<>();
        values.forEach(
                (k, v) -> {
                    if (v != k.defaultValue) {
                        list.add(k.key + "=" + k.format(v));
                    }
                });
        return list;
    }

    /**
     * An exception for a work that exceeds {@code key}: "{@code what}, over the limit of … (key)",
     * and how to raise it.
     */
    public OverLimitException exceeded(Key key, String what) {
        return new OverLimitException(
                key,
                what
                        + ", over the limit of "
                        + key.format(get(key))
                        + " ("
                        + key.key
                        + "; if the file is genuine, raise it in corpus.yaml limits: or with"
                        + " index build --limit "
                        + key.key
                        + "=…)");
    }

    /** "67,108,865 bytes (64.0 MiB)", or "64 MiB" for an exact multiple. */
    public static String formatBytes(long bytes) {
        for (long unit : new long[] {GIB, MIB, KIB}) {
            if (bytes >= unit && bytes % unit == 0) {
                return (bytes / unit) + (unit == GIB ? " GiB" : unit == MIB ? " MiB" : " KiB");
            }
        }
        if (bytes < KIB) {
            return bytes + " bytes";
        }
        double v = bytes;
        String unit = "KiB";
        if (bytes >= GIB) {
            v /= GIB;
            unit = "GiB";
        } else if (bytes >= MIB) {
            v /= MIB;
            unit = "MiB";
        } else {
            v /= KIB;
        }
        return String.format(Locale.ROOT, "%,d bytes (%.1f %s)", bytes, v, unit);
    }

    /** Bytes of {@code s} in UTF-8 (an unpaired surrogate counts as the 3 bytes of U+FFFD). */
    public static long utf8Bytes(CharSequence s) {
        return utf8Bytes(s, 0, s.length());
    }

    /** Bytes of {@code s[from, to)} in UTF-8, counting a surrogate pair as 4. */
    static long utf8Bytes(CharSequence s, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < to
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReadLimits r && r.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
