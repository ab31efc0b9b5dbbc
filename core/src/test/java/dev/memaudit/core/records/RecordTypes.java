package dev.memaudit.core.records;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Finds every {@link RecordFile} type of core, so tests cannot miss one added later. */
final class RecordTypes {
    private RecordTypes() {}

    /** Every class in {@code dev.memaudit.core.records} and below marked {@link RecordFile}. */
    static List<Class<?>> fileRecords() {
        Path root;
        try {
            root =
                    Path.of(
                            Records.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path pkg = root.resolve("dev/memaudit/core/records");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(pkg)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replace('\\', '.');
                name = name.substring(0, name.length() - ".class".length());
                Class<?> c = Class.forName(name);
                if (c.isAnnotationPresent(RecordFile.class)) {
                    out.add(c);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        out.sort(Comparator.comparing(Class::getName));
        return out;
    }
}
