package io.securerelay.client.internal;

import io.securerelay.client.ExitCodes;
import io.securerelay.crypto.AlteredInTransitException;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.identity.TrustResult;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.Envelope;
import io.securerelay.protocol.MalformedMessageException;
import io.securerelay.protocol.MessageKind;
import io.securerelay.protocol.OpenedMessage;
import io.securerelay.protocol.ReplayDetectedException;
import io.securerelay.protocol.SecureSession;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.SessionId;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine of one conversation with a peer: the relay link's events in, the secure session,
 * and what happens reported to {@link ConversationEvents}. It composes the jobs, each in its own
 * class: {@link Handshakes} (driving handshakes), {@link Delivery} (window, reorder, resends,
 * acknowledgements over the {@link Outbox}), {@link CoverTraffic} (dummies) and, for a batch run,
 * {@link BatchRun} (when the run is done or gives up). The console's commands are a layer on top
 * ({@link UserCommands}); a front end without a console drives {@link #send} directly.
 *
 * <p>Every task runs on one {@link EventLoop}: the relay link, the input and the timers only
 * submit tasks to it, so the state below needs no locks. Time and randomness are injected: the
 * loop's monotonic time drives every timer, the {@link Clock} stamps texts and bounds handshakes.
 */
public final class Conversation implements RelayLink.Listener {

    /** What the conversation is doing, as the status line shows it. */
    public enum State { CONNECTING, RECONNECTING, WAITING_FOR_PEER, HANDSHAKING, SECURE, STOPPED }

    /** When cover traffic goes out: uniformly between {@code min} and {@code max}; zero max = never. */
    public record DummySchedule(Duration min, Duration max) {
        boolean enabled() {
            return !max.isZero();
        }
    }

    private static final Logger LOG = Logger.getLogger(Conversation.class.getName());
    /** Longest text a user may send: the sealed message must fit one relay frame. */
    public static final int MAX_TEXT_BYTES = 16 * 1024;
    static final Duration WATCHDOG = Duration.ofMillis(500);

    private final String peerRole;
    private final PeerTrustStore trust;
    private final Outbox store;
    private final ConversationEvents io;
    private final EventLoop loop;
    private final Clock clock;
    private final BatchRun run;
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    private final Rejections rejections = new Rejections();
    private final Handshakes handshakes;
    private final Delivery delivery;
    private final CoverTraffic cover;

    private Link link;
    private EventLoop.Timer watchdog;
    private volatile State state = State.CONNECTING;
    /** The current session's safety number, for other threads (a desk's views); null without a session. */
    private volatile String safetyNumber;
    private SessionId self;
    private SessionId peer;
    private SecureSession session;
    private SessionId sessionPeer;
    /** The session before the last handshake: it still opens messages that were in flight. */
    private SecureSession previousSession;
    private boolean confirmed;
    private boolean safetyShown;
    private boolean everRegistered;
    private boolean ackScheduled;
    private UntrustedIdentityException refusedKey;

    /**
     * @param peer the peer to call, or null to wait to be called
     * @param run  the lifecycle of a batch run, or null for a conversation that runs until stopped
     *             (interactive; a desk)
     */
    public Conversation(String peerRole, SessionId peer, IdentityKeyPair identity, PeerTrustStore trust,
            Outbox store, ConversationEvents io, EventLoop loop, SecureRandom random, Clock clock,
            SessionPolicy policy, DummySchedule dummies, BatchRun run) {
        this.peerRole = peerRole;
        this.peer = peer;
        this.trust = trust;
        this.store = store;
        this.io = io;
        this.loop = loop;
        this.clock = clock;
        this.run = run;
        this.handshakes = new Handshakes(peerRole, identity, trust, policy, clock, random, new HandshakeOutcomes());
        this.delivery = new Delivery(store, io, new Delivery.Wire() {
            @Override
            public void text(Outbox.Pending p) {
                seal(MessageKind.TEXT, AppMessages.text(p.number(), p.sentAtMillis(), p.text()), "TEXT #" + p.number());
            }

            @Override
            public void ack(long upTo, boolean gap) {
                seal(MessageKind.ACK, AppMessages.ack(upTo, gap), "ACK " + upTo);
            }
        }, loop.nanoTime());
        this.cover = new CoverTraffic(dummies, random, loop, new CoverTraffic.Sink() {
            @Override
            public boolean ready() {
                return session != null;
            }

            @Override
            public void send(byte[] body) {
                guard(() -> seal(MessageKind.DUMMY, body, "DUMMY"));
            }
        });
    }

    /** Starts with {@code link} (not yet started). The returned future completes with the exit code. */
    public CompletableFuture<Integer> start(Link link) {
        this.link = link;
        watchdog = loop.every(WATCHDOG, () -> guard(this::watchdog));
        if (run != null) {
            Duration firstConnect = run.firstConnectLimit();
            loop.schedule(firstConnect, () -> guard(() -> {
                if (!everRegistered) {
                    stop(ExitCodes.RELAY_UNREACHABLE, "relay-unreachable",
                            "could not reach any relay in " + firstConnect.toMillis() / 1000.0 + " s; giving up");
                }
            }));
            loop.schedule(run.deadline(), this::deadlinePassed);
        }
        link.start();
        return finished;
    }

    // ---- events from the relay link (any thread) ------------------------------------------------

    @Override
    public void registered(SessionId id, URI relay) {
        onLoop(() -> onRegistered(id, relay));
    }

    @Override
    public void disconnected(RelayLink.ClosedBy closedBy, String why, Duration retryIn) {
        onLoop(() -> onDisconnected(closedBy, why, retryIn));
    }

    @Override
    public void rejectedRelayFrame(String problem, int length) {
        onLoop(() -> rejected(Rejections.Kind.MALFORMED_RELAY_FRAME, "relay", "relay-frame", length,
                "The relay sent a frame this client cannot accept (" + problem + ", " + length
                        + " bytes): it was dropped; this client closes the connection (1002) and reconnects"));
    }

    @Override
    public void delivered(SessionId from, byte[] payload) {
        onLoop(() -> onPayload(from, payload));
    }

    @Override
    public void relayError(RelayFrame.Error error) {
        onLoop(() -> onRelayError(error));
    }

    @Override
    public void tlsFailed(String why) {
        loop.execute(() -> stop(ExitCodes.TLS, "tls", why));
    }

    @Override
    public void takenOver(String why) {
        loop.execute(() -> stop(ExitCodes.INTERNAL, "taken-over", why));
    }

    // ---- events from the front end (any thread) -------------------------------------------------

    /** The input is exhausted: a batch run's input is complete; any other conversation ends (Ctrl-D). */
    public void inputEnded() {
        onLoop(() -> {
            if (run != null) {
                run.inputEnded();
                checkDone();
            } else {
                stop(ExitCodes.OK, null, null);
            }
        });
    }

    /** Quits (interactive /quit). */
    public void quit() {
        loop.execute(() -> stop(ExitCodes.OK, null, null));
    }

    /** The exit code, once finished. */
    public CompletableFuture<Integer> finished() {
        return finished;
    }

    /** What this client refused so far, per kind (the client's rejection metric). */
    public Rejections rejections() {
        return rejections;
    }

    /** Runs {@code action} on the loop; a failure ends the conversation (exit 7 for storage, else 1). */
    void onLoop(IoAction action) {
        loop.execute(() -> guard(action));
    }

    // ---- what the front end may ask and do (loop only) ------------------------------------------

    /** Sends {@code text} (stored first, so it survives a restart), unless it is too long for one frame. */
    void send(String text) throws IOException {
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            io.problem("too-long", "message not sent: longer than " + MAX_TEXT_BYTES + " bytes");
            return;
        }
        delivery.enqueue(text, clock.millis());
    }

    /** Whether there is someone to talk to: a peer given or a session. */
    boolean hasPeer() {
        return peer != null || session != null;
    }

    /** Calls {@code who} (a conversation that was waiting to be called). */
    void call(SessionId who) {
        peer = who;
        startHandshake();
    }

    /** What the conversation is doing (readable from any thread). */
    public State state() {
        return state;
    }

    /** The safety number of the session up now, or null (readable from any thread). */
    public String currentSafetyNumber() {
        return safetyNumber;
    }

    /**
     * Sends {@code text} from another front end than the console (the bank desk): stored in the
     * outbox on the loop, then sent when a session is up. The future completes with the stored
     * message once it is in the outbox, or fails if it was refused (too long) or the conversation
     * ended or could not store it.
     */
    public CompletableFuture<Outbox.Pending> sendText(String text) {
        CompletableFuture<Outbox.Pending> stored = new CompletableFuture<>();
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            stored.completeExceptionally(new IllegalArgumentException("longer than " + MAX_TEXT_BYTES + " bytes of UTF-8"));
            return stored;
        }
        loop.execute(() -> {
            guard(() -> {
                try {
                    stored.complete(delivery.enqueue(text, clock.millis()));
                } catch (IOException | RuntimeException e) {
                    stored.completeExceptionally(e);
                    throw e;
                }
            });
            if (!stored.isDone()) {
                stored.completeExceptionally(new IllegalStateException("the conversation has ended"));
            }
        });
        return stored;
    }

    /**
     * An agent re-trusted {@code key} (checked out of band; the trust store already holds it): if
     * that is the key this conversation refused, a new handshake starts with it. Any thread.
     */
    public void retrusted(io.securerelay.identity.IdentityPublicKey key) {
        onLoop(() -> {
            if (refusedKey != null && refusedKey.presentedKey().equals(key)) {
                refusedKey = null;
                startHandshake();
            }
        });
    }

    String peerRole() {
        return peerRole;
    }

    Outbox outbox() {
        return store;
    }

    /** The safety number of the current session, if any. */
    Optional<String> safetyNumber() {
        return session == null ? Optional.empty() : Optional.of(session.safetyNumber());
    }

    /** The changed peer key refused last, if it is still refused. */
    Optional<UntrustedIdentityException> refusedKey() {
        return Optional.ofNullable(refusedKey);
    }

    /** Trusts the refused key (the user checked it out of band) and calls again. */
    void retrust() throws KeyFileException {
        trust.retrust(refusedKey.presentedKey());
        refusedKey = null;
        startHandshake();
    }

    // ---- the state machine (loop only) ----------------------------------------------------------

    private void onRegistered(SessionId id, URI relay) {
        boolean first = self == null || !self.equals(id);
        self = id;
        everRegistered = true;
        if (first) {
            io.sessionId(id, peer != null);
        }
        io.connected(relay.toString());
        dropSession();
        if (peer != null) {
            startHandshake();
        } else {
            setState(State.WAITING_FOR_PEER);
        }
    }

    private void onDisconnected(RelayLink.ClosedBy closedBy, String why, Duration retryIn) {
        dropSession();
        handshakes.abandonAll();
        setState(everRegistered ? State.RECONNECTING : State.CONNECTING);
        io.reconnecting(closedBy, why, retryIn.toMillis(), store.pending().size());
    }

    private void onRelayError(RelayFrame.Error error) {
        RelayFrame.ErrorCode code = error.errorCode();
        if (code == RelayFrame.ErrorCode.PEER_NOT_CONNECTED || code == RelayFrame.ErrorCode.DELIVERY_FAILED) {
            if (error.subject().equals(peer) && state != State.SECURE) {
                setState(State.WAITING_FOR_PEER);
                LOG.log(Level.FINE, "peer {0} not connected; will retry", error.subject().shortForm());
            } else if (error.subject().equals(sessionPeer)) {
                // The peer's connection is gone: our messages stay queued until a new session.
                io.info("the " + peerRole + " is not connected to the relay; messages stay queued");
                dropSession();
                setState(State.WAITING_FOR_PEER);
            }
        } else {
            LOG.log(Level.FINE, "relay error {0} about {1}", new Object[] {error.code(), error.subject().shortForm()});
        }
    }

    private void startHandshake() {
        if (self == null || peer == null) {
            return;
        }
        handshakes.start(self, peer, loop.nanoTime());
    }

    private void onPayload(SessionId from, byte[] payload) throws IOException {
        Envelope type = Envelope.of(payload);
        if (LOG.isLoggable(Level.FINE)) {
            LOG.log(Level.FINE, "in {0} from {1}: {2} bytes, sha256 {3}",
                    new Object[] {type, from.shortForm(), String.valueOf(payload.length), shortHash(payload)});
        }
        if (type.isHandshakeOfWrongLength(payload)) {
            // Never a stale or crossing message (those have the right length): cut or padded on the way.
            rejected(Rejections.Kind.MALFORMED_MESSAGE, "peer:" + from.toHex(), type.name(), payload.length,
                    "A handshake message (" + type + ") claiming to come from " + describePeer(from)
                            + " has " + payload.length + " bytes instead of " + type.expectedLength() + "; dropped");
            return;
        }
        switch (type) {
            case INIT -> handshakes.onInit(self, from, payload, loop.nanoTime());
            case RESPONSE -> handshakes.onResponse(from, payload);
            case FINISH -> handshakes.onFinish(from, payload);
            case DATA -> onData(from, payload);
            default -> rejected(Rejections.Kind.UNKNOWN_ENVELOPE, "peer:" + from.toHex(), "payload", payload.length,
                    "A payload from " + describePeer(from) + " is no message of this protocol ("
                            + envelopeHint(payload) + ", " + payload.length + " bytes); dropped");
        }
    }

    /** How the handshakes act on the conversation. */
    private final class HandshakeOutcomes implements Handshakes.Listener {
        @Override
        public void send(SessionId to, byte[] payload, String what) {
            Conversation.this.send(to, payload, what);
        }

        @Override
        public void handshaking() {
            if (state != State.SECURE) {
                setState(State.HANDSHAKING);
            }
        }

        @Override
        public void established(SecureSession s, SessionId from, TrustResult trusted, boolean responderSide)
                throws IOException {
            Conversation.this.established(s, from, trusted, responderSide);
        }

        @Override
        public void keyChanged(UntrustedIdentityException e) {
            peerKeyChanged(e);
        }

        @Override
        public void rejected(Rejections.Kind kind, SessionId from, String dropped, int bytes, String sentence) {
            Conversation.this.rejected(kind, "peer:" + from.toHex(), dropped, bytes, sentence);
        }

        @Override
        public void failing(String sentence) {
            io.problem("handshake-failed", sentence);
        }
    }

    private void established(SecureSession s, SessionId from, TrustResult trusted, boolean confirmedNow)
            throws IOException {
        if (previousSession != null) {
            previousSession.close();
        }
        previousSession = from.equals(sessionPeer) ? session : null;
        if (previousSession == null && session != null) {
            session.close();
        }
        session = s;
        sessionPeer = from;
        peer = from;
        confirmed = confirmedNow;
        refusedKey = null;
        String safety = s.safetyNumber(); // costly (iterated hashing): once per session
        safetyNumber = safety;
        delivery.opened(loop.nanoTime());
        setState(State.SECURE);
        if (trusted.newlyTrusted()) {
            io.trustedFirstUse(trusted.fingerprint());
        }
        io.secure(from, trusted.fingerprint(), safety, !safetyShown);
        safetyShown = true;
        if (confirmedNow) {
            // The responder confirms at once, so the initiator learns the session works.
            delivery.sendAck();
        }
        delivery.resendAll();
        cover.start();
        checkDone();
    }

    private void onData(SessionId from, byte[] payload) throws IOException {
        if (session == null || !from.equals(sessionPeer)) {
            LOG.log(Level.FINE, "dropped a sealed message from {0}: no session with it (it will be resent)", from.shortForm());
            return;
        }
        OpenedMessage m;
        try {
            m = openWithCurrentOrPrevious(payload);
        } catch (ReplayDetectedException e) {
            rejected(Rejections.Kind.REPLAY, "peer:" + from.toHex(), "sealed-message", payload.length,
                    "Replay attack detected: a message from the " + peerRole
                    + " arrived twice or too late and was dropped (" + e.getMessage() + ")");
            return;
        } catch (AlteredInTransitException e) {
            rejected(Rejections.Kind.ALTERED_IN_TRANSIT, "peer:" + from.toHex(), "sealed-message", payload.length,
                    "A sealed message claiming to come from the " + peerRole + " was altered in transit (relay"
                    + " tampering or corruption) and dropped unopened; the " + peerRole + " resends what it sent");
            return;
        } catch (AuthenticationFailedException e) {
            rejected(Rejections.Kind.SIGNATURE, "peer:" + from.toHex(), "sealed-message", payload.length,
                    "Signature verification failed: a message claiming to come from the "
                    + peerRole + " (" + session.peerIdentity().fingerprint() + ") was not signed by its key; dropped");
            return;
        } catch (MalformedMessageException e) {
            rejected(Rejections.Kind.MALFORMED_MESSAGE, "peer:" + from.toHex(), "sealed-message", payload.length,
                    "A sealed message claiming to come from the " + peerRole + " is malformed or cut short ("
                    + e.getMessage() + ", " + payload.length + " bytes); dropped (the " + peerRole
                    + " resends what it sent)");
            return;
        }
        confirmed = true;
        LOG.log(Level.FINE, "opened {0} seq {1}", new Object[] {m.kind(), String.valueOf(m.seq())});
        switch (m.kind()) {
            case TEXT -> onText(m.body());
            case ACK -> onAck(m.body());
            case DUMMY -> cover.received();
            default -> LOG.log(Level.FINE, "ignored a message of unknown kind");
        }
    }

    /**
     * Opens with the current session; a message whose tag does not check there may still be one
     * sealed in the previous session just before the last handshake (in flight meanwhile). A message
     * whose tag checks but whose signature does not is the current session's, and refused as such.
     */
    private OpenedMessage openWithCurrentOrPrevious(byte[] payload)
            throws ReplayDetectedException, AuthenticationFailedException, MalformedMessageException {
        try {
            return session.open(payload);
        } catch (AlteredInTransitException e) {
            if (previousSession == null) {
                throw e;
            }
            return previousSession.open(payload);
        }
    }

    private void onText(byte[] body) throws IOException {
        AppMessages.Text t;
        try {
            t = AppMessages.parseText(body);
        } catch (AppMessages.BadBodyException e) {
            LOG.log(Level.FINE, "dropped a bad text body: {0}", e.getMessage());
            return;
        }
        long now = loop.nanoTime();
        if (run != null) {
            run.textArrived(now);
        }
        delivery.text(t, now);
        if (!ackScheduled) {
            // One acknowledgement for the texts that arrived together: it goes after them.
            ackScheduled = true;
            onLoop(() -> {
                ackScheduled = false;
                delivery.sendAck();
            });
        }
        checkDone();
    }

    private void onAck(byte[] body) throws IOException {
        AppMessages.Ack ack;
        try {
            ack = AppMessages.parseAck(body);
        } catch (AppMessages.BadBodyException e) {
            LOG.log(Level.FINE, "dropped a bad acknowledgement: {0}", e.getMessage());
            return;
        }
        delivery.ack(ack, loop.nanoTime());
        checkDone();
    }

    private void watchdog() {
        long now = loop.nanoTime();
        if (run != null && run.lingerOver(now)) {
            stop(ExitCodes.OK, null, null);
        }
        if (finished.isDone() || self == null) {
            return;
        }
        if (handshakes.underWay(now) || peer == null || refusedKey != null) {
            return;
        }
        if (session != null) {
            delivery.retransmitIfSilent(now);
        }
        if (session == null || delivery.stalled(now, confirmed)) {
            startHandshake();
        }
    }

    /** A refused message or frame: counted, and told (one error event or line per refusal). */
    private void rejected(Rejections.Kind kind, String from, String dropped, int bytes, String sentence) {
        rejections.add(kind);
        io.rejected(kind, from, dropped, bytes, sentence);
    }

    private String describePeer(SessionId from) {
        return from.equals(peer) || from.equals(sessionPeer) ? "the " + peerRole : "session " + from.shortForm();
    }

    private static String envelopeHint(byte[] payload) {
        if (payload.length < 2) {
            return "too short";
        }
        return String.format("version 0x%02x, type 0x%02x", payload[0] & 0xff, payload[1] & 0xff);
    }

    private void peerKeyChanged(UntrustedIdentityException e) {
        refusedKey = e;
        io.problem("peer-key-changed", "The " + peerRole + "'s identity key has CHANGED: stored fingerprint "
                + e.storedFingerprint() + ", presented fingerprint " + e.presentedFingerprint()
                + ". The session was refused. If you checked the new key with the " + peerRole
                + " out of band, type /retrust.");
        if (run != null) {
            stop(ExitCodes.PEER_KEY_CHANGED, null, null);
        }
    }

    private void seal(MessageKind kind, byte[] body, String what) {
        byte[] sealed = session.seal(kind, body);
        if (LOG.isLoggable(Level.FINE)) {
            LOG.log(Level.FINE, "out {0} seq {1}: {2} bytes, sha256 {3}", new Object[] {what,
                    String.valueOf(session.nextSendSeq() - 1), String.valueOf(sealed.length), shortHash(sealed)});
        }
        send(sessionPeer, sealed, what);
    }

    private void send(SessionId to, byte[] payload, String what) {
        if (!link.send(to, payload)) {
            LOG.log(Level.FINE, "{0} not sent: not connected (kept for later)", what);
        }
    }

    private void dropSession() {
        safetyNumber = null;
        if (session != null) {
            session.close();
            session = null;
            sessionPeer = null;
        }
        if (previousSession != null) {
            previousSession.close();
            previousSession = null;
        }
        delivery.closed();
    }

    /** A batch run that is done acknowledges once more and lingers (see {@link BatchRun}). */
    private void checkDone() {
        if (run != null && run.lingerIfDone(store.pending().size(), store.lastIn(), loop.nanoTime())) {
            delivery.sendAck(); // done is printed when the linger ends: it is the last line
        }
    }

    private void setState(State s) {
        state = s;
    }

    /** Ends the conversation with {@code exitCode}; prints {@code sentence} if given. */
    void stop(int exitCode, String code, String sentence) {
        if (finished.isDone()) {
            return;
        }
        if (sentence != null) {
            io.problem(code, sentence);
        }
        if (exitCode == ExitCodes.OK && run != null && run.lingering()) {
            io.done(store.nextOut() - 1, store.lastIn(), rejections.total());
        }
        io.close(); // the line above was the run's last: events racing in after it are dropped
        state = State.STOPPED;
        dropSession();
        handshakes.abandonAll();
        cover.stop();
        if (watchdog != null) {
            watchdog.cancel();
        }
        finished.complete(exitCode);
    }

    private void deadlinePassed() {
        stop(ExitCodes.TIMEOUT, "timeout", "not finished within " + run.deadline().toMillis() / 1000.0
                + " s: " + store.pending().size() + " message(s) unacknowledged, " + store.lastIn() + " of "
                + run.expect() + " received");
    }

    /** Runs {@code action} unless the conversation ended (a stopped conversation answers nothing). */
    private void guard(IoAction action) {
        if (finished.isDone()) {
            return;
        }
        try {
            action.run();
        } catch (IOException e) {
            stop(ExitCodes.KEY_FILE, "storage", "cannot write the conversation state in " + store.describe()
                    + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "internal error", e);
            stop(ExitCodes.INTERNAL, "internal", "internal error: " + e);
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "internal error", e);
            stop(ExitCodes.INTERNAL, "internal", "internal error: " + e);
        }
    }

    /** A task on the loop that may fail with an I/O error (the outbox) or worse. */
    @FunctionalInterface
    interface IoAction {
        void run() throws Exception;
    }

    private static String shortHash(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
