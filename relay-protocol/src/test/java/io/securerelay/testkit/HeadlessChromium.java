package io.securerelay.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Chromium driven through chromedriver's W3C WebDriver HTTP API with
 * {@code java.net.http} (no Selenium): start, navigate, find, type, click, read text, wait on the
 * DOM with a timeout, screenshot. The browser accepts the relay's development certificate
 * ({@code acceptInsecureCerts}): the certificate itself is checked by the other tests.
 * Chromium and chromedriver are the Debian packages ({@code apt-get install chromium chromium-driver}).
 */
public final class HeadlessChromium implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final Pattern SESSION_ID = Pattern.compile("\"sessionId\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ELEMENT_ID = Pattern.compile("\"" + ELEMENT + "\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern VALUE_START = Pattern.compile("\"value\"\\s*:\\s*\"");

    private final Process driver;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String session;

    /** Whether the Debian packages are installed. */
    public static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public HeadlessChromium(Path logFile) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        base = "http://127.0.0.1:" + port;
        try {
            waitFor(Duration.ofSeconds(20), () -> {
                try {
                    return call("GET", "/status", null).contains("\"ready\":true");
                } catch (IOException e) {
                    return false;
                }
            }, "chromedriver did not start");
            String caps = "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\",\"acceptInsecureCerts\":true,"
                    + "\"goog:loggingPrefs\":{\"browser\":\"ALL\"},"
                    + "\"goog:chromeOptions\":{\"binary\":\"" + CHROMIUM + "\",\"args\":[\"--headless\",\"--no-sandbox\","
                    + "\"--disable-gpu\",\"--no-first-run\",\"--disable-background-networking\","
                    + "\"--disable-component-update\",\"--disable-sync\",\"--disable-dev-shm-usage\","
                    + "\"--window-size=1440,1000\"]}}}}";
            String answer = call("POST", "/session", caps);
            Matcher m = SESSION_ID.matcher(answer);
            if (!m.find()) {
                throw new IOException("no WebDriver session: " + answer);
            }
            session = "/session/" + m.group(1);
        } catch (Exception e) {
            driver.destroyForcibly();
            throw e;
        }
    }

    public void open(String url) throws IOException {
        call("POST", session + "/url", "{\"url\":\"" + json(url) + "\"}");
    }

    public String currentUrl() throws IOException {
        return stringValue(call("GET", session + "/url", null));
    }

    /** The element's id for {@code css}, or {@code null} if there is none now. */
    public String find(String css) throws IOException {
        String answer = call("POST", session + "/element", "{\"using\":\"css selector\",\"value\":\"" + json(css) + "\"}");
        Matcher m = ELEMENT_ID.matcher(answer);
        return m.find() ? m.group(1) : null;
    }

    public void type(String css, String text) throws IOException {
        call("POST", session + "/element/" + required(css) + "/value", "{\"text\":\"" + json(text) + "\"}");
    }

    public void click(String css) throws IOException {
        call("POST", session + "/element/" + required(css) + "/click", "{}");
    }

    /** The visible text of the element for {@code css}, or {@code null} if there is none now. */
    public String text(String css) throws IOException {
        String id = find(css);
        return id == null ? null : stringValue(call("GET", session + "/element/" + id + "/text", null));
    }

    /** Waits until the text of {@code css} satisfies {@code condition}; returns it. */
    public String awaitText(String css, Predicate<String> condition, Duration timeout, String what)
            throws IOException, InterruptedException {
        String[] last = new String[1];
        waitFor(timeout, () -> {
            try {
                last[0] = text(css);
                return last[0] != null && condition.test(last[0]);
            } catch (IOException e) {
                return false;
            }
        }, what + " (last text of " + css + ": " + last[0] + ")");
        return last[0];
    }

    /**
     * The browser's console messages since the last call, as chromedriver's JSON answer (entries
     * with {@code level} and {@code message}; CSP violations are among them). Chromedriver's
     * log endpoint, outside the W3C standard; needs {@code goog:loggingPrefs}, set at start.
     */
    public String browserLog() throws IOException {
        return call("POST", session + "/se/log", "{\"type\":\"browser\"}");
    }

    /** The cookies the browser holds for the current page, as the WebDriver JSON answer (name, path, secure, httpOnly, sameSite, …). */
    public String cookies() throws IOException {
        return call("GET", session + "/cookie", null);
    }

    /** Runs {@code script} (a function body that returns a string) in the page; its result. */
    public String execute(String script) throws IOException {
        return stringValue(call("POST", session + "/execute/sync",
                "{\"script\":\"" + json(script) + "\",\"args\":[]}"));
    }

    public void screenshot(Path png) throws IOException {
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(stringValue(call("GET", session + "/screenshot", null))));
    }

    @Override
    public void close() throws InterruptedException {
        try {
            call("DELETE", session, null);
        } catch (IOException | RuntimeException e) {
            // the driver is stopped below anyway
        }
        driver.destroy();
        if (!driver.waitFor(10, TimeUnit.SECONDS)) {
            driver.destroyForcibly();
        }
        driver.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    private String required(String css) throws IOException {
        String id = find(css);
        if (id == null) {
            throw new IOException("no element " + css);
        }
        return id;
    }

    /** Polls {@code condition} every 100 ms until true or {@code timeout}; then fails with {@code what}. */
    public static void waitFor(Duration timeout, java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(100); // a poll interval, not a wait for something
        }
    }

    private String call(String method, String path, String body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The string {@code value} of a WebDriver answer (scanned by hand: a screenshot is megabytes long). */
    private static String stringValue(String answer) throws IOException {
        Matcher m = VALUE_START.matcher(answer);
        if (m.find()) {
            int start = m.end();
            for (int i = start; i < answer.length(); i++) {
                char c = answer.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    return unescape(answer.substring(start, i));
                }
            }
        }
        throw new IOException("no string value in " + (answer.length() > 300 ? answer.substring(0, 300) : answer));
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n': out.append('\n'); break;
                case 't': out.append('\t'); break;
                case 'r': out.append('\r'); break;
                case 'u': out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16)); i += 4; break;
                default: out.append(n);
            }
        }
        return out.toString();
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
