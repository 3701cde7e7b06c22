package io.securerelay.relay.testkit;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * What every relay IT deploys and where it finds it: the WAR exactly as {@code package} built it,
 * on the TLS port the build reserved ({@code relay.test.sslport}).
 */
public final class RelayTestDeployment {

    private RelayTestDeployment() {
    }

    /** The built relay.war (system property {@code relay.war}), for {@code @Deployment(testable = false)}. */
    public static WebArchive builtWar() {
        return ShrinkWrap.create(ZipImporter.class, "relay.war")
                .importFrom(new File(System.getProperty("relay.war")))
                .as(WebArchive.class);
    }

    /** {@code https://localhost:<sslport>}. */
    public static String httpsBase() {
        return "https://localhost:" + System.getProperty("relay.test.sslport");
    }

    /**
     * The value of one un-tagged metric of the deployed relay (e.g. {@code relay_flushes_deferred}),
     * read from its Prometheus output at {@code /metrics}; fails the test if it is missing.
     */
    public static double metric(String name) throws Exception {
        return metric(name, "");
    }

    /**
     * The value of one metric with the tag {@code tag="value"} (e.g. {@code relay_container_hook},
     * {@code hook}, {@code tyrus-idle-timers}); fails the test if it is missing.
     */
    public static double metric(String name, String tag, String value) throws Exception {
        return metric(name, "\\{[^}]*" + Pattern.quote(tag + "=\"" + value + "\"") + "[^}]*\\}");
    }

    private static double metric(String name, String tagsPattern) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(TestTls.trustingProjectCa())
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpsBase() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /metrics answered " + r.statusCode() + ": " + r.body());
        }
        String tags = tagsPattern.isEmpty() ? "(?:\\{[^}]*\\})?" : tagsPattern;
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + tags + "\\s+([0-9.Ee+-]+)", Pattern.MULTILINE)
                .matcher(r.body());
        if (!m.find()) {
            throw new AssertionError(name + (tagsPattern.isEmpty() ? "" : " " + tagsPattern)
                    + " is not in the relay's metrics");
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * Whether the relay of this run has its container hooks on (the default), or off
     * ({@code relay.container-hooks=false} in the system property {@code relay.test.jvm.extra}
     * that the failsafe execution passes to Payara).
     */
    public static boolean containerHooksOn() {
        return !System.getProperty("relay.test.jvm.extra", "").contains("relay.container-hooks=false");
    }

    /** {@code wss://localhost:<sslport>/relay}. */
    public static URI relayUri() {
        return URI.create("wss://localhost:" + System.getProperty("relay.test.sslport") + "/relay");
    }
}
