package dev.memaudit.reports.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.reports.Fixtures;
import dev.memaudit.reports.ReportService;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a generated report in headless Chromium over the DevTools protocol (JDK WebSocket, no extra
 * dependency) and checks that it renders (a screenshot with content), logs no console message or
 * exception, makes no request but the one for the file itself, and sorts the overview by CSS {@code
 * :target} alone. A second page that breaks its own CSP proves the checks can fail.
 *
 * <p>Needs {@code chromium} (or {@code $MEMAUDIT_CHROMIUM}); skipped without it, except under CI
 * ({@code CI=true}), where a missing browser fails the build instead of skipping silently. Chromium
 * runs with {@code --no-sandbox} because CI containers run as root.
 */
class ReportBrowserIT {
    @TempDir static Path tmp;
    static Process browser;
    static Cdp cdp;
    static Path report;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        String exe = findChromium();
        if (exe == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(
                        "chromium is not installed, and CI=true: the browser test must run in CI"
                                + " (.ci/run installs it with apt-get)");
            }
            Assumptions.abort(
                    "chromium not found on PATH (nor $MEMAUDIT_CHROMIUM): browser test skipped;"
                            + " install the Debian package `chromium` to run it");
        }
        // outside @TempDir: Chromium leaves a socket link there that JUnit warns about
        profile = Files.createTempDirectory("memaudit-chromium-");
        Path run = Fixtures.copy("audit", tmp);
        report = run.resolve("report");
        new ReportService(Clock.systemUTC(), m -> {})
                .write(
                        run,
                        report,
                        Fixtures.texts(),
                        ReportService.Options.defaults(),
                        List.of("report"));
        browser =
                new ProcessBuilder(
                                exe,
                                "--headless=new",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--no-first-run",
                                "--no-default-browser-check",
                                "--disable-extensions",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--hide-scrollbars",
                                "--user-data-dir=" + profile,
                                "--remote-debugging-port=0",
                                "--window-size=1280,1600",
                                "about:blank")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        String ws = devToolsUrl(browser);
        cdp = new Cdp(URI.create(ws));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cdp != null) {
            cdp.close();
        }
        if (browser != null) {
            // Chromium's helper processes (zygote, renderer, crashpad) outlive the main process
            // for a moment and keep writing into the profile: stop and await them all.
            List<ProcessHandle> children = browser.descendants().toList();
            browser.destroy();
            if (!browser.waitFor(10, TimeUnit.SECONDS)) {
                browser.destroyForcibly();
            }
            for (ProcessHandle c : children) {
                c.destroy();
                try {
                    c.onExit().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    c.destroyForcibly();
                }
            }
        }
        if (profile != null) {
            // A late write can still race the delete: retry briefly.
            for (int attempt = 1; ; attempt++) {
                try {
                    dev.memaudit.core.io.FileTrees.delete(profile);
                    break;
                } catch (java.io.IOException e) {
                    if (attempt == 10) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    @Test
    void rendersWithoutConsoleMessagesOrNetworkRequestsAndSortsWithoutScript() throws Exception {
        Path html = report.resolve("report.html");
        Page page = Page.open(cdp, html.toUri().toString());

        assertThat(page.requests()).as("network requests").containsExactly(html.toUri().toString());
        assertThat(page.console()).as("console messages, exceptions and log entries").isEmpty();

        assertThat(
                        page.eval(
                                        "document.querySelectorAll('script,img,iframe,object,embed,link').length")
                                .asInt())
                .isZero();
        assertThat(
                        page.eval("document.body.innerText.includes('<script>alert(1)</script>')")
                                .asBoolean())
                .as("the hostile output is shown as text")
                .isTrue();
        assertThat(
                        page.eval(
                                        "document.body.innerText.includes('\"><img src=x onerror=alert(2)>')")
                                .asBoolean())
                .isTrue();

        // sorting: the default copy shows; following a header link shows that copy instead
        assertThat(page.eval(display("overview-default")).asText()).isEqualTo("block");
        assertThat(page.eval(display("by-longest-asc")).asText()).isEqualTo("none");
        page.eval("location.hash = '#by-longest-asc'");
        assertThat(page.eval(display("by-longest-asc")).asText()).isEqualTo("block");
        assertThat(page.eval(display("overview-default")).asText()).isEqualTo("none");
        assertThat(
                        page.eval("document.querySelector('#by-longest-asc tbody tr').dataset.work")
                                .asText())
                .isEqualTo("beta");
        page.eval("location.hash = '#summary'");

        // print: only the default table copy, even with another copy targeted; no navigation
        page.eval("location.hash = '#by-longest-asc'");
        cdp.call(page.session(), "Emulation.setEmulatedMedia", Map.of("media", "print"));
        assertThat(page.eval(display("by-longest-asc")).asText()).isEqualTo("none");
        assertThat(page.eval(display("overview-default")).asText()).isEqualTo("block");
        assertThat(page.eval("getComputedStyle(document.querySelector('nav')).display").asText())
                .isEqualTo("none");
        byte[] pdf =
                Base64.getDecoder()
                        .decode(
                                cdp.call(page.session(), "Page.printToPDF", Map.of())
                                        .path("data")
                                        .asText());
        assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        assertThat(pdf.length).isGreaterThan(20_000);
        cdp.call(page.session(), "Emulation.setEmulatedMedia", Map.of("media", ""));
        page.eval("location.hash = '#summary'");

        byte[] png = page.screenshot();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        long nonWhite = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb != 0xFFFFFF) {
                    nonWhite++;
                }
            }
        }
        Files.write(tmp.resolve("report.png"), png);
        assertThat(nonWhite)
                .as("non-white pixels of %dx%d", img.getWidth(), img.getHeight())
                .isGreaterThan((long) img.getWidth() * img.getHeight() / 100);
        assertThat(page.requests()).as("requests after sorting").hasSize(1);
        assertThat(page.console()).isEmpty();
        page.close();
    }

    @Test
    void theChecksSeeAPageThatBreaksItsPolicy() throws Exception {
        Path bad = tmp.resolve("bad.html");
        Files.writeString(
                bad,
                "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\""
                        + HtmlReport.CSP
                        + "\"></head><body><p>x</p><img src=\"http://127.0.0.1:9/x.png\">"
                        + "<script>console.log('ran')</script></body></html>");
        Page page = Page.open(cdp, bad.toUri().toString());
        assertThat(page.requests()).contains("http://127.0.0.1:9/x.png");
        assertThat(page.console())
                .anyMatch(c -> c.contains("violates") && c.contains("img-src"))
                .anyMatch(c -> c.contains("Executing inline script violates"))
                .noneMatch(c -> c.contains("ran"));
        page.close();
    }

    private static String display(String id) {
        return "getComputedStyle(document.getElementById('" + id + "')).display";
    }

    static String findChromium() {
        String env = System.getenv("MEMAUDIT_CHROMIUM");
        if (env != null && new File(env).canExecute()) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        return null;
    }

    /**
     * Reads Chromium's stderr until it prints its DevTools URL, then drains it in the background.
     */
    static String devToolsUrl(Process p) throws Exception {
        BufferedReader err =
                new BufferedReader(
                        new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            Pattern ws = Pattern.compile("DevTools listening on (ws://\\S+)");
                            try {
                                for (String line; (line = err.readLine()) != null; ) {
                                    Matcher m = ws.matcher(line);
                                    if (m.find()) {
                                        url.complete(m.group(1));
                                    }
                                }
                                url.completeExceptionally(
                                        new IOException("chromium exited without a DevTools URL"));
                            } catch (IOException e) {
                                url.completeExceptionally(e);
                            }
                        },
                        "chromium-stderr");
        t.setDaemon(true);
        t.start();
        return url.get(60, TimeUnit.SECONDS);
    }

    /** One tab attached in flat mode, with what it requested and logged since it opened. */
    record Page(Cdp cdp, String targetId, String session, List<JsonNode> events) {
        static Page open(Cdp cdp, String url) throws Exception {
            String targetId =
                    cdp.call(null, "Target.createTarget", Map.of("url", "about:blank"))
                            .path("targetId")
                            .asText();
            String session =
                    cdp.call(
                                    null,
                                    "Target.attachToTarget",
                                    Map.of("targetId", targetId, "flatten", true))
                            .path("sessionId")
                            .asText();
            List<JsonNode> events = cdp.listen(session);
            for (String domain : new String[] {"Network", "Runtime", "Log", "Page"}) {
                cdp.call(session, domain + ".enable", Map.of());
            }
            cdp.call(session, "Page.navigate", Map.of("url", url));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (events.stream()
                    .noneMatch(e -> e.path("method").asText().equals("Page.loadEventFired"))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("page did not load: " + url);
                }
                Thread.sleep(50);
            }
            Thread.sleep(500); // late console or network events
            return new Page(cdp, targetId, session, events);
        }

        List<String> requests() {
            return events.stream()
                    .filter(e -> e.path("method").asText().equals("Network.requestWillBeSent"))
                    .map(e -> e.path("params").path("request").path("url").asText())
                    .toList();
        }

        List<String> console() {
            List<String> out = new ArrayList<>();
            for (JsonNode e : events) {
                String m = e.path("method").asText();
                JsonNode p = e.path("params");
                switch (m) {
                    case "Runtime.consoleAPICalled" ->
                            out.add("console." + p.path("type").asText() + ": " + p.path("args"));
                    case "Runtime.exceptionThrown" ->
                            out.add("exception: " + p.path("exceptionDetails"));
                    case "Log.entryAdded" ->
                            out.add(
                                    "log "
                                            + p.path("entry").path("level").asText()
                                            + ": "
                                            + p.path("entry").path("text").asText());
                    case "Network.loadingFailed" ->
                            out.add(
                                    "load failed: "
                                            + p.path("errorText").asText()
                                            + " "
                                            + p.path("blockedReason").asText());
                    default -> {}
                }
            }
            return out;
        }

        JsonNode eval(String expression) throws Exception {
            JsonNode r =
                    cdp.call(
                            session,
                            "Runtime.evaluate",
                            Map.of("expression", expression, "returnByValue", true));
            if (r.has("exceptionDetails")) {
                throw new AssertionError(
                        "evaluating " + expression + ": " + r.path("exceptionDetails"));
            }
            return r.path("result").path("value");
        }

        byte[] screenshot() throws Exception {
            String data =
                    cdp.call(session, "Page.captureScreenshot", Map.of("format", "png"))
                            .path("data")
                            .asText();
            return Base64.getDecoder().decode(data);
        }

        void close() throws Exception {
            cdp.call(null, "Target.closeTarget", Map.of("targetId", targetId));
        }
    }

    /** A minimal DevTools protocol client: numbered calls, events routed by session. */
    static final class Cdp implements WebSocket.Listener, AutoCloseable {
        private final WebSocket socket;
        private final StringBuilder partial = new StringBuilder();
        private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final Map<String, List<JsonNode>> events = new ConcurrentHashMap<>();
        private final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        private long next;

        Cdp(URI uri) throws Exception {
            socket =
                    HttpClient.newHttpClient()
                            .newWebSocketBuilder()
                            .buildAsync(uri, this)
                            .get(30, TimeUnit.SECONDS);
        }

        List<JsonNode> listen(String session) {
            return events.computeIfAbsent(session, k -> new CopyOnWriteArrayList<>());
        }

        synchronized JsonNode call(String session, String method, Map<String, ?> params)
                throws Exception {
            long id = ++next;
            ObjectNode msg = Json.MAPPER.createObjectNode();
            msg.put("id", id);
            msg.put("method", method);
            msg.set("params", Json.MAPPER.valueToTree(params));
            if (session != null) {
                msg.put("sessionId", session);
            }
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            pending.put(id, reply);
            socket.sendText(Json.MAPPER.writeValueAsString(msg), true).get(30, TimeUnit.SECONDS);
            JsonNode r = reply.get(30, TimeUnit.SECONDS);
            if (r.has("error")) {
                throw new AssertionError(method + " failed: " + r.path("error"));
            }
            return r.path("result");
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode msg = Json.MAPPER.readTree(partial.toString());
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asLong());
                        if (f != null) {
                            f.complete(msg);
                        }
                    } else {
                        listen(msg.path("sessionId").asText("")).add(msg);
                    }
                } catch (IOException e) {
                    errors.add(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            errors.add(error);
            pending.values().forEach(f -> f.completeExceptionally(error));
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
