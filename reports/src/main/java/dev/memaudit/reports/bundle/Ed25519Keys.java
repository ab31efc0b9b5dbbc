package dev.memaudit.reports.bundle;

import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Ed25519 keys and signatures through the JDK ({@code java.security}, algorithm {@code Ed25519}).
 * Private keys are PKCS#8, public keys X.509 SubjectPublicKeyInfo, each as PEM or DER: the forms
 * {@code openssl genpkey -algorithm ed25519} and {@code openssl pkey -pubout} write.
 */
public final class Ed25519Keys {
    static final String ALGORITHM = "Ed25519";

    private Ed25519Keys() {}

    /** A fresh key pair from the JDK's strong random source. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    /** Reads a PKCS#8 private key (PEM {@code PRIVATE KEY} or DER). */
    public static PrivateKey readPrivate(Path file) {
        byte[] der = der(file, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw MemauditException.badInput(
                    file
                            + ": not an unencrypted Ed25519 private key in PKCS#8 (PEM or DER): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Reads an X.509 public key (PEM {@code PUBLIC KEY} or DER). */
    public static PublicKey readPublic(Path file) {
        return publicFromDer(der(file, "PUBLIC KEY"), file.toString());
    }

    static PublicKey publicFromDer(byte[] der, String where) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw MemauditException.badInput(
                    where + ": not an Ed25519 public key (X.509 PEM or DER): " + e.getMessage(), e);
        }
    }

    /**
     * The public key of a private key. The JDK has no call for this, but its Ed25519 key-pair
     * generator derives the public key from 32 random bytes, so feeding it the private key's bytes
     * as its "random" input gives the matching pair; a signature round trip confirms it.
     */
    public static PublicKey publicOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw MemauditException.badInput("not an Ed25519 private key with its key bytes");
        }
        byte[] seed = ed.getBytes().get();
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
            g.initialize(NamedParameterSpec.ED25519, new FixedBytes(seed));
            PublicKey pub = g.generateKeyPair().getPublic();
            byte[] probe = "memaudit key check".getBytes(StandardCharsets.US_ASCII);
            if (!verify(pub, probe, sign(key, probe))) {
                throw new IllegalStateException("derived public key does not match");
            }
            return pub;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot derive the Ed25519 public key on this JDK: " + e.getMessage(), e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is {@code key}'s signature of {@code data}. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** PEM text of DER bytes, 64 base64 characters a line. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }

    private static byte[] der(Path file, String type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key " + file, e);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN")) {
            return bytes;
        }
        if (text.contains("ENCRYPTED")) {
            throw MemauditException.badInput(
                    file + ": encrypted keys are not supported; decrypt with openssl pkey");
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int a = text.indexOf(begin);
        int b = text.indexOf(end);
        if (a < 0 || b < a) {
            throw MemauditException.badInput(file + ": no PEM block \"" + type + "\"");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(a + begin.length(), b));
        } catch (IllegalArgumentException e) {
            throw MemauditException.badInput(file + ": bad base64 in the PEM block", e);
        }
    }

    /** A "random" source that returns given bytes: only for {@link #publicOf}. */
    private static final class FixedBytes extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;

        FixedBytes(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            if (out.length != bytes.length) {
                throw new IllegalStateException(
                        "expected a request for " + bytes.length + " bytes, got " + out.length);
            }
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }
}
