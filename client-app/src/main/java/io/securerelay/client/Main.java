package io.securerelay.client;

import io.securerelay.protocol.relay.SessionId;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code java -jar client-app.jar bank|customer [options]}. */
@Command(name = "client-app.jar", mixinStandardHelpOptions = true, version = "secure-relay client 0.1.0",
        sortOptions = false, subcommands = io.securerelay.desk.DeskCommand.class,
        description = {"The bank or customer client of secure-relay: end-to-end encrypted messages through the relay.",
                "Exit codes: 0 ok, 1 internal error, 2 usage, 3 TLS/certificate, 4 relay unreachable,",
                "5 peer key changed, 7 key file or password, 8 batch deadline passed."})
public final class Main implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "ROLE", description = "bank or customer (or the subcommand desk: the bank desk; desk --help)")
    String role;

    @Option(names = "--relay", paramLabel = "URL", description = "relay URL; repeat for failover (default: ${DEFAULT-VALUE})",
            defaultValue = "wss://localhost:8765/relay", split = ",")
    List<URI> relays;

    @Option(names = "--key-dir", paramLabel = "DIR", description = "identity keys, the peer's key and the outbox (default: ~/.secure-relay/keys)")
    Path keyDir;

    @Option(names = "--ca", paramLabel = "PEM", description = "CA certificate the relay must present a certificate from (default: ${DEFAULT-VALUE})",
            defaultValue = "certs/generated/ca.pem")
    Path caFile;

    @Option(names = "--pin-sha256", paramLabel = "HEX", description = "accept only the relay certificate with this SHA-256 fingerprint (instead of --ca)")
    String pin;

    @Option(names = "--client-cert", paramLabel = "P12",
            description = "present this client certificate (PKCS12 key and certificate) to a relay that requires mutual TLS")
    Path clientCert;

    @Option(names = "--client-cert-password-env", paramLabel = "VAR",
            description = "read the --client-cert password from this environment variable")
    String clientCertPasswordEnv;

    @Option(names = "--client-cert-password-file", paramLabel = "FILE",
            description = "read the --client-cert password from the first line of FILE (e.g. certs/generated/bank-client.pass)")
    Path clientCertPasswordFile;

    @Option(names = "--peer", paramLabel = "SESSION-ID", description = "the peer's session ID: call it (otherwise wait to be called, or type it)")
    String peer;

    @Option(names = "--dummy-interval", paramLabel = "MIN..MAX", defaultValue = "30s..90s",
            description = "random interval between dummy (cover) messages, e.g. 30s..90s, 50ms..200ms, or off (default: ${DEFAULT-VALUE})")
    String dummyInterval;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "WARN",
            description = "ERROR, WARN, INFO or DEBUG (DEBUG shows sequence numbers, sizes and ciphertext hashes, never keys or text)")
    String logLevel;

    @Option(names = "--batch", description = "no prompts; one event a line on stdout; messages from --script or stdin")
    boolean batch;

    @Option(names = "--script", paramLabel = "FILE", description = "batch: send each line of FILE (line N is message N, so a restart resumes)")
    Path script;

    @Option(names = "--expect", paramLabel = "N", defaultValue = "0", description = "batch: finish once N messages from the peer arrived")
    long expect;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10m", description = "batch: give up after this long (default: ${DEFAULT-VALUE})")
    String deadline;

    @Option(names = "--password-env", paramLabel = "VAR", description = "read the identity key password from this environment variable")
    String passwordEnv;

    @Option(names = "--protect-key", description = "protect a newly created identity key with a password")
    boolean protectKey;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests and {@link #main}). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(e -> ExitCodes.USAGE);
        cl.setOverwrittenOptionsAllowed(true); // the launcher's defaults come first, the user's win
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return ExitCodes.USAGE;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        ClientOptions options;
        if (role == null) {
            System.err.println("error: give the role, bank or customer (or the subcommand desk)");
            new CommandLine(this).usage(System.err);
            return ExitCodes.USAGE;
        }
        try {
            Duration[] dummies = parseInterval(dummyInterval);
            options = new ClientOptions(role.toLowerCase(Locale.ROOT), relays,
                    keyDir != null ? keyDir : ClientApp.defaultKeyDir(), caFile, pin,
                    clientCert, clientCertPasswordEnv, clientCertPasswordFile,
                    peer == null ? null : SessionId.parse(peer), dummies[0], dummies[1], parseLevel(logLevel),
                    batch, script, expect, parseDuration(deadline), passwordEnv, protectKey);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        configureLogging(options.logLevel());
        Weld weld = new Weld().property("org.jboss.weld.se.archive.isolation", false);
        try (WeldContainer container = weld.initialize()) {
            return container.select(ClientApp.class).get().run(options, System.in, System.out);
        }
    }

    /** {@code 30s..90s}, {@code 50ms..200ms}, {@code 2m..5m}, or {@code off}. */
    static Duration[] parseInterval(String text) {
        if (text.equalsIgnoreCase("off")) {
            return new Duration[] {Duration.ZERO, Duration.ZERO};
        }
        String[] parts = text.split("\\.\\.");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--dummy-interval is MIN..MAX (e.g. 30s..90s) or off");
        }
        return new Duration[] {parseDuration(parts[0]), parseDuration(parts[1])};
    }

    /** {@code 250ms}, {@code 30s}, {@code 10m}, {@code 1h}. */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 250ms, 30s, 10m)");
    }

    public static Level parseLevel(String text) {
        return switch (text.toUpperCase(Locale.ROOT)) {
            case "ERROR" -> Level.SEVERE;
            case "WARN", "WARNING" -> Level.WARNING;
            case "INFO" -> Level.INFO;
            case "DEBUG" -> Level.FINE;
            default -> throw new IllegalArgumentException("--log-level is ERROR, WARN, INFO or DEBUG");
        };
    }

    /** The client logs to stderr; DEBUG applies to our own classes, libraries stay at WARN. */
    public static void configureLogging(Level level) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.ALL);
        handler.setFormatter(new SimpleFormatter());
        root.addHandler(handler);
        root.setLevel(level.intValue() < Level.WARNING.intValue() ? Level.WARNING : level);
        OWN_LOGGER.setLevel(level);
    }

    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final Logger OWN_LOGGER = Logger.getLogger("io.securerelay");
}
