package dev.memaudit.cli.support;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * A {@link PrintStream} over a command's {@link PrintWriter}, for services that report progress to
 * a stream, so that tests still capture everything a command prints. Bytes are decoded as UTF-8 a
 * line at a time.
 */
public final class WriterStream extends OutputStream {
    private final PrintWriter writer;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private WriterStream(PrintWriter writer) {
        this.writer = writer;
    }

    /** An auto-flushing UTF-8 print stream writing to {@code writer}. */
    public static PrintStream of(PrintWriter writer) {
        return new PrintStream(new WriterStream(writer), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n') {
            flush();
        }
    }

    @Override
    public synchronized void flush() {
        if (line.size() > 0) {
            writer.write(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
        writer.flush();
    }
}
