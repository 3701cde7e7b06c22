package io.securerelay.desk;

import io.securerelay.client.ClientApp;
import io.securerelay.client.ExitCodes;
import io.securerelay.client.Main;
import io.securerelay.client.internal.RelayLink;
import io.securerelay.client.internal.Tls;
import io.securerelay.crypto.CryptoProviders;
import io.securerelay.desk.engine.DeskEngine;
import io.securerelay.desk.store.DeskDatabaseConfig;
import io.securerelay.desk.store.DeskStore;
import io.securerelay.desk.store.DeskStoreException;
import io.securerelay.desk.store.JdbcDeskStore;
import io.securerelay.desk.web.ApiToken;
import io.securerelay.desk.web.DeskWebServer;
import io.securerelay.identity.KeyFileException;
import io.securerelay.keystore.IdentityKeyFiles;
import io.securerelay.keystore.LocalIdentity;
import io.securerelay.keystore.PasswordPrompt;
import io.securerelay.keystore.RoutingKeyFiles;
import io.securerelay.keystore.ScryptParams;
import io.securerelay.protocol.relay.RoutingKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * The bank desk process (a CDI bean): the bank's identity and stable session ID, the database, the
 * engine over one relay connection, and the web listener for the back office and the agents.
 */
@ApplicationScoped
public class DeskApp {

    private static final Logger LOG = Logger.getLogger(DeskApp.class.getName());
    static final String ROLE = "bank";

    /** The desk's configuration, from {@link DeskCommand}. */
    public record Options(List<URI> relays, Path keyDir, Path caFile, String pin, DeskDatabaseConfig database,
            InetSocketAddress listen, boolean allowRemote, Path tlsKeystore, Path tlsPasswordFile, Path tokenFile,
            String passwordEnv, Level logLevel) {

        static Options of(DeskCommand c) {
            Path keyDir = c.keyDir != null ? c.keyDir : ClientApp.defaultKeyDir();
            Path deskDir = keyDir.resolve("bank_desk");
            DeskDatabaseConfig db;
            if (c.db == null) {
                if (c.dbUser != null || c.dbPasswordFile != null || c.dbPasswordEnv != null) {
                    throw new IllegalArgumentException("--db-user and the database password go with --db");
                }
                db = DeskDatabaseConfig.h2(deskDir);
            } else if (c.dbPasswordFile != null && c.dbPasswordEnv != null) {
                throw new IllegalArgumentException("give the database password once: a file or an environment variable");
            } else if (c.dbPasswordEnv != null) {
                db = DeskDatabaseConfig.withPasswordVariable(c.db, user(c), c.dbPasswordEnv);
            } else if (c.dbPasswordFile != null) {
                db = DeskDatabaseConfig.withPasswordFile(c.db, user(c), c.dbPasswordFile);
            } else if (c.db.startsWith("jdbc:h2:")) {
                db = DeskDatabaseConfig.h2Url(c.db);
            } else {
                throw new IllegalArgumentException("a PostgreSQL database needs --db-password-file or --db-password-env");
            }
            if (c.tlsKeystore != null && c.tlsPasswordFile == null) {
                throw new IllegalArgumentException("--tls-keystore needs --tls-password-file");
            }
            return new Options(List.copyOf(c.relays), keyDir, c.caFile, c.pin, db, address(c.listen), c.allowRemote,
                    c.tlsKeystore, c.tlsPasswordFile, c.tokenFile != null ? c.tokenFile : deskDir.resolve("api-token"),
                    c.passwordEnv, Main.parseLevel(c.logLevel));
        }

        private static String user(DeskCommand c) {
            if (c.dbUser == null) {
                throw new IllegalArgumentException("--db needs --db-user");
            }
            return c.dbUser;
        }

        private static InetSocketAddress address(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("--listen is HOST:PORT, e.g. 127.0.0.1:8766");
            }
            String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--listen: '" + hostPort.substring(colon + 1) + "' is not a port");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--listen: port " + port + " is out of range");
            }
            try {
                return new InetSocketAddress(InetAddress.getByName(host), port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--listen: unknown host " + host);
            }
        }
    }

    @Inject
    CryptoProviders providers;

    /** Runs the desk until it is stopped (SIGTERM) or can no longer work; returns the exit code. */
    public int run(Options options, PrintStream out) throws InterruptedException {
        SecureRandom random = providers.secureRandom();
        Clock clock = providers.clock();

        LocalIdentity local;
        RoutingKey routingKey;
        try {
            Files.createDirectories(options.keyDir());
            local = IdentityKeyFiles.loadOrCreateLocal(options.keyDir(), ROLE, prompt(options), ScryptParams.DEFAULT, random);
            routingKey = RoutingKeyFiles.loadOrCreate(options.keyDir(), ROLE, random);
        } catch (KeyFileException | IOException e) {
            out.println("problem key-file " + e.getMessage());
            return ExitCodes.KEY_FILE;
        }
        SSLContext tls;
        try {
            tls = Tls.context(options.caFile(), options.pin());
        } catch (Tls.TlsSetupException e) {
            out.println("problem tls " + e.getMessage());
            return ExitCodes.TLS;
        }
        DeskStore store;
        try {
            store = JdbcDeskStore.open(options.database());
        } catch (DeskStoreException e) {
            out.println("problem database " + e.getMessage());
            return ExitCodes.DATABASE;
        }
        DeskEngine engine = new DeskEngine(local.identity(), routingKey.sessionId(), store,
                (listener, timer) -> new RelayLink(options.relays(), tls, routingKey, listener, timer, random),
                random, clock, DeskEngine.Settings.defaults());
        DeskWebServer web;
        ApiToken.Loaded token;
        try {
            token = ApiToken.load(options.tokenFile(), random);
            DeskWebServer.Builder b = DeskWebServer.builder(engine, token.token())
                    .bind(options.listen().getAddress().getHostAddress()).port(options.listen().getPort())
                    .allowNonLoopback(options.allowRemote()).random(random).clock(clock);
            if (options.tlsKeystore() != null) {
                b.tls(options.tlsKeystore(), firstLine(options.tlsPasswordFile()));
            }
            web = b.start();
        } catch (IOException | RuntimeException e) {
            out.println("problem listener the desk's web listener on " + options.listen() + " cannot start: " + e.getMessage());
            engine.close();
            store.close();
            return ExitCodes.LISTENER;
        }
        Thread stop = new Thread(() -> shutdown(web, engine, store), "desk-shutdown");
        Runtime.getRuntime().addShutdownHook(stop);
        CompletableFuture<Integer> finished = engine.start();
        out.println("identity bank " + local.identity().publicKey().fingerprint());
        out.println("session " + routingKey.sessionId().toHex());
        out.println("database " + store.describe());
        out.println("desk ready at " + web.uri().resolve("desk/") + " (bank session ID " + routingKey.sessionId().toHex()
                + "; customers call it with: customer --peer " + routingKey.sessionId().toHex() + ")");
        if (token.created()) {
            out.println("login token " + token.secretIfCreated() + " (shown once; kept in " + options.tokenFile() + ")");
        } else {
            out.println("login token in " + (System.getenv(ApiToken.ENV) != null ? "$" + ApiToken.ENV : options.tokenFile()));
        }
        out.flush();
        try {
            int code = finished.get();
            if (code != ExitCodes.OK) {
                out.println("problem relay the desk stopped: see its log");
            }
            return code;
        } catch (ExecutionException e) {
            throw new AssertionError("the desk's future never fails", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
                shutdown(web, engine, store);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    private static char[] firstLine(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
        return lines.isEmpty() ? new char[0] : lines.get(0).toCharArray();
    }

    private static void shutdown(DeskWebServer web, DeskEngine engine, DeskStore store) {
        try {
            web.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "web close: {0}", e.toString());
        }
        engine.close();
        store.close();
    }

    private static PasswordPrompt prompt(Options options) {
        return (file, creating) -> {
            if (creating) {
                return null;
            }
            if (options.passwordEnv() != null) {
                String v = System.getenv(options.passwordEnv());
                return v == null ? null : v.toCharArray();
            }
            java.io.Console console = System.console();
            return console == null ? null : console.readPassword("Password for %s: ", file.getFileName());
        };
    }
}
