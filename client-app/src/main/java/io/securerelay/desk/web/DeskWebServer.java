package io.securerelay.desk.web;

import io.securerelay.desk.Desk;
import io.securerelay.desk.web.internal.AuthFilter;
import io.securerelay.desk.web.internal.BodyLimit;
import io.securerelay.desk.web.internal.CustomersResource;
import io.securerelay.desk.web.internal.EventHub;
import io.securerelay.desk.web.internal.EventsResource;
import io.securerelay.desk.web.internal.GuiResource;
import io.securerelay.desk.web.internal.JsonbResolver;
import io.securerelay.desk.web.internal.LoginThrottle;
import io.securerelay.desk.web.internal.OpenApiResource;
import io.securerelay.desk.web.internal.ProblemMappers;
import io.securerelay.desk.web.internal.SecurityHeaders;
import io.securerelay.desk.web.internal.SessionResource;
import io.securerelay.desk.web.internal.SessionStore;
import io.securerelay.desk.web.internal.StatusResource;
import io.securerelay.desk.web.internal.WebContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.jsonb.JsonBindingFeature;
import org.glassfish.jersey.media.sse.SseFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The bank desk over HTTP: the REST API under {@code /api/v1}, its OpenAPI description at
 * {@code /api/openapi.json}, server-sent events at {@code /api/v1/events} and the agents' web GUI at
 * {@code /desk/}, on Jersey over Grizzly. Every listener authenticates (bearer token or the GUI's
 * session cookie). Bound to {@code 127.0.0.1} by default; any other address needs
 * {@link Builder#allowNonLoopback} and TLS. Over TLS (a PKCS12 keystore) only TLS 1.3 and 1.2 with
 * ECDHE and AEAD suites. docs/DESK-API.md describes the API.
 */
public final class DeskWebServer implements AutoCloseable {
    /** The default bind address: loopback only. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** The default port, as {@code ./secure-relay desk} uses it (the relay's loopback HTTP port is 8766); 0 takes a free one. */
    public static final int DEFAULT_PORT = 8780;
    public static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The resource classes the server serves (the OpenAPI test reads their annotations). */
    public static final List<Class<?>> RESOURCES = List.of(StatusResource.class, CustomersResource.class,
            EventsResource.class, SessionResource.class, OpenApiResource.class, GuiResource.class);

    private static final Logger LOG = Logger.getLogger(DeskWebServer.class.getName());
    /**
     * Jersey warns at start that each resource registered as an instance "implements no provider
     * interface" (it serves them as resources all the same) and that jakarta.activation is missing (the
     * desk writes no DataSource): noise for an operator. Held here so that the level stays set.
     */
    private static final List<Logger> QUIETED = List.of(
            Logger.getLogger("org.glassfish.jersey.internal.inject.Providers"),
            Logger.getLogger("org.glassfish.jersey.message.internal.MessagingBinders"));

    static {
        QUIETED.forEach(l -> l.setLevel(Level.SEVERE));
    }

    private final HttpServer server;
    private final EventHub hub;
    private final JsonbResolver jsonb;
    private final URI uri;

    private DeskWebServer(Builder b) throws IOException {
        InetAddress bind = InetAddress.getByName(b.bind);
        boolean tls = b.keystore != null;
        if (!bind.isLoopbackAddress()) {
            if (!b.allowNonLoopback) {
                throw new IllegalArgumentException("the desk binds to loopback only unless allowed (" + b.bind
                        + " is not a loopback address)");
            }
            if (!tls) {
                throw new IllegalArgumentException("the desk serves plain HTTP on loopback only: give a keystore to bind "
                        + b.bind);
            }
        }
        SSLEngineConfigurator ssl = tls ? sslConfig(b.keystore, b.keystorePassword) : null;
        WebContext web = new WebContext(b.token, new SessionStore(b.clock, b.random, b.sessionLifetime),
                new LoginThrottle(b.clock), tls);
        hub = new EventHub(b.desk, b.heartbeat);
        jsonb = new JsonbResolver();
        ResourceConfig config = new ResourceConfig()
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                .property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true)
                .register(JsonBindingFeature.class)
                .register(SseFeature.class)
                .register(jsonb)
                .register(new AuthFilter(web))
                .register(new SecurityHeaders(tls && !bind.isLoopbackAddress()))
                .register(new BodyLimit())
                .register(ProblemMappers.DeskRefusal.class)
                .register(ProblemMappers.JaxRs.class)
                .register(ProblemMappers.BadJson.class)
                .register(ProblemMappers.Processing.class)
                .register(ProblemMappers.Unexpected.class)
                .register(new StatusResource(b.desk))
                .register(new CustomersResource(b.desk))
                .register(new EventsResource(hub))
                .register(new SessionResource(web))
                .register(new OpenApiResource())
                .register(new GuiResource());
        String host = bind.getHostAddress().contains(":") ? "[" + bind.getHostAddress() + "]" : bind.getHostAddress();
        URI base = URI.create((tls ? "https://" : "http://") + host + ":" + b.port + "/");
        try {
            server = GrizzlyHttpServerFactory.createHttpServer(base, config, tls, ssl, false);
            server.start();
        } catch (IOException | RuntimeException e) {
            hub.close();
            throw e;
        }
        int port = server.getListeners().iterator().next().getPort();
        uri = URI.create((tls ? "https://" : "http://") + host + ":" + port + "/");
        LOG.log(Level.INFO, "desk web: listening on {0} ({1})", new Object[] {uri, tls ? "TLS 1.3/1.2" : "plain HTTP, loopback"});
    }

    public static Builder builder(Desk desk, ApiToken token) {
        return new Builder(desk, token);
    }

    /** The server's base URI with the bound port, e.g. {@code https://127.0.0.1:8443/}; the GUI is at {@code desk/}. */
    public URI uri() {
        return uri;
    }

    public int port() {
        return uri.getPort();
    }

    @Override
    public void close() {
        hub.close();
        server.shutdownNow();
        try {
            jsonb.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "desk web: closing JSON-B: {0}", e.getClass().getName());
        }
    }

    private static SSLEngineConfigurator sslConfig(Path keystore, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            String[] suites = Arrays.stream(ctx.getSupportedSSLParameters().getCipherSuites())
                    .filter(s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")
                            || (s.startsWith("TLS_ECDHE_") && (s.contains("_GCM_") || s.contains("CHACHA20"))))
                    .toArray(String[]::new);
            SSLEngineConfigurator c = new SSLEngineConfigurator(ctx, false, false, false);
            c.setEnabledProtocols(TLS_PROTOCOLS.toArray(String[]::new));
            c.setEnabledCipherSuites(suites);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IOException("the desk's keystore " + keystore + " cannot be used: " + e.getClass().getSimpleName(), e);
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** How to start a {@link DeskWebServer}; loopback, port {@value #DEFAULT_PORT}, plain HTTP unless a keystore is given. */
    public static final class Builder {
        private final Desk desk;
        private final ApiToken token;
        private String bind = DEFAULT_BIND;
        private int port = DEFAULT_PORT;
        private boolean allowNonLoopback;
        private Path keystore;
        private char[] keystorePassword;
        private Clock clock = Clock.systemUTC();
        private SecureRandom random = new SecureRandom();
        private Duration sessionLifetime = Duration.ofHours(8);
        private Duration heartbeat = Duration.ofSeconds(15);

        private Builder(Desk desk, ApiToken token) {
            this.desk = Objects.requireNonNull(desk, "desk");
            this.token = Objects.requireNonNull(token, "token");
        }

        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** 0 takes a free port ({@link DeskWebServer#port()} tells which). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("a port is 0 to 65535");
            }
            this.port = port;
            return this;
        }

        /** Allows a non-loopback bind address (with TLS only). */
        public Builder allowNonLoopback(boolean allow) {
            this.allowNonLoopback = allow;
            return this;
        }

        /** Serves HTTPS with the key and certificate of this PKCS12 keystore (the password array is wiped once read). */
        public Builder tls(Path pkcs12, char[] password) {
            this.keystore = Objects.requireNonNull(pkcs12, "pkcs12");
            this.keystorePassword = password == null ? null : password.clone();
            if (password != null) {
                Arrays.fill(password, '\0');
            }
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public Builder sessionLifetime(Duration lifetime) {
            this.sessionLifetime = Objects.requireNonNull(lifetime, "lifetime");
            return this;
        }

        /** How often an idle event stream gets a comment line (15 s by default). */
        public Builder heartbeat(Duration every) {
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("a heartbeat interval is positive");
            }
            this.heartbeat = every;
            return this;
        }

        /**
         * @throws IllegalArgumentException a non-loopback address without {@link #allowNonLoopback} or without TLS
         * @throws UnknownHostException if the bind address does not resolve
         * @throws IOException if the port is taken or the keystore cannot be read
         */
        public DeskWebServer start() throws IOException {
            return new DeskWebServer(this);
        }
    }
}
