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
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The admin console's one account: the user from {@link RelayConfig#ADMIN_USER}, the salted scrypt
 * hash of the password from {@link RelayConfig#ADMIN_PASSWORD_HASH} ({@link PasswordHash}). Without a
 * configured hash a random password is generated at startup and logged once (marker
 * {@link RelayConfig#ADMIN_PASSWORD_MARKER}); only its hash stays in memory. The retired unsalted
 * {@link RelayConfig#ADMIN_PASSWORD_SHA256} stops the start with a sentence saying how to make the
 * new one. Checks compare in constant time; at most {@value #CONCURRENT_CHECKS} scrypt runs (32 MiB
 * each) at once, whatever the number of login attempts (the {@link LoginThrottle} slows each address).
 */
@ApplicationScoped
public class AdminCredentials {

    private static final Logger LOG = Logger.getLogger(AdminCredentials.class.getName());

    /** How many password checks run at once (each is one scrypt: 32 MiB, about 0.1 s). */
    static final int CONCURRENT_CHECKS = 2;

    private final java.util.concurrent.Semaphore checks = new java.util.concurrent.Semaphore(CONCURRENT_CHECKS, true);
    private byte[] userHash;
    private PasswordHash passwordHash;

    /** Reads the credentials (or generates a password) when the application starts. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        init(ConfigProvider.getConfig(), new SecureRandom());
    }

    synchronized void init(Config config, SecureRandom random) {
        String user = config.getOptionalValue(RelayConfig.ADMIN_USER, String.class)
                .filter(u -> !u.isBlank()).orElse(RelayConfig.ADMIN_USER_DEFAULT);
        if (config.getOptionalValue(RelayConfig.ADMIN_PASSWORD_SHA256, String.class).filter(h -> !h.isBlank()).isPresent()) {
            throw new IllegalArgumentException("retired relay setting: " + RelayConfig.ADMIN_PASSWORD_SHA256
                    + " (an unsalted SHA-256 of the admin password) is no longer accepted; remove it and set "
                    + RelayConfig.ADMIN_PASSWORD_HASH + " to the salted scrypt hash that ./secure-relay admin-password"
                    + " prints (README, \"The admin password\")");
        }
        Optional<String> hash = config.getOptionalValue(RelayConfig.ADMIN_PASSWORD_HASH, String.class)
                .map(String::trim).filter(h -> !h.isEmpty());
        userHash = sha256(user);
        if (hash.isPresent()) {
            try {
                passwordHash = PasswordHash.parse(hash.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid relay setting: " + RelayConfig.ADMIN_PASSWORD_HASH + ": "
                        + e.getMessage() + " (make one with ./secure-relay admin-password)");
            }
            LOG.info(() -> "admin console: user '" + user + "', password from " + RelayConfig.ADMIN_PASSWORD_HASH
                    + " (" + passwordHash + ")");
        } else {
            byte[] secret = new byte[18];
            random.nextBytes(secret);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            passwordHash = PasswordHash.create(password.toCharArray(), random);
            // The one place a password is logged, on purpose: no password was configured, and the
            // operator needs this one to log in. It is never logged again and not kept.
            LOG.warning(RelayConfig.ADMIN_PASSWORD_MARKER + " admin console /admin: user '" + user
                    + "', generated password " + password + " (shown once; set " + RelayConfig.ADMIN_PASSWORD_HASH
                    + " to choose one: ./secure-relay admin-password)");
        }
    }

    /** Whether {@code user} and {@code password} are the configured ones; constant time in their content. */
    public boolean check(String user, String password) {
        if (user == null || password == null) {
            return false;
        }
        byte[] u;
        PasswordHash p;
        synchronized (this) {
            u = userHash;
            p = passwordHash;
        }
        if (u == null || p == null) {
            return false;
        }
        char[] chars = password.toCharArray();
        checks.acquireUninterruptibly();
        try {
            // Both checked every time (&, not &&), so the time does not tell which one was wrong.
            return MessageDigest.isEqual(u, sha256(user)) & p.matches(chars);
        } finally {
            checks.release();
            java.util.Arrays.fill(chars, '\0');
        }
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is in every JDK", e);
        }
    }
}
