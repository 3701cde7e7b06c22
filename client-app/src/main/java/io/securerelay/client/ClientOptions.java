package io.securerelay.client;

import io.securerelay.protocol.relay.SessionId;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;

/**
 * Everything the client is configured with: the one options class (filled from the command line
 * by {@link Main}). Immutable.
 *
 * @param role           {@code bank} or {@code customer}
 * @param relays         relay URLs, tried in order (failover)
 * @param keyDir         where identity keys, the peer's key and the outbox live
 * @param caFile         PEM CA certificate the relay's certificate must chain to (unless pinned)
 * @param pinSha256      optional SHA-256 fingerprint (hex) the relay's leaf certificate must have
 * @param clientCert     optional PKCS12 file with this client's key and certificate, presented to a
 *                       relay that requires mutual TLS
 * @param clientCertPasswordEnv  name of an environment variable holding the password of {@code clientCert}
 * @param clientCertPasswordFile file whose first line is the password of {@code clientCert}
 * @param peer           the peer's session ID if known (then this client starts the handshake)
 * @param dummyMin       shortest interval between dummy messages
 * @param dummyMax       longest interval between dummy messages ({@link Duration#ZERO}: no dummies)
 * @param logLevel       level of the client's own log (stderr)
 * @param batch          machine-readable output, messages from {@code script} or stdin, no prompts
 * @param script         batch: file with one message a line (restart-safe: line N is message N)
 * @param expect         batch: finish once this many messages from the peer were delivered
 * @param deadline       batch: give up (exit {@link ExitCodes#TIMEOUT}) after this long
 * @param passwordEnv    name of an environment variable holding the key password (batch use)
 * @param protectKey     create a new identity key protected by a password (asked, or from passwordEnv)
 */
public record ClientOptions(
        String role,
        List<URI> relays,
        Path keyDir,
        Path caFile,
        String pinSha256,
        Path clientCert,
        String clientCertPasswordEnv,
        Path clientCertPasswordFile,
        SessionId peer,
        Duration dummyMin,
        Duration dummyMax,
        Level logLevel,
        boolean batch,
        Path script,
        long expect,
        Duration deadline,
        String passwordEnv,
        boolean protectKey) {

    public static final List<String> ROLES = List.of("bank", "customer");

    public ClientOptions {
        Objects.requireNonNull(role, "role");
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("role must be bank or customer, not '" + role + "'");
        }
        relays = List.copyOf(relays);
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("at least one relay URL is needed");
        }
        Objects.requireNonNull(keyDir, "keyDir");
        if (clientCertPasswordEnv != null && clientCertPasswordFile != null) {
            throw new IllegalArgumentException("give the client certificate's password once: an environment variable or a file");
        }
        if (clientCert == null && (clientCertPasswordEnv != null || clientCertPasswordFile != null)) {
            throw new IllegalArgumentException("a client certificate password without --client-cert");
        }
        if (dummyMax.compareTo(dummyMin) < 0) {
            throw new IllegalArgumentException("dummy interval: the maximum is below the minimum");
        }
    }

    /** The other role: the peer this client talks to. */
    public String peerRole() {
        return role.equals("bank") ? "customer" : "bank";
    }

    /** Whether cover traffic is on. */
    public boolean dummiesEnabled() {
        return !dummyMax.isZero();
    }
}
