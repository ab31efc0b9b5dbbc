package dev.memaudit.model;

import java.io.ByteArrayOutputStream;

/**
 * The GPT-2 byte-level alphabet: every byte 0..255 is written as one printable character (bytes
 * {@code !..~}, {@code ¡..¬} and {@code ®..ÿ} as themselves, the other 68 as U+0100 onwards, in
 * byte order). Byte-level BPE vocabularies (GPT-2, Llama 3, Qwen2, the canary's {@code BpeTrainer})
 * spell their tokens in this alphabet.
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = table();
    private static final int[] CHAR_TO_BYTE = inverse(BYTE_TO_CHAR);

    private ByteLevel() {}

    /** A copy of the byte → character table. */
    public static char[] byteToChar() {
        return BYTE_TO_CHAR.clone();
    }

    /**
     * The bytes a token spelled in the byte-level alphabet stands for, or null when the string has
     * a character outside the alphabet (so it is not a byte-level token).
     */
    public static byte[] toBytes(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                return null;
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    private static char[] table() {
        char[] table = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 256;
        for (int b = 0; b < 256; b++) {
            table[b] = direct[b] ? (char) b : (char) next++;
        }
        return table;
    }

    private static int[] inverse(char[] table) {
        int max = 0;
        for (char c : table) {
            max = Math.max(max, c);
        }
        int[] inv = new int[max + 1];
        java.util.Arrays.fill(inv, -1);
        for (int b = 0; b < table.length; b++) {
            inv[table[b]] = b;
        }
        return inv;
    }
}
