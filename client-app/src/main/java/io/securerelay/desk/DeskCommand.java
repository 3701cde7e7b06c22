package io.securerelay.desk;

import io.securerelay.client.ExitCodes;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar client-app.jar desk [options]}: the bank desk (see {@link DeskApp}). */
@Command(name = "desk", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The bank desk: one bank identity serving many customers at once, with a database,",
                "a REST API for the back office and a web GUI for agents (loopback only by default)."})
public final class DeskCommand implements Callable<Integer> {

    @Option(names = "--relay", paramLabel = "URL", split = ",", defaultValue = "wss://localhost:8765/relay",
            description = "relay URL; repeat for failover (default: ${DEFAULT-VALUE})")
    List<URI> relays;

    @Option(names = "--key-dir", paramLabel = "DIR",
            description = "the bank's identity key (bank_identity_keys.json) and the desk's folder (default: ~/.secure-relay/keys)")
    Path keyDir;

    @Option(names = "--ca", paramLabel = "PEM", defaultValue = "certs/generated/ca.pem",
            description = "CA certificate of the relay's certificate (default: ${DEFAULT-VALUE})")
    Path caFile;

    @Option(names = "--pin-sha256", paramLabel = "HEX", description = "accept only the relay certificate with this SHA-256 fingerprint")
    String pin;

    @Option(names = "--db", paramLabel = "JDBC-URL",
            description = "the database: jdbc:h2:file:<absolute path> or jdbc:postgresql://host:port/db?sslmode=verify-full&sslrootcert=<ca>"
                    + " (default: an H2 file in <key-dir>/bank_desk/)")
    String db;

    @Option(names = "--db-user", paramLabel = "USER", description = "the database user (PostgreSQL)")
    String dbUser;

    @Option(names = "--db-password-file", paramLabel = "FILE", description = "file holding the database password")
    Path dbPasswordFile;

    @Option(names = "--db-password-env", paramLabel = "VAR", description = "environment variable holding the database password")
    String dbPasswordEnv;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8780",
            description = "where the API and the web GUI listen (default: ${DEFAULT-VALUE}; port 0: any free port)")
    String listen;

    @Option(names = "--allow-remote", description = "allow --listen on an address other than loopback (only with --tls-keystore: the desk refuses plain HTTP there)")
    boolean allowRemote;

    @Option(names = "--tls-keystore", paramLabel = "P12", description = "serve the API and GUI over HTTPS with this PKCS12 key and certificate")
    Path tlsKeystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "file holding the --tls-keystore password")
    Path tlsPasswordFile;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "the API token (made if missing, mode 0600; default: <key-dir>/bank_desk/api-token); $DESK_API_TOKEN wins")
    Path tokenFile;

    @Option(names = "--password-env", paramLabel = "VAR", description = "read the bank identity key's password from this environment variable")
    String passwordEnv;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "INFO", description = "ERROR, WARN, INFO or DEBUG (default: ${DEFAULT-VALUE})")
    String logLevel;

    @Override
    public Integer call() throws Exception {
        DeskApp.Options options;
        try {
            options = DeskApp.Options.of(this);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        io.securerelay.client.Main.configureLogging(options.logLevel());
        Weld weld = new Weld().property("org.jboss.weld.se.archive.isolation", false);
        try (WeldContainer container = weld.initialize()) {
            return container.select(DeskApp.class).get().run(options, System.out);
        }
    }
}
