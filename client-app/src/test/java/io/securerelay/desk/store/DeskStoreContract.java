package io.securerelay.desk.store;

import io.securerelay.testkit.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.client.internal.Outbox;
import io.securerelay.desk.store.DeskStore.Customer;
import io.securerelay.desk.store.DeskStore.Direction;
import io.securerelay.desk.store.DeskStore.Message;
import io.securerelay.desk.store.DeskStore.Status;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.protocol.relay.SessionId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link DeskStore} suite, run on every database the desk supports (one subclass each): the same
 * tests on H2 and on a real PostgreSQL.
 */
abstract class DeskStoreContract {
    static final SecureRandom RANDOM = new SecureRandom();
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00.123456Z");
    private static final Pattern LINE = Pattern.compile("(OUT|IN|ACK) (\\d+)");

    protected final ManualClock clock = new ManualClock(T0);
    protected DeskDatabaseConfig db;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** A new, empty database the desk may use. */
    protected abstract DeskDatabaseConfig newDatabase() throws Exception;

    /** A plain connection with the desk's own login (auto-commit), to change the database behind the desk's back. */
    protected abstract Connection raw(DeskDatabaseConfig config) throws Exception;

    /** Everything in the database (or its file), to compare before and after a refused open. */
    protected abstract Object snapshot(DeskDatabaseConfig config) throws Exception;

    /** The arguments of {@link KillChild} for this database; puts any variable it needs into {@code env}. */
    protected abstract List<String> childArguments(DeskDatabaseConfig config, Map<String, String> env) throws Exception;

    @BeforeEach
    void newDb() throws Exception {
        db = newDatabase();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    JdbcDeskStore open() {
        JdbcDeskStore s = JdbcDeskStore.open(db, clock);
        open.add(s);
        return s;
    }

    static IdentityPublicKey key() {
        return IdentityKeyPair.generate(RANDOM).publicKey();
    }

    static SessionId session() {
        return SessionId.random(RANDOM);
    }

    // ---- customers --------------------------------------------------------------------------

    @Test
    void customersAreAddedAndFoundByIdSessionAndKey() {
        JdbcDeskStore s = open();
        IdentityPublicKey k1 = key();
        IdentityPublicKey k2 = key();
        SessionId s1 = session();
        Customer a = s.addCustomer("Alice", s1, k1, T0);
        Customer b = s.addCustomer("  Bob  ", null, k2, T0.plusSeconds(1));

        assertTrue(a.id() < b.id());
        assertEquals("Bob", b.label());
        assertNull(b.sessionId());
        assertEquals(Status.TRUSTED, a.status());
        assertEquals(k1, a.publicKey());
        assertNull(a.presentedKey());
        assertNull(a.presentedAt());
        assertEquals(T0, a.firstSeen());
        assertEquals(T0, a.lastSeen());
        assertEquals(a, s.customer(a.id()).orElseThrow());
        assertEquals(a, s.customerBySession(s1).orElseThrow());
        assertEquals(b, s.customerByKey(k2).orElseThrow());
        assertTrue(s.customerByKey(key()).isEmpty());
        assertTrue(s.customerBySession(session()).isEmpty());
        assertTrue(s.customer(b.id() + 100).isEmpty());
        assertEquals(List.of(a, b), s.customers());
    }

    @Test
    void aKeyOrSessionOfAnotherCustomerIsAConflictAndChangesNothing() {
        JdbcDeskStore s = open();
        IdentityPublicKey k = key();
        SessionId sid = session();
        Customer a = s.addCustomer("Alice", sid, k, T0);
        assertThrows(DeskStoreException.Conflict.class, () -> s.addCustomer("Mallory", session(), k, T0));
        assertThrows(DeskStoreException.Conflict.class, () -> s.addCustomer("Mallory", sid, key(), T0));
        Customer b = s.addCustomer("Bob", null, key(), T0);
        assertThrows(DeskStoreException.Conflict.class, () -> s.bindSession(b.id(), sid, T0));
        assertThrows(DeskStoreException.Conflict.class, () -> s.retrust(b.id(), k, T0));
        assertEquals(List.of(a, b), s.customers());
        assertThrows(IllegalArgumentException.class, () -> s.addCustomer(" ", null, key(), T0));
        assertThrows(IllegalArgumentException.class, () -> s.addCustomer("a\nb", null, key(), T0));
        assertThrows(IllegalArgumentException.class, () -> s.addCustomer("x".repeat(201), null, key(), T0));
        DeskStoreException none = assertThrows(DeskStoreException.class, () -> s.rename(b.id() + 100, "Nobody"));
        assertFalse(none instanceof DeskStoreException.Conflict);
    }

    @Test
    void aRegisteredCustomerIsBoundToItsSessionWhenItFirstCalls() {
        JdbcDeskStore s = open();
        Customer c = s.addCustomer("Carol", null, key(), T0);
        SessionId sid = session();
        Customer bound = s.bindSession(c.id(), sid, T0.plusSeconds(60));
        assertEquals(sid, bound.sessionId());
        assertEquals(T0, bound.firstSeen());
        assertEquals(T0.plusSeconds(60), bound.lastSeen());
        assertEquals(bound, s.customerBySession(sid).orElseThrow());
        assertEquals(bound, s.bindSession(c.id(), sid, T0.plusSeconds(60)), "binding again is harmless");
    }

    @Test
    void aChangedKeyIsKeptAsPresentedUntilReTrusted() {
        JdbcDeskStore s = open();
        IdentityPublicKey trusted = key();
        IdentityPublicKey presented = key();
        Customer c = s.addCustomer("Dave", session(), trusted, T0);

        Customer changed = s.keyChanged(c.id(), presented, T0.plusSeconds(5));
        assertEquals(Status.KEY_CHANGED, changed.status());
        assertEquals(trusted, changed.publicKey(), "the trusted key stays");
        assertEquals(presented, changed.presentedKey());
        assertEquals(T0.plusSeconds(5), changed.presentedAt());
        assertEquals(changed, s.customerByKey(trusted).orElseThrow());
        assertTrue(s.customerByKey(presented).isEmpty(), "a refused key is not trusted");

        Customer again = s.retrust(c.id(), presented, T0.plusSeconds(9));
        assertEquals(Status.TRUSTED, again.status());
        assertEquals(presented, again.publicKey());
        assertNull(again.presentedKey());
        assertNull(again.presentedAt());
        assertEquals(again, s.customerByKey(presented).orElseThrow());
        assertTrue(s.customerByKey(trusted).isEmpty());
        assertEquals(T0.plusSeconds(9), again.lastSeen());
    }

    @Test
    void renameAndSeen() {
        JdbcDeskStore s = open();
        Customer c = s.addCustomer("Erin", null, key(), T0);
        assertEquals("Erin Smith", s.rename(c.id(), "Erin Smith").label());
        s.seen(c.id(), T0.plusSeconds(30));
        assertEquals(T0.plusSeconds(30), s.customer(c.id()).orElseThrow().lastSeen());
        s.seen(c.id(), T0.plusSeconds(10));
        assertEquals(T0.plusSeconds(30), s.customer(c.id()).orElseThrow().lastSeen(), "last seen never goes back");
        assertThrows(DeskStoreException.class, () -> s.seen(c.id() + 1, T0));
    }

    // ---- messages ---------------------------------------------------------------------------

    @Test
    void messagesArePagedByCursorPerCustomer() throws Exception {
        JdbcDeskStore s = open();
        Customer a = s.addCustomer("Alice", session(), key(), T0);
        Customer b = s.addCustomer("Bob", session(), key(), T0);
        Outbox oa = s.outbox(a.id());
        Outbox ob = s.outbox(b.id());
        for (int i = 1; i <= 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertEquals(i, oa.enqueue("to alice " + i + " \u00e9\ud83d\ude00", 1_000L * i).number());
            oa.delivered(i, 2_000L * i, "from alice " + i);
            ob.delivered(i, 0, "from bob " + i);
        }
        List<Message> first = s.messages(a.id(), 0, 4);
        assertEquals(4, first.size());
        List<Message> rest = s.messages(a.id(), first.get(3).id(), 100);
        assertEquals(6, rest.size());
        List<Message> all = new ArrayList<>(first);
        all.addAll(rest);
        long previous = 0;
        for (Message m : all) {
            assertTrue(m.id() > previous, "ids increase");
            previous = m.id();
            assertEquals(a.id(), m.customerId(), "only this customer's messages");
        }
        assertTrue(s.messages(a.id(), all.get(9).id(), 10).isEmpty());

        Message out3 = all.get(4);
        assertEquals(Direction.OUT, out3.direction());
        assertEquals(3, out3.number());
        assertEquals("to alice 3 \u00e9\ud83d\ude00", out3.text());
        assertEquals(Instant.ofEpochMilli(3_000), out3.sentAt());
        assertEquals(T0.plusSeconds(3).truncatedTo(ChronoUnit.MICROS), out3.storedAt());
        assertFalse(out3.acknowledged());
        assertTrue(out3.read());
        Message in3 = all.get(5);
        assertEquals(Direction.IN, in3.direction());
        assertEquals(3, in3.number());
        assertEquals("from alice 3", in3.text());
        assertEquals(Instant.ofEpochMilli(6_000), in3.sentAt());
        assertTrue(in3.acknowledged());
        assertFalse(in3.read());
        assertEquals(in3, s.message(in3.id()).orElseThrow());
        assertTrue(s.message(all.get(9).id() + 1_000).isEmpty());
        assertEquals(5, s.messages(b.id(), 0, 100).size());
        assertThrows(IllegalArgumentException.class, () -> s.messages(a.id(), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> s.messages(a.id(), 0, JdbcDeskStore.MAX_PAGE + 1));
    }

    @Test
    void countsFollowReadAndAcknowledged() throws Exception {
        JdbcDeskStore s = open();
        Customer c = s.addCustomer("Frank", session(), key(), T0);
        assertEquals(new DeskStore.Counts(0, 0, null), s.counts(c.id()));
        Outbox o = s.outbox(c.id());
        o.enqueue("one", 1);
        o.enqueue("two", 2);
        o.enqueue("three", 3);
        o.delivered(1, 1, "a");
        o.delivered(2, 2, "b");
        clock.advance(Duration.ofMinutes(1));
        o.delivered(3, 3, "c");
        assertEquals(new DeskStore.Counts(3, 3, T0.plusSeconds(60).truncatedTo(ChronoUnit.MICROS)), s.counts(c.id()));

        List<Message> ins = s.messages(c.id(), 0, 100).stream().filter(m -> m.direction() == Direction.IN).toList();
        s.markRead(c.id(), ins.get(1).id());
        assertEquals(1, s.counts(c.id()).unread());
        assertTrue(s.message(ins.get(0).id()).orElseThrow().read());
        assertFalse(s.message(ins.get(2).id()).orElseThrow().read());
        o.acknowledged(2);
        assertEquals(1, s.counts(c.id()).pending());
        s.markRead(c.id(), Long.MAX_VALUE);
        assertEquals(0, s.counts(c.id()).unread());
    }

    @Test
    void numbersAndPendingTextsSurviveAReopen() throws Exception {
        long id;
        try (JdbcDeskStore s = JdbcDeskStore.open(db, clock)) {
            id = s.addCustomer("Grace", session(), key(), T0).id();
            Outbox o = s.outbox(id);
            o.enqueue("first", 11);
            o.enqueue("second", 12);
            o.enqueue("third", 13);
            o.acknowledged(1);
            o.delivered(1, 0, "x");
            o.delivered(2, 0, "y");
        }
        try (JdbcDeskStore s = JdbcDeskStore.open(db, clock)) {
            Outbox o = s.outbox(id);
            assertEquals(4, o.nextOut());
            assertEquals(1, o.ackedOut());
            assertEquals(2, o.lastIn());
            assertEquals(List.of(2L, 3L), List.copyOf(o.pending().keySet()));
            assertEquals(new Outbox.Pending(3, 13, "third"), o.pending().get(3L));
            assertEquals(4, o.enqueue("fourth", 14).number(), "a number is never given twice");
            assertThrows(UnsupportedOperationException.class, () -> o.pending().clear());
            assertTrue(o.describe().contains(s.describe()));
        }
    }

    @Test
    void acknowledgedClearsPendingOnlyForward() throws Exception {
        JdbcDeskStore s = open();
        long id = s.addCustomer("Heidi", session(), key(), T0).id();
        Outbox o = s.outbox(id);
        for (int i = 0; i < 4; i++) {
            o.enqueue("m" + i, i);
        }
        o.acknowledged(2);
        assertEquals(List.of(3L, 4L), List.copyOf(o.pending().keySet()));
        o.acknowledged(1);
        assertEquals(2, o.ackedOut(), "an older acknowledgement changes nothing");
        o.acknowledged(99);
        assertEquals(4, o.ackedOut(), "never beyond what was sent");
        assertTrue(o.pending().isEmpty());
        Outbox again = s.outbox(id);
        assertEquals(4, again.ackedOut());
        assertTrue(again.pending().isEmpty());
        assertTrue(s.messages(id, 0, 10).stream().allMatch(Message::acknowledged));
    }

    @Test
    void aDeliveredNumberIsStoredOnce() throws Exception {
        JdbcDeskStore s = open();
        long id = s.addCustomer("Ivan", session(), key(), T0).id();
        Outbox o = s.outbox(id);
        o.delivered(1, 5, "hello");
        o.delivered(1, 5, "hello");
        Outbox stale = s.outbox(id);
        o.delivered(2, 6, "again");
        stale.delivered(2, 6, "again"); // a second instance that did not see it: the database says delivered
        assertEquals(1, stale.lastIn(), "the stale instance learns on its next call");
        stale.delivered(3, 7, "three");
        assertEquals(3, stale.lastIn());
        List<Message> ms = s.messages(id, 0, 10);
        assertEquals(List.of(1L, 2L, 3L), ms.stream().map(Message::number).toList());
        assertEquals(3, s.outbox(id).lastIn());
        assertThrows(IllegalArgumentException.class, () -> o.delivered(0, 0, "zero"));
    }

    @Test
    void aSecondOutboxForTheSameCustomerCannotReuseANumber() throws Exception {
        JdbcDeskStore s = open();
        long id = s.addCustomer("Judy", session(), key(), T0).id();
        Outbox a = s.outbox(id);
        Outbox b = s.outbox(id);
        assertEquals(1, a.enqueue("from a", 1).number());
        assertThrows(IOException.class, () -> b.enqueue("from b", 2));
        assertEquals(2, b.enqueue("from b", 2).number(), "after the failure it read the numbers again");
        assertEquals(List.of(1L, 2L), s.messages(id, 0, 10).stream().map(Message::number).toList());
        assertEquals(List.of("from a", "from b"), s.messages(id, 0, 10).stream().map(Message::text).toList());
    }

    @Test
    void anUnknownCustomerHasNoOutbox() {
        JdbcDeskStore s = open();
        Outbox.StoreException e = assertThrows(Outbox.StoreException.class, () -> s.outbox(424242));
        assertTrue(e.getMessage().contains("424242"), e.getMessage());
    }

    @Test
    void manyCustomersAtOnceFromSeveralThreads() throws Exception {
        JdbcDeskStore s = open();
        int customers = 12;
        int each = 30;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> writers = new ArrayList<>();
            for (int c = 0; c < customers; c++) {
                int n = c;
                writers.add(pool.submit(() -> {
                    go.await(30, TimeUnit.SECONDS);
                    long id = s.addCustomer("Customer " + n, session(), key(), T0).id();
                    Outbox o = s.outbox(id);
                    for (int i = 1; i <= each; i++) {
                        o.enqueue(n + "/" + i, i);
                        o.delivered(i, i, "in " + n + "/" + i);
                        if (i % 10 == 0) {
                            o.acknowledged(i - 5);
                        }
                    }
                    return id;
                }));
            }
            ConcurrentLinkedQueue<Throwable> readerErrors = new ConcurrentLinkedQueue<>();
            Future<?> reader = pool.submit(() -> {
                try {
                    go.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < 40; i++) {
                        for (Customer c : s.customers()) {
                            s.counts(c.id());
                            s.messages(c.id(), 0, 50);
                        }
                    }
                } catch (Throwable t) {
                    readerErrors.add(t);
                }
                return null;
            });
            go.countDown();
            Set<Long> ids = new HashSet<>();
            for (Future<Long> f : writers) {
                ids.add(f.get(120, TimeUnit.SECONDS));
            }
            reader.get(120, TimeUnit.SECONDS);
            assertTrue(readerErrors.isEmpty(), () -> "reader failed: " + readerErrors);
            assertEquals(customers, ids.size());
            Set<Long> messageIds = new HashSet<>();
            for (long id : ids) {
                List<Message> ms = s.messages(id, 0, 1000);
                assertEquals(2 * each, ms.size());
                for (Direction d : Direction.values()) {
                    List<Long> numbers = ms.stream().filter(m -> m.direction() == d).map(Message::number).toList();
                    assertEquals(java.util.stream.LongStream.rangeClosed(1, each).boxed().toList(), numbers,
                            "in order, none lost, none twice");
                }
                ms.forEach(m -> assertTrue(messageIds.add(m.id())));
                Outbox o = s.outbox(id);
                assertEquals(each + 1, o.nextOut());
                assertEquals(each - 5, o.ackedOut());
                assertEquals(5, o.pending().size());
                assertEquals(new DeskStore.Counts(each, 5, T0.truncatedTo(ChronoUnit.MICROS)), s.counts(id));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void reopeningOurOwnDatabaseMigratesNothingAndKeepsEverything() {
        long id;
        try (JdbcDeskStore s = JdbcDeskStore.open(db, clock)) {
            id = s.addCustomer("Ken", null, key(), T0).id();
        }
        for (int i = 0; i < 2; i++) {
            try (JdbcDeskStore s = JdbcDeskStore.open(db, clock)) {
                assertEquals("Ken", s.customer(id).orElseThrow().label());
                assertEquals(db.describe(), s.describe());
            }
        }
    }

    // ---- what is not ours -------------------------------------------------------------------

    @Test
    void aForeignDatabaseIsRefusedAndLeftUntouched() throws Exception {
        try (Connection c = raw(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner VARCHAR(50) NOT NULL)");
            st.execute("INSERT INTO accounts VALUES (1, 'someone else')");
        }
        assertRefusedUntouched("not the desk's database");
    }

    @Test
    void aForeignFlywayDatabaseIsRefusedAndLeftUntouched() throws Exception {
        try (Connection c = raw(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE flyway_schema_history (installed_rank INTEGER PRIMARY KEY)");
            st.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)");
        }
        assertRefusedUntouched("not the desk's database");
    }

    @Test
    void aDeskHistoryWithoutTheMarkerIsRefused() throws Exception {
        try (Connection c = raw(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE desk_schema_history (installed_rank INTEGER PRIMARY KEY)");
        }
        assertRefusedUntouched("marker");
    }

    @Test
    void aNewerSchemaIsRefusedAndLeftUntouched() throws Exception {
        open().close();
        try (Connection c = raw(db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO \"desk_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\","
                    + " \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\") VALUES (2, '2',"
                    + " 'from the future', 'SQL', 'V2__from_the_future.sql', 12345, 'a newer desk', 1, TRUE)");
        }
        assertRefusedUntouched("newer than this desk knows");
    }

    @Test
    void aChangedMigrationChecksumIsRefusedAndLeftUntouched() throws Exception {
        open().close();
        try (Connection c = raw(db); Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("UPDATE \"desk_schema_history\" SET \"checksum\" = \"checksum\" + 1"
                    + " WHERE \"version\" = '1'"));
        }
        assertRefusedUntouched("checksum");
    }

    @Test
    void aFailedMigrationIsRefusedAndLeftUntouched() throws Exception {
        open().close();
        try (Connection c = raw(db); Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("UPDATE \"desk_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '1'"));
        }
        assertRefusedUntouched("failed");
    }

    void assertRefusedUntouched(String why) throws Exception {
        Object before = snapshot(db);
        DeskStoreException e = assertThrows(DeskStoreException.class, () -> JdbcDeskStore.open(db, clock));
        assertTrue(e.getMessage().contains(db.describe()), () -> "names the database: " + e.getMessage());
        assertTrue(e.getMessage().contains(why), () -> "says why (" + why + "): " + e.getMessage());
        assertNoSecret(e);
        assertEquals(before, snapshot(db), "the database is left as it was");
        DeskStoreException again = assertThrows(DeskStoreException.class, () -> JdbcDeskStore.open(db, clock));
        assertEquals(e.getMessage(), again.getMessage(), "and refused the same way again");
        assertEquals(before, snapshot(db));
    }

    /** No exception message in the chain holds the password. */
    void assertNoSecret(Throwable e) throws Exception {
        String password = db.password();
        for (Throwable t = e; t != null && !password.isEmpty(); t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            assertFalse(m.contains(password), "the password is in an exception message");
        }
    }

    // ---- durability -------------------------------------------------------------------------

    /**
     * A child JVM stores and prints committed numbers in a loop and is killed (SIGKILL) twice; every
     * number it printed is in the database, none twice, none skipped, and numbering goes on after it.
     */
    @Test
    void nothingCommittedIsLostWhenTheProcessIsKilled() throws Exception {
        long id;
        try (JdbcDeskStore s = JdbcDeskStore.open(db, clock)) {
            id = s.addCustomer("Killed", session(), key(), T0).id();
        }
        long printedOut = 0;
        long printedIn = 0;
        long printedAck = 0;
        for (int round = 0; round < 2; round++) {
            Map<String, Long> printed = runAndKill(id, 60 + 60 * round);
            assertTrue(printed.get("OUT") > printedOut, "the child went on from the stored numbers");
            printedOut = printed.get("OUT");
            printedIn = printed.get("IN");
            printedAck = Math.max(printedAck, printed.get("ACK"));
            try (JdbcDeskStore s = JdbcDeskStore.open(db, clock)) {
                List<Message> all = s.messages(id, 0, JdbcDeskStore.MAX_PAGE);
                List<Long> outs = all.stream().filter(m -> m.direction() == Direction.OUT).map(Message::number).toList();
                List<Long> ins = all.stream().filter(m -> m.direction() == Direction.IN).map(Message::number).toList();
                assertContiguousFromOne(outs, printedOut);
                assertContiguousFromOne(ins, printedIn);
                Outbox o = s.outbox(id);
                assertEquals(outs.size() + 1, o.nextOut(), "the next number follows the last stored one");
                assertEquals(ins.size(), o.lastIn());
                assertTrue(o.ackedOut() >= printedAck, "acknowledged " + printedAck + " was kept");
                assertEquals(new TreeSet<>(outs.subList((int) o.ackedOut(), outs.size())), o.pending().keySet());
                for (Message m : all) {
                    assertEquals(m.direction() == Direction.OUT ? m.number() <= o.ackedOut() : true, m.acknowledged());
                }
            }
        }
    }

    private static void assertContiguousFromOne(List<Long> numbers, long printed) {
        assertTrue(numbers.size() >= printed, "printed " + printed + " but only " + numbers.size() + " stored");
        assertTrue(numbers.size() <= printed + 1, "at most the one in flight beyond what was printed");
        assertEquals(java.util.stream.LongStream.rangeClosed(1, numbers.size()).boxed().toList(), numbers,
                "in order, none twice");
    }

    /** Runs {@link KillChild} until it printed {@code outs} more OUT numbers, kills it, returns the highest printed. */
    private Map<String, Long> runAndKill(long customer, int outs) throws Exception {
        Map<String, String> env = new HashMap<>();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KillChild.class.getName()));
        cmd.addAll(childArguments(db, env));
        cmd.add(Long.toString(customer));
        Path err = Files.createTempFile("desk-kill-child", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process child = pb.start();
        Map<String, Long> highest = new java.util.concurrent.ConcurrentHashMap<>(Map.of("OUT", 0L, "IN", 0L, "ACK", 0L));
        CountDownLatch enough = new CountDownLatch(outs);
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = LINE.matcher(line);
                    if (m.matches()) {
                        highest.merge(m.group(1), Long.parseLong(m.group(2)), Math::max);
                        if (m.group(1).equals("OUT")) {
                            enough.countDown();
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            assertTrue(enough.await(120, TimeUnit.SECONDS), () -> "the child did not get going: " + read(err));
            assertTrue(child.isAlive(), () -> "the child stopped by itself: " + read(err));
        } finally {
            // SIGKILL: no shutdown hook, no close. Through the handle, because Process.destroyForcibly also
            // closes our end of the pipe, and lines the child wrote before it died would be lost to the test.
            child.toHandle().destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        }
        reading.get(60, TimeUnit.SECONDS);
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        Files.deleteIfExists(err);
        return highest;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
