package io.securerelay.desk.store;

import io.securerelay.client.internal.Outbox;
import io.securerelay.identity.IdentityKeyPair;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * Run by {@link ShadedJarDeskStoreIT} on the shaded {@code client-app.jar} alone: creates a desk
 * database in the folder given, reopens it, and prints what Flyway applied, so the test sees that the
 * migrations and the database plugins are found inside the jar.
 */
public final class ShadedJarProbe {
    private ShadedJarProbe() {
    }

    public static void main(String[] args) throws Exception {
        DeskDatabaseConfig config = DeskDatabaseConfig.h2(Path.of(args[0]));
        long id;
        try (JdbcDeskStore s = JdbcDeskStore.open(config)) {
            id = s.addCustomer("Probe", null, IdentityKeyPair.generate(new SecureRandom()).publicKey(),
                    Instant.now()).id();
            s.outbox(id).enqueue("probe", 1);
        }
        try (JdbcDeskStore s = JdbcDeskStore.open(config)) {
            Outbox o = s.outbox(id);
            System.out.println("PROBE nextOut=" + o.nextOut() + " pending=" + o.pending().size()
                    + " flyway=" + Path.of(org.flywaydb.core.Flyway.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()));
        }
    }
}
