package io.securerelay.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.relay.config.RelayConfig;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

class AdminCredentialsTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A MicroProfile Config holding only {@code values} (getOptionalValue is all AdminCredentials asks). */
    static Config config(Map<String, String> values) {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getOptionalValue")) {
                        return Optional.ofNullable(values.get((String) args[0]));
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theConfiguredHashAdmitsItsUserAndPasswordOnly() {
        AdminCredentials c = new AdminCredentials();
        c.init(config(Map.of(RelayConfig.ADMIN_USER, "operator",
                RelayConfig.ADMIN_PASSWORD_HASH, PasswordHash.create("s3cret pw".toCharArray(), RANDOM).encoded())), RANDOM);
        assertTrue(c.check("operator", "s3cret pw"));
        assertFalse(c.check("operator", "s3cret pW"));
        assertFalse(c.check("admin", "s3cret pw"));
        assertFalse(c.check(null, "s3cret pw"));
        assertFalse(c.check("operator", null));
    }

    @Test
    void theRetiredUnsaltedSha256StopsTheStartSayingHowToMakeTheNewHash() {
        AdminCredentials c = new AdminCredentials();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.init(config(Map.of(
                RelayConfig.ADMIN_PASSWORD_SHA256, "2792149a6836e37b1fa98b4863984f7cd3f04aaeb9af72e94567eeb04214e4a7")),
                RANDOM));
        assertTrue(e.getMessage().contains("retired relay setting: relay.admin.password-sha256"), e.getMessage());
        assertTrue(e.getMessage().contains("relay.admin.password-hash") && e.getMessage().contains("./secure-relay admin-password"),
                e.getMessage());
        assertFalse(e.getMessage().contains("2792149a"), "the old hash is not echoed");
        assertFalse(c.check("admin", "relay-it-admin-password"), "and nobody gets in");
    }

    @Test
    void anInvalidHashStopsTheStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdminCredentials().init(
                config(Map.of(RelayConfig.ADMIN_PASSWORD_HASH, "scrypt$1$1$1$x$y")), RANDOM));
        assertTrue(e.getMessage().startsWith("invalid relay setting: relay.admin.password-hash"), e.getMessage());
    }

    @Test
    void withoutAHashAPasswordIsGeneratedShownOnceAndWorks() {
        Logger log = Logger.getLogger(AdminCredentials.class.getName());
        List<String> lines = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        try {
            AdminCredentials c = new AdminCredentials();
            c.init(config(Map.of()), RANDOM);
            assertEquals(1, lines.size(), lines.toString());
            String line = lines.get(0);
            assertTrue(line.startsWith(RelayConfig.ADMIN_PASSWORD_MARKER), line);
            String password = line.replaceFirst(".*generated password (\\S+) .*", "$1");
            assertTrue(c.check("admin", password));
            assertFalse(c.check("admin", password + "x"));
        } finally {
            log.removeHandler(h);
        }
    }
}
