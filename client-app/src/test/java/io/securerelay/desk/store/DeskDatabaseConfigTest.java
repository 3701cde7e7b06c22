package io.securerelay.desk.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeskDatabaseConfigTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultIsAnH2FileInTheFolder() {
        DeskDatabaseConfig c = DeskDatabaseConfig.h2(dir);
        assertEquals(DeskDatabaseConfig.Kind.H2, c.kind());
        assertEquals("jdbc:h2:file:" + dir.toAbsolutePath().resolve("desk"), c.url());
        assertEquals("H2 file " + dir.toAbsolutePath().resolve("desk.mv.db"), c.describe());
        assertEquals("", c.password());
    }

    @Test
    void anH2UrlKeepsItsOwnFileNameAndAPostgresUrlNeedsAPassword() {
        DeskDatabaseConfig c = DeskDatabaseConfig.h2Url("jdbc:h2:file:" + dir.toAbsolutePath().resolve("bank-2026"));
        assertEquals("H2 file " + dir.toAbsolutePath().resolve("bank-2026.mv.db"), c.describe());
        assertEquals(DeskDatabaseConfig.H2_DEFAULT_USER, c.user());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DeskDatabaseConfig.h2Url("jdbc:postgresql://127.0.0.1/desk"));
    }

    @Test
    void thePasswordComesFromAFileOrAVariableAndIsNeverShown() throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "Tr0ub4dor&3\n");
        DeskDatabaseConfig file = DeskDatabaseConfig.withPasswordFile(
                "jdbc:postgresql://db.example:5433/desk?sslmode=verify-full", "desk", f);
        assertEquals("Tr0ub4dor&3", file.password());
        assertEquals("PostgreSQL desk@db.example:5433/desk", file.describe());
        assertFalse(file.toString().contains("Tr0ub4dor"));
        assertTrue(file.toString().contains(f.toString()));

        DeskDatabaseConfig env = DeskDatabaseConfig.withPasswordVariable("jdbc:postgresql://10.0.0.7/desk", "desk",
                "DESK_DB_PASSWORD", Map.of("DESK_DB_PASSWORD", "correct horse")::get);
        assertEquals("correct horse", env.password());
        assertEquals("PostgreSQL desk@10.0.0.7:5432/desk", env.describe());
        assertEquals("PostgreSQL desk@localhost:5432/bank",
                DeskDatabaseConfig.withPasswordFile("jdbc:postgresql:bank", "desk", f).describe());
        assertEquals("PostgreSQL desk@[::1]:6543/bank",
                DeskDatabaseConfig.withPasswordFile("jdbc:postgresql://[::1]:6543/bank?ssl=true", "desk", f).describe());
        assertFalse(env.toString().contains("horse"));

        DeskDatabaseConfig unset = DeskDatabaseConfig.withPasswordVariable("jdbc:postgresql://h/desk", "desk", "NOPE",
                Map.<String, String>of()::get);
        assertTrue(assertThrows(DeskStoreException.class, unset::password).getMessage().contains("NOPE"));
        DeskDatabaseConfig missing = DeskDatabaseConfig.withPasswordFile("jdbc:postgresql://h/desk", "desk",
                dir.resolve("absent"));
        assertTrue(assertThrows(DeskStoreException.class, missing::password).getMessage().contains("absent"));
    }

    @Test
    void urlsThatCarryAPasswordOrAreNotSupportedAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeskDatabaseConfig
                .withPasswordFile("jdbc:postgresql://h/desk?user=desk&password=hunter2", "desk", dir));
        assertFalse(e.getMessage().contains("hunter2"), "the URL with its secret is not repeated");
        assertThrows(IllegalArgumentException.class,
                () -> DeskDatabaseConfig.withPasswordFile("jdbc:mysql://h/desk", "desk", dir));
        assertThrows(IllegalArgumentException.class,
                () -> DeskDatabaseConfig.withPasswordFile("jdbc:h2:file:relative/desk", "desk", dir));
        assertThrows(IllegalArgumentException.class,
                () -> DeskDatabaseConfig.withPasswordFile("jdbc:h2:file:/x/desk;ACCESS_MODE_DATA=r", "desk", dir));
        assertThrows(IllegalArgumentException.class,
                () -> DeskDatabaseConfig.withPasswordFile("jdbc:postgresql://h/desk", " ", dir));
    }
}
