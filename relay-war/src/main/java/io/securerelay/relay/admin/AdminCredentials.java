package io.securerelay.relay.admin;

import io.securerelay.relay.config.RelayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The admin console's one account: the user from {@link RelayConfig#ADMIN_USER}, the SHA-256 of
 * the password from {@link RelayConfig#ADMIN_PASSWORD_SHA256}. Without a configured hash a random
 * password is generated at startup and logged once (marker {@link RelayConfig#ADMIN_PASSWORD_MARKER});
 * only its hash stays in memory. Checks compare hashes in constant time.
 */
@ApplicationScoped
public class AdminCredentials {

    private static final Logger LOG = Logger.getLogger(AdminCredentials.class.getName());

    private byte[] userHash;
    private byte[] passwordHash;

    /** Reads the credentials (or generates a password) when the application starts. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        init(ConfigProvider.getConfig(), new SecureRandom());
    }

    synchronized void init(Config config, SecureRandom random) {
        String user = config.getOptionalValue(RelayConfig.ADMIN_USER, String.class)
                .filter(u -> !u.isBlank()).orElse(RelayConfig.ADMIN_USER_DEFAULT);
        Optional<String> hash = config.getOptionalValue(RelayConfig.ADMIN_PASSWORD_SHA256, String.class)
                .map(String::trim).filter(h -> !h.isEmpty());
        userHash = sha256(user);
        if (hash.isPresent()) {
            String hex = hash.get().toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("invalid relay setting: " + RelayConfig.ADMIN_PASSWORD_SHA256
                        + " must be 64 hex digits (the SHA-256 of the password)");
            }
            passwordHash = HexFormat.of().parseHex(hex);
            LOG.info(() -> "admin console: user '" + user + "', password from " + RelayConfig.ADMIN_PASSWORD_SHA256);
        } else {
            byte[] secret = new byte[18];
            random.nextBytes(secret);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            passwordHash = sha256(password);
            // The one place a password is logged, on purpose: no password was configured, and the
            // operator needs this one to log in. It is never logged again and not kept.
            LOG.warning(RelayConfig.ADMIN_PASSWORD_MARKER + " admin console /admin: user '" + user
                    + "', generated password " + password + " (shown once; set " + RelayConfig.ADMIN_PASSWORD_SHA256
                    + " to choose one)");
        }
    }

    /** Whether {@code user} and {@code password} are the configured ones; constant time in their content. */
    public boolean check(String user, String password) {
        if (user == null || password == null) {
            return false;
        }
        byte[] u;
        byte[] p;
        synchronized (this) {
            u = userHash;
            p = passwordHash;
        }
        if (u == null || p == null) {
            return false;
        }
        // Both compared every time (&, not &&), so the time does not tell which one was wrong.
        return MessageDigest.isEqual(u, sha256(user)) & MessageDigest.isEqual(p, sha256(password));
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is in every JDK", e);
        }
    }
}
