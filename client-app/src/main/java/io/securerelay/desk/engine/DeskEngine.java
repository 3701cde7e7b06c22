package io.securerelay.desk.engine;

import io.securerelay.client.ExitCodes;
import io.securerelay.client.internal.Conversation;
import io.securerelay.client.internal.ConversationEvents;
import io.securerelay.client.internal.EventLoop;
import io.securerelay.client.internal.ExecutorEventLoop;
import io.securerelay.client.internal.Link;
import io.securerelay.client.internal.Outbox;
import io.securerelay.client.internal.RelayLink;
import io.securerelay.client.internal.Rejections;
import io.securerelay.desk.CustomerView;
import io.securerelay.desk.Desk;
import io.securerelay.desk.DeskEvent;
import io.securerelay.desk.DeskException;
import io.securerelay.desk.DeskStatus;
import io.securerelay.desk.MessageView;
import io.securerelay.desk.store.DeskStore;
import io.securerelay.desk.store.DeskStoreException;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.protocol.Envelope;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.SessionId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bank desk's engine: one bank identity and one relay connection, one {@link Conversation} per
 * customer (the same engine as the two-party client: its own handshake, keys, replay window,
 * outbox and acknowledgements), demultiplexed by the session ID the relay says a frame came from.
 *
 * <ul>
 *   <li>A frame from a session with a conversation goes to that conversation only. A frame from any
 *       other session is dropped unless it is an INIT: then a conversation is opened for the caller
 *       (at most {@link Settings#maxStrangers} callers not yet identified at once; one that is not
 *       identified within the handshake timeout is closed). The caller becomes a customer when its
 *       handshake completes ({@link CustomerTrust}).
 *   <li>Conversations run on a few shared single-threaded loops (striped by session ID), so a
 *       conversation's state is never touched by two threads, and one slow conversation delays only
 *       those on its loop.
 *   <li>Per-sender limits on frames and on handshakes drop a flood at the door.
 *   <li>Messages and numbers live in the {@link DeskStore}; a restarted desk calls the customers it
 *       still has unacknowledged messages for.
 * </ul>
 */
public final class DeskEngine implements Desk, AutoCloseable {

    /**
     * @param loops               threads the conversations share
     * @param maxStrangers        callers not yet identified, at most, at once
     * @param framesPerSecond     frames from one sender, sustained (more are dropped)
     * @param framesBurst         frames from one sender in a burst
     * @param handshakesPerSecond INITs from one sender, sustained
     * @param policy              rekeying and handshake timeout of each session
     */
    public record Settings(int loops, int maxStrangers, double framesPerSecond, double framesBurst,
            double handshakesPerSecond, SessionPolicy policy) {
        public static Settings defaults() {
            return new Settings(Math.max(2, Runtime.getRuntime().availableProcessors()), 256, 2_000, 4_000, 2,
                    SessionPolicy.DEFAULT);
        }
    }

    private static final Logger LOG = Logger.getLogger(DeskEngine.class.getName());
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_TEXT_BYTES = Conversation.MAX_TEXT_BYTES;
    private static final int MAX_DELIVERED_EVENTS = 256;
    private static final Duration IDLE_SWEEP = Duration.ofSeconds(30);

    /** One customer's conversation (or a caller's, until it is identified). */
    private final class Entry {
        final SessionId sessionId;
        final CustomerOutbox outbox;
        final EventLoop loop;
        volatile Conversation conversation;
        volatile long customerId;
        volatile boolean stranger = true;

        Entry(SessionId sessionId, CustomerOutbox outbox, EventLoop loop) {
            this.sessionId = sessionId;
            this.outbox = outbox;
            this.loop = loop;
        }
    }

    private final IdentityKeyPair identity;
    private final SessionId self;
    private final DeskStore store;
    private final SecureRandom random;
    private final Clock clock;
    private final Settings settings;
    private final ScheduledExecutorService[] loops;
    private final ScheduledExecutorService timer;
    private final Link link;
    private final DeskEvents events = new DeskEvents();
    private final SenderLimits frameLimits;
    private final SenderLimits handshakeLimits;
    private final ConcurrentHashMap<SessionId, Entry> bySession = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Entry> byCustomer = new ConcurrentHashMap<>();
    private final AtomicInteger strangers = new AtomicInteger();
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    private final Rejections rejections = new Rejections();
    private final AtomicLong droppedAtTheDoor = new AtomicLong();

    private volatile String connection = "CONNECTING";
    private volatile URI relay;
    private volatile boolean registered;

    /**
     * @param links makes the desk's one relay link with the listener it is given and a timer
     *              ({@code RelayLink} over the network; an in-memory relay in tests)
     */
    public DeskEngine(IdentityKeyPair identity, SessionId self, DeskStore store,
            LinkFactory links, SecureRandom random, Clock clock, Settings settings) {
        this.identity = identity;
        this.self = self;
        this.store = store;
        this.random = random;
        this.clock = clock;
        this.settings = settings;
        this.loops = new ScheduledExecutorService[settings.loops()];
        for (int i = 0; i < loops.length; i++) {
            String name = "desk-loop-" + i;
            ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, r -> daemon(r, name));
            // Closing runs what is queued (each conversation's stop), not the timers set for later.
            loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            loops[i] = loop;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "desk-timer"));
        this.frameLimits = new SenderLimits(settings.framesPerSecond(), settings.framesBurst(), 100_000);
        this.handshakeLimits = new SenderLimits(settings.handshakesPerSecond(), 4, 100_000);
        this.link = links.create(new Demux(), timer);
    }

    /** How the desk gets its relay link. */
    @FunctionalInterface
    public interface LinkFactory {
        Link create(RelayLink.Listener listener, ScheduledExecutorService timer);
    }

    /**
     * Connects, and calls every customer that still has unacknowledged messages. The future
     * completes with an exit code when the desk can no longer work (TLS refused, taken over) or
     * is closed.
     */
    public CompletableFuture<Integer> start() {
        for (DeskStore.Customer c : store.customers()) {
            if (c.sessionId() != null && c.status() == DeskStore.Status.TRUSTED && store.counts(c.id()).pending() > 0) {
                open(c.sessionId(), c, true);
            }
        }
        link.start();
        timer.scheduleWithFixedDelay(this::forgetIdle, IDLE_SWEEP.toSeconds(), IDLE_SWEEP.toSeconds(), TimeUnit.SECONDS);
        return finished;
    }

    /**
     * Closes the conversations of customers who are gone (the relay said they are not connected)
     * and have nothing waiting, so that a desk with thousands of customers keeps only the ones who
     * are there; a customer's next call opens its conversation again from the database.
     */
    private void forgetIdle() {
        for (Entry e : bySession.values()) {
            e.loop.execute(() -> {
                if (e.conversation.state() == Conversation.State.WAITING_FOR_PEER && e.outbox.pending().isEmpty()) {
                    LOG.log(Level.FINE, "customer {0} is gone and nothing waits for it: its conversation is closed",
                            e.customerId);
                    e.conversation.quit();
                }
            });
        }
    }

    /** The bank's session ID (what customers call). */
    public SessionId sessionId() {
        return self;
    }

    /** What the desk refused so far, per kind, over all conversations. */
    public Rejections rejections() {
        return rejections;
    }

    /** Frames dropped before reaching any conversation (unknown sender, flood, too many callers). */
    public long droppedAtTheDoor() {
        return droppedAtTheDoor.get();
    }

    /** Conversations open now (identified customers and callers). */
    public int openConversations() {
        return bySession.size();
    }

    // ---- the relay link's events, to the conversations -------------------------------------

    private final class Demux implements RelayLink.Listener {
        @Override
        public void registered(SessionId id, URI relayUri) {
            relay = relayUri;
            registered = true;
            connection = "CONNECTED";
            for (Entry e : bySession.values()) {
                e.conversation.registered(id, relayUri);
            }
            events.publish(() -> new DeskEvent("CONNECTION", 0, null, null, status()));
        }

        @Override
        public void disconnected(RelayLink.ClosedBy closedBy, String why, Duration retryIn) {
            registered = false;
            connection = relay == null ? "CONNECTING" : "RECONNECTING";
            LOG.log(Level.INFO, "relay connection: {0}; retrying in {1} ms", new Object[] {why, retryIn.toMillis()});
            for (Entry e : bySession.values()) {
                e.conversation.disconnected(closedBy, why, retryIn);
            }
            events.publish(() -> new DeskEvent("CONNECTION", 0, null, null, status()));
        }

        @Override
        public void rejectedRelayFrame(String problem, int length) {
            rejections.add(Rejections.Kind.MALFORMED_RELAY_FRAME);
            LOG.log(Level.WARNING, "the relay sent a frame the desk cannot accept ({0}, {1} bytes): dropped, reconnecting",
                    new Object[] {problem, length});
        }

        @Override
        public void delivered(SessionId from, byte[] payload) {
            long now = System.nanoTime();
            if (!frameLimits.allow(from, now)) {
                drop(from, "more frames than a customer may send");
                return;
            }
            boolean init = Envelope.of(payload) == Envelope.INIT;
            if (init && !handshakeLimits.allow(from, now)) {
                drop(from, "more handshakes than a customer may start");
                return;
            }
            Entry e = bySession.get(from);
            if (e == null) {
                if (!init) {
                    drop(from, "no conversation with this session (only a handshake opens one)");
                    return;
                }
                e = openForCaller(from);
                if (e == null) {
                    return;
                }
            }
            e.conversation.delivered(from, payload);
        }

        @Override
        public void relayError(RelayFrame.Error error) {
            Entry e = bySession.get(error.subject());
            if (e != null) {
                e.conversation.relayError(error);
            }
        }

        @Override
        public void tlsFailed(String why) {
            LOG.log(Level.SEVERE, why);
            connection = "TLS_FAILED";
            finished.complete(ExitCodes.TLS);
        }

        @Override
        public void takenOver(String why) {
            LOG.log(Level.SEVERE, "another process with this desk's routing key took its session ID: {0}", why);
            connection = "TAKEN_OVER";
            finished.complete(ExitCodes.INTERNAL);
        }
    }

    private void drop(SessionId from, String why) {
        droppedAtTheDoor.incrementAndGet();
        LOG.log(Level.FINE, "dropped a frame from {0}: {1}", new Object[] {from.shortForm(), why});
    }

    /** A caller's INIT from a session without a conversation: its customer's, or a stranger's. */
    private Entry openForCaller(SessionId from) {
        Optional<DeskStore.Customer> known;
        try {
            known = store.customerBySession(from);
        } catch (DeskStoreException e) {
            LOG.log(Level.WARNING, "cannot look up a caller: {0}", e.getMessage());
            return null;
        }
        if (known.isEmpty() && strangers.get() >= settings.maxStrangers()) {
            drop(from, "too many callers not yet identified (" + settings.maxStrangers() + ")");
            return null;
        }
        return open(from, known.orElse(null), false);
    }

    /**
     * The conversation of {@code sessionId}, opened if there is none.
     * @param customer the customer calling from it, or null for a stranger
     * @param call     whether the desk calls it (it has messages for it) or waits for its INIT
     */
    private Entry open(SessionId sessionId, DeskStore.Customer customer, boolean call) {
        synchronized (bySession) {
            Entry existing = bySession.get(sessionId);
            if (existing != null) {
                return existing;
            }
            if (customer != null && byCustomer.containsKey(customer.id())) {
                return byCustomer.get(customer.id());
            }
            EventLoop loop = new ExecutorEventLoop(loops[Math.floorMod(sessionId.hashCode(), loops.length)]);
            Entry e = new Entry(sessionId, new CustomerOutbox(new Changes()), loop);
            CustomerTrust trust = new CustomerTrust(store, sessionId, new Binding(e), clock);
            e.conversation = new Conversation(CustomerTrust.ROLE, call ? sessionId : null, identity, trust, e.outbox,
                    new Events(e), loop, random, clock, settings.policy(), new Conversation.DummySchedule(Duration.ZERO, Duration.ZERO),
                    null);
            if (customer != null) {
                try {
                    bind(e, customer);
                } catch (Outbox.StoreException ex) {
                    LOG.log(Level.WARNING, "cannot open the conversation of customer {0}: {1}",
                            new Object[] {customer.id(), ex.getMessage()});
                    return null;
                }
            } else {
                strangers.incrementAndGet();
                Duration limit = settings.policy().handshakeTimeout().plusSeconds(5);
                loop.schedule(limit, () -> {
                    if (e.stranger) {
                        LOG.log(Level.FINE, "caller {0} not identified within {1} s: closed",
                                new Object[] {sessionId.shortForm(), limit.toSeconds()});
                        e.conversation.quit();
                    }
                });
            }
            bySession.put(sessionId, e);
            e.conversation.finished().whenComplete((code, x) -> closed(e));
            e.conversation.start(new SharedLink());
            if (registered) {
                e.conversation.registered(self, relay);
            }
            return e;
        }
    }

    private void bind(Entry e, DeskStore.Customer c) throws Outbox.StoreException {
        if (e.outbox.bound()) {
            return;
        }
        e.outbox.bind(c.id(), store.outbox(c.id()));
        e.customerId = c.id();
        if (e.stranger) {
            e.stranger = false;
            if (e.conversation != null && bySession.get(e.sessionId) == e) {
                strangers.decrementAndGet();
            }
        }
        byCustomer.put(c.id(), e);
    }

    private void closed(Entry e) {
        synchronized (bySession) {
            if (bySession.remove(e.sessionId, e) && e.stranger) {
                strangers.decrementAndGet();
            }
            if (e.customerId != 0) {
                byCustomer.remove(e.customerId, e);
            }
        }
        if (e.customerId != 0) {
            long id = e.customerId;
            events.publish(() -> customerEvent(id));
        }
    }

    /** What a conversation's handshake learned about its customer. */
    private final class Binding implements CustomerTrust.Binding {
        private final Entry e;

        Binding(Entry e) {
            this.e = e;
        }

        @Override
        public void bound(DeskStore.Customer customer, boolean firstContact) {
            synchronized (bySession) {
                try {
                    bind(e, customer);
                } catch (Outbox.StoreException ex) {
                    throw new DeskStoreException(ex.getMessage(), ex);
                }
            }
            if (firstContact) {
                LOG.log(Level.INFO, "customer {0} ({1}) called for the first time from session {2}",
                        new Object[] {customer.id(), customer.publicKey().fingerprint(), e.sessionId.shortForm()});
            }
            events.publish(() -> customerEvent(customer.id()));
        }

        @Override
        public void keyChanged(DeskStore.Customer customer) {
            LOG.log(Level.WARNING, "customer {0} presented a CHANGED identity key: pinned {1}, presented {2};"
                    + " refused until an agent re-trusts it", new Object[] {customer.id(),
                    customer.publicKey().fingerprint(), customer.presentedKey() == null ? "?" : customer.presentedKey().fingerprint()});
            events.publish(() -> customerEvent(customer.id()));
        }
    }

    /** The outbox's committed changes, as live events. */
    private final class Changes implements CustomerOutbox.Changes {
        @Override
        public void queued(long customerId, long number) {
            events.publish(() -> messageEvent("MESSAGE", customerId, DeskStore.Direction.OUT, number));
        }

        @Override
        public void acknowledged(long customerId, long fromExclusive, long upTo) {
            for (long n = Math.max(fromExclusive + 1, upTo - MAX_DELIVERED_EVENTS + 1); n <= upTo; n++) {
                long number = n;
                events.publish(() -> messageEvent("DELIVERED", customerId, DeskStore.Direction.OUT, number));
            }
        }

        @Override
        public void delivered(long customerId, long number) {
            events.publish(() -> messageEvent("MESSAGE", customerId, DeskStore.Direction.IN, number));
        }
    }

    /**
     * What one conversation reports: counted and logged (in sentences without texts). A received
     * text is not an event here: the outbox records it and publishes it once committed.
     */
    private final class Events extends ConversationEvents.Ignoring {
        private final Entry e;

        Events(Entry e) {
            this.e = e;
        }

        @Override
        public void secure(SessionId peer, String fingerprint, String safetyNumber, boolean firstThisRun) {
            long id = e.customerId;
            if (id != 0) {
                store.seen(id, clock.instant());
                events.publish(() -> customerEvent(id));
            }
        }

        @Override
        public void info(String sentence) {
            LOG.log(Level.FINE, "session {0}: {1}", new Object[] {e.sessionId.shortForm(), sentence});
        }

        @Override
        public void rejected(Rejections.Kind kind, String from, String dropped, int bytes, String sentence) {
            rejections.add(kind);
            LOG.log(Level.INFO, "session {0}: {1}", new Object[] {e.sessionId.shortForm(), sentence});
        }

        @Override
        public void problem(String code, String sentence) {
            LOG.log(code.equals("peer-key-changed") ? Level.FINE : Level.INFO, "session {0}: {1}",
                    new Object[] {e.sessionId.shortForm(), sentence});
        }
    }

    /** The desk's one relay link, as each conversation sees it: started and closed by the desk. */
    private final class SharedLink implements Link {
        @Override
        public void start() {
            // the desk starts its one link itself
        }

        @Override
        public boolean send(SessionId to, byte[] payload) {
            return link.send(to, payload);
        }

        @Override
        public void close() {
            // the desk closes its one link itself, once every conversation has stopped
        }
    }

    // ---- the Desk facade ---------------------------------------------------------------------

    @Override
    public DeskStatus status() {
        List<DeskStore.Customer> all = store.customers();
        long unread = store.totals().unread();
        int blocked = 0;
        for (DeskStore.Customer c : all) {
            if (c.status() == DeskStore.Status.KEY_CHANGED) {
                blocked++;
            }
        }
        int secure = 0;
        for (Entry e : bySession.values()) {
            if (e.conversation.state() == Conversation.State.SECURE) {
                secure++;
            }
        }
        URI r = relay;
        return new DeskStatus(self.toHex(), identity.publicKey().fingerprint(), r == null ? null : r.toString(),
                connection, all.size(), secure, unread, blocked, store.describe());
    }

    @Override
    public List<CustomerView> customers() {
        List<CustomerView> views = new ArrayList<>();
        for (DeskStore.Customer c : store.customers()) {
            views.add(view(c));
        }
        views.sort(Comparator.comparing((CustomerView v) -> v.lastMessageAt() == null ? v.firstSeen() : v.lastMessageAt())
                .reversed());
        return views;
    }

    @Override
    public CustomerView customer(long customerId) {
        return view(find(customerId));
    }

    @Override
    public List<MessageView> messages(long customerId, long after, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "limit must be between 1 and 1000, not " + limit);
        }
        if (after < 0) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "the cursor (after) cannot be negative");
        }
        find(customerId);
        return store.messages(customerId, after, limit).stream().map(DeskEngine::view).toList();
    }

    @Override
    public MessageView send(long customerId, String text) {
        if (text == null || text.isBlank()) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "an empty message is not sent");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST,
                    "the message is longer than " + MAX_TEXT_BYTES + " bytes of UTF-8 (one relay frame); split it");
        }
        DeskStore.Customer c = find(customerId);
        if (c.status() == DeskStore.Status.KEY_CHANGED) {
            throw new DeskException(DeskException.Kind.CONFLICT, "the customer's identity key changed: check the new"
                    + " fingerprint with the customer and re-trust it before sending");
        }
        Entry e = byCustomer.get(customerId);
        if (e == null) {
            if (c.sessionId() == null) {
                throw new DeskException(DeskException.Kind.CONFLICT, "this customer was registered but never called"
                        + " the desk: messages can be sent once it has called once");
            }
            e = open(c.sessionId(), c, true);
            if (e == null) {
                throw new DeskException(DeskException.Kind.UNAVAILABLE, "the customer's conversation cannot be opened"
                        + " (see the desk's log)");
            }
        }
        Outbox.Pending p;
        try {
            p = e.conversation.sendText(text).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof IllegalArgumentException) {
                throw new DeskException(DeskException.Kind.BAD_REQUEST, "message not sent: " + ex.getCause().getMessage());
            }
            throw new DeskException(DeskException.Kind.UNAVAILABLE, "the message could not be stored: "
                    + ex.getCause().getMessage());
        } catch (TimeoutException ex) {
            throw new DeskException(DeskException.Kind.UNAVAILABLE, "the desk is too busy to store the message now");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new DeskException(DeskException.Kind.UNAVAILABLE, "interrupted");
        }
        return store.messageByNumber(customerId, DeskStore.Direction.OUT, p.number()).map(DeskEngine::view)
                .orElseThrow(() -> new DeskException(DeskException.Kind.UNAVAILABLE, "the message was stored but cannot be read back"));
    }

    @Override
    public void markRead(long customerId, long cursor) {
        find(customerId);
        store.markRead(customerId, cursor);
        events.publish(() -> customerEvent(customerId));
    }

    @Override
    public CustomerView retrust(long customerId, String presentedFingerprint) {
        DeskStore.Customer c = find(customerId);
        if (c.status() != DeskStore.Status.KEY_CHANGED || c.presentedKey() == null) {
            throw new DeskException(DeskException.Kind.CONFLICT, "this customer's key has not changed: nothing to re-trust");
        }
        IdentityPublicKey presented = c.presentedKey();
        if (presentedFingerprint == null || !presented.fingerprint().equalsIgnoreCase(presentedFingerprint.strip())) {
            throw new DeskException(DeskException.Kind.CONFLICT, "the key presented now has the fingerprint "
                    + presented.fingerprint() + ", not the one you checked: check this one with the customer");
        }
        DeskStore.Customer trusted = store.retrust(customerId, presented, clock.instant());
        LOG.log(Level.WARNING, "customer {0}: the new identity key {1} was re-trusted by an agent",
                new Object[] {customerId, presented.fingerprint()});
        Entry e = byCustomer.get(customerId);
        if (e == null && trusted.sessionId() != null) {
            e = bySession.get(trusted.sessionId());
        }
        if (e != null) {
            e.conversation.retrusted(presented);
        }
        events.publish(() -> customerEvent(customerId));
        return view(trusted);
    }

    @Override
    public CustomerView rename(long customerId, String label) {
        find(customerId);
        if (label == null || label.isBlank() || label.length() > 100 || label.chars().anyMatch(Character::isISOControl)) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "a name has 1 to 100 characters, without control characters");
        }
        CustomerView v = view(store.rename(customerId, label.strip()));
        events.publish(() -> customerEvent(customerId));
        return v;
    }

    @Override
    public CustomerView register(String label, String publicIdentityKeyJson) {
        IdentityPublicKey key = PublicKeyFiles.parse(publicIdentityKeyJson);
        String name = label == null || label.isBlank() ? "Customer " + key.fingerprint().substring(0, 9) : label.strip();
        if (name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
            throw new DeskException(DeskException.Kind.BAD_REQUEST, "a name has 1 to 100 characters, without control characters");
        }
        try {
            DeskStore.Customer c = store.addCustomer(name, null, key, clock.instant());
            events.publish(() -> customerEvent(c.id()));
            return view(c);
        } catch (DeskStoreException.Conflict e) {
            throw new DeskException(DeskException.Kind.CONFLICT, "a customer with this key is already registered");
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<DeskEvent> listener) {
        return events.subscribe(listener);
    }

    /** Stops every conversation and the relay link (the store is the caller's to close). */
    @Override
    public void close() {
        link.close();
        for (Entry e : bySession.values()) {
            e.conversation.quit();
        }
        for (ScheduledExecutorService l : loops) {
            l.shutdown();
        }
        for (ScheduledExecutorService l : loops) {
            try {
                l.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        timer.shutdownNow();
        events.close();
        finished.complete(ExitCodes.OK);
    }

    // ---- views -------------------------------------------------------------------------------

    private DeskStore.Customer find(long customerId) {
        return store.customer(customerId).orElseThrow(() -> new DeskException(DeskException.Kind.NOT_FOUND,
                "there is no customer " + customerId));
    }

    private DeskEvent customerEvent(long customerId) {
        return store.customer(customerId).map(c -> new DeskEvent("CUSTOMER", customerId, null, view(c), null)).orElse(null);
    }

    private DeskEvent messageEvent(String type, long customerId, DeskStore.Direction direction, long number) {
        Optional<DeskStore.Message> m = store.messageByNumber(customerId, direction, number);
        Optional<DeskStore.Customer> c = store.customer(customerId);
        if (m.isEmpty() || c.isEmpty()) {
            return null;
        }
        return new DeskEvent(type, customerId, view(m.get()), view(c.get()), null);
    }

    private CustomerView view(DeskStore.Customer c) {
        Entry e = byCustomer.get(c.id());
        String conn = "OFFLINE";
        String safety = null;
        if (e != null) {
            Conversation.State s = e.conversation.state();
            conn = s == Conversation.State.SECURE ? "SECURE" : s == Conversation.State.HANDSHAKING ? "HANDSHAKING" : "OFFLINE";
            safety = e.conversation.currentSafetyNumber();
        }
        DeskStore.Counts counts = store.counts(c.id());
        return new CustomerView(c.id(), c.label(), c.sessionId() == null ? null : c.sessionId().toHex(),
                c.publicKey().fingerprint(), safety, c.status().name(),
                c.presentedKey() == null ? null : c.presentedKey().fingerprint(), conn, c.firstSeen(), c.lastSeen(),
                counts.unread(), counts.pending(), counts.lastMessageAt());
    }

    static MessageView view(DeskStore.Message m) {
        String state = m.direction() == DeskStore.Direction.IN ? (m.read() ? "READ" : "RECEIVED")
                : (m.acknowledged() ? "DELIVERED" : "QUEUED");
        return new MessageView(m.id(), m.customerId(), m.direction().name(), m.number(), m.sentAt(), m.storedAt(),
                m.text(), state);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
