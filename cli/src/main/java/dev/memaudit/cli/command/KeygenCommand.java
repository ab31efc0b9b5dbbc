package dev.memaudit.cli.command;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.reports.bundle.Ed25519Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit keygen}: an Ed25519 key pair for signing report bundles. */
@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description = {
            "Create an Ed25519 key pair for `report --sign-key`: <prefix>.key (PKCS#8 PEM, owner"
                    + " read/write only) and <prefix>.pub (X.509 PEM).",
            "Same as `openssl genpkey -algorithm ed25519 -out p.key && openssl pkey -in p.key"
                    + " -pubout -out p.pub`."
        })
public final class KeygenCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<prefix>",
            description = "Path prefix of the two files.")
    String prefix;

    @Override
    public Integer call() {
        Path key = Path.of(prefix + ".key");
        Path pub = Path.of(prefix + ".pub");
        KeyPair pair = Ed25519Keys.generate();
        try {
            if (key.toAbsolutePath().getParent() != null) {
                Files.createDirectories(key.toAbsolutePath().getParent());
            }
            Files.createFile(key, posixOwnerOnly(key));
            Files.writeString(
                    key,
                    Ed25519Keys.pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
                    StandardCharsets.US_ASCII,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(
                    pub,
                    Ed25519Keys.pem("PUBLIC KEY", pair.getPublic().getEncoded()),
                    StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw MemauditException.usage(
                    e.getFile() + " already exists; choose another --out prefix");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key pair " + prefix, e);
        }
        spec.commandLine()
                .getOut()
                .printf("private key %s (keep it secret), public key %s%n", key, pub);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static java.nio.file.attribute.FileAttribute<?>[] posixOwnerOnly(Path file) {
        boolean posix =
                file.toAbsolutePath().getParent() != null
                        && file.toAbsolutePath()
                                .getParent()
                                .getFileSystem()
                                .supportedFileAttributeViews()
                                .contains("posix");
        return posix
                ? new java.nio.file.attribute.FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------"))
                }
                : new java.nio.file.attribute.FileAttribute<?>[0];
    }
}
