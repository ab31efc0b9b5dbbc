package dev.memaudit.model.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A loopback HTTP/1.1 server on a raw socket that plays scripted faults: each request takes the
 * next {@link Fault} from the queue, or the default responder when the queue is empty. Every
 * connection is closed after one answer. Records each request for assertions.
 */
final class FaultServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One recorded request. */
    record Request(String method, String path, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** What to do with one request. */
    interface Fault {
        void answer(Request request, Socket socket) throws IOException, InterruptedException;
    }

    private final ServerSocket socket;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ConcurrentLinkedDeque<Fault> script = new ConcurrentLinkedDeque<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peakOpen = new AtomicInteger();
    private volatile Fault fallback;

    FaultServer(Function<Request, String> responder) throws IOException {
        this(json(200, responder));
    }

    /** With a default behaviour that may answer any status. */
    FaultServer(Fault fallback) throws IOException {
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.fallback = fallback;
        pool.submit(this::acceptLoop);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** Queues faults played by the next requests, in order. */
    FaultServer then(Fault... faults) {
        script.addAll(List.of(faults));
        return this;
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    int peakConcurrency() {
        return peakOpen.get();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                pool.submit(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        int now = open.incrementAndGet();
        peakOpen.accumulateAndGet(now, Math::max);
        try (s) {
            Request r = read(s.getInputStream());
            if (r == null) {
                return;
            }
            requests.add(r);
            Fault f = script.pollFirst();
            (f == null ? fallback : f).answer(r, s);
        } catch (IOException | InterruptedException e) {
            // the client went away (timeouts in tests): nothing to do
        } finally {
            open.decrementAndGet();
        }
    }

    private static Request read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] first = lines[0].split(" ");
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0) {
                headers.put(lines[i].substring(0, c).trim(), lines[i].substring(c + 1).trim());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        return new Request(first[0], first[1], headers, body);
    }

    static void write(
            Socket s, int status, Map<String, String> headers, byte[] body, int declaredLength)
            throws IOException {
        OutputStream out = s.getOutputStream();
        StringBuilder h = new StringBuilder();
        h.append(String.format(Locale.ROOT, "HTTP/1.1 %d X\r\n", status));
        h.append("Content-Type: application/json\r\n");
        h.append("Connection: close\r\n");
        h.append("Content-Length: ").append(declaredLength).append("\r\n");
        headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** A complete answer. */
    static Fault json(int status, Function<Request, String> body) {
        return (r, s) -> {
            byte[] b = body.apply(r).getBytes(StandardCharsets.UTF_8);
            write(s, status, Map.of(), b, b.length);
        };
    }

    static Fault status(int status, Map<String, String> headers, String body) {
        return (r, s) -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            write(s, status, headers, b, b.length);
        };
    }

    /** Headers at once, then the body after {@code millis}. */
    static Fault slowBody(long millis, String body) {
        return (r, s) -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            write(s, 200, Map.of(), new byte[0], b.length);
            Thread.sleep(millis);
            s.getOutputStream().write(b);
        };
    }

    /** Headers and part of the body, then a TCP reset. */
    static Fault resetMidBody(String body) {
        return (r, s) -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            write(s, 200, Map.of(), java.util.Arrays.copyOf(b, b.length / 2), b.length);
            s.setSoLinger(true, 0); // close() now sends RST
        };
    }

    /** A complete HTTP answer whose JSON is cut short. */
    static Fault truncatedJson(String body) {
        return (r, s) -> {
            byte[] b = body.substring(0, body.length() / 2).getBytes(StandardCharsets.UTF_8);
            write(s, 200, Map.of(), b, b.length);
        };
    }

    @Override
    public void close() throws IOException {
        socket.close();
        pool.shutdownNow();
    }
}
