package io.securerelay.desk.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store suite on H2 in a file (the default), plus what only a file can suffer: corruption. */
class H2DeskStoreTest extends DeskStoreContract {
    @TempDir
    Path dir;

    @Override
    protected DeskDatabaseConfig newDatabase() {
        return DeskDatabaseConfig.h2(dir.resolve("db"));
    }

    @Override
    protected Connection raw(DeskDatabaseConfig config) throws Exception {
        Files.createDirectories(config.h2File().getParent());
        return DriverManager.getConnection(config.url() + ";TRACE_LEVEL_FILE=0", config.user(), "");
    }

    /** The SHA-256 of every file in the database's folder, by name. */
    @Override
    protected Object snapshot(DeskDatabaseConfig config) throws Exception {
        Map<String, String> files = new java.util.TreeMap<>();
        try (Stream<Path> all = Files.list(config.h2File().getParent())) {
            for (Path f : (Iterable<Path>) all::iterator) {
                files.put(f.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return files;
    }

    @Override
    protected List<String> childArguments(DeskDatabaseConfig config, Map<String, String> env) {
        return List.of("h2", config.h2File().getParent().toString());
    }

    @Test
    void aFileOfGarbageIsRefusedAndLeftUntouched() throws Exception {
        Files.createDirectories(db.h2File().getParent());
        byte[] garbage = new byte[64 * 1024];
        RANDOM.nextBytes(garbage);
        Files.write(db.h2File(), garbage);
        assertRefusedUntouched("not a readable H2 database");
    }

    @Test
    void aTextFileIsRefusedAndLeftUntouched() throws Exception {
        Files.createDirectories(db.h2File().getParent());
        Files.writeString(db.h2File(), "these are my notes, not a database\n", StandardCharsets.UTF_8);
        assertRefusedUntouched("not a readable H2 database");
    }

    @Test
    void aDeskFileWithDamagedHeadersIsRefusedAndLeftUntouched() throws Exception {
        try (JdbcDeskStore s = JdbcDeskStore.open(db, clock)) {
            s.outbox(s.addCustomer("Victim", session(), key(), T0).id()).enqueue("kept", 1);
        }
        byte[] noise = new byte[8192]; // both H2 file headers (at 0 and 4096)
        RANDOM.nextBytes(noise);
        try (var ch = java.nio.channels.FileChannel.open(db.h2File(), StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(noise), 0);
        }
        assertRefusedUntouched("not a readable H2 database");
    }

    @Test
    void aWrongLoginIsRefusedWithoutShowingThePassword() throws Exception {
        open().close();
        Object before = snapshot(db);
        DeskStoreException e = assertThrows(DeskStoreException.class, () -> JdbcDeskStore.open(
                DeskDatabaseConfig.withPasswordFile(db.url(), "someone", writePassword("s3cret-password-text")), clock));
        assertTrue(e.getMessage().contains(db.describe()), e.getMessage());
        assertTrue(e.getMessage().contains("user or password is wrong"), e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertTrue(!String.valueOf(t.getMessage()).contains("s3cret"), "the password is in " + t);
        }
        assertEquals(before, snapshot(db));
    }

    @Test
    void aNewDatabaseIsCreatedWithItsFolder() {
        try (JdbcDeskStore s = open()) {
            assertTrue(Files.isRegularFile(db.h2File()));
            assertEquals("H2 file " + db.h2File(), s.describe());
            assertTrue(s.customers().isEmpty());
        }
    }

    private Path writePassword(String p) throws Exception {
        Path f = dir.resolve("password");
        Files.writeString(f, p + "\n");
        return f;
    }
}
