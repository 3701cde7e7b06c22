package io.securerelay.client.internal;

import io.securerelay.client.ExitCodes;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.identity.TrustResult;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.Envelope;
import io.securerelay.protocol.Handshake;
import io.securerelay.protocol.HandshakeException;
import io.securerelay.protocol.InitiatorHandshake;
import io.securerelay.protocol.MalformedMessageException;
import io.securerelay.protocol.MessageKind;
import io.securerelay.protocol.OpenedMessage;
import io.securerelay.protocol.ReplayDetectedException;
import io.securerelay.protocol.ResponderHandshake;
import io.securerelay.protocol.SecureSession;
import io.securerelay.protocol.SessionPolicy;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.SessionId;
import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The conversation with the peer: handshakes, the secure session, numbered messages with
 * end-to-end acknowledgements, resends after reconnects, dummy traffic, and what the user sees.
 *
 * <p>Every method runs on one thread (the {@code actor} executor): the relay link, the input
 * reader and the timers only submit tasks to it, so the state below needs no locks.
 *
 * <p>Delivery rule: message N from the peer is shown only if N is one more than the last shown
 * (persisted in the {@link Outbox}); lower numbers are resends (acknowledged again,
 * not shown, no replay alarm: the session's replay window is about the relay, this is about our
 * own resends); higher numbers wait in memory (at most {@value #MAX_AHEAD}) for the gap, and the
 * acknowledgement asks the sender to resend the missing one.
 */
public final class Conversation implements RelayLink.Listener {

    /** What the conversation is doing, as the status line shows it. */
    public enum State { CONNECTING, RECONNECTING, WAITING_FOR_PEER, HANDSHAKING, SECURE, STOPPED }

    private static final Logger LOG = Logger.getLogger(Conversation.class.getName());
    /** Longest text a user may send: the sealed message must fit one relay frame. */
    public static final int MAX_TEXT_BYTES = 16 * 1024;
    private static final Duration WATCHDOG = Duration.ofMillis(500);
    /** Pending messages without any acknowledgement for this long: resend the first one. */
    private static final Duration RETRANSMIT = Duration.ofSeconds(1);
    private static final Duration NO_PROGRESS = Duration.ofSeconds(8);
    /** A handshake without an answer for this long is started again (a lost frame, a peer away). */
    private static final Duration HANDSHAKE_RETRY = Duration.ofSeconds(4);
    /** At most one resend of the pending messages within a session per this interval. */
    private static final Duration RESEND_GAP = Duration.ofMillis(300);
    /** Messages received ahead of a gap that are kept while waiting for it. */
    static final int MAX_AHEAD = 4096;
    /** Unacknowledged messages in flight per session: flow control towards the relay and the peer. */
    static final int WINDOW = 128;
    /** A finished batch run stays this long after the last text from the peer, to acknowledge resends. */
    private static final Duration LINGER_QUIET = Duration.ofSeconds(2);
    private static final Duration LINGER_MAX = Duration.ofSeconds(15);
    /** A batch run that never reached a relay gives up after this long (or its deadline, if shorter). */
    private static final Duration FIRST_CONNECT_LIMIT = Duration.ofSeconds(30);

    private final String peerRole;
    private final IdentityKeyPair identity;
    private final PeerTrustStore trust;
    private final Outbox store;
    private final UserIo io;
    private final ScheduledExecutorService actor;
    private final SecureRandom random;
    private final Clock clock;
    private final SessionPolicy policy;
    private final DummySchedule dummies;
    private final long expect;
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    private final Rejections rejections = new Rejections();

    private Link link;
    private State state = State.CONNECTING;
    private SessionId self;
    private SessionId peer;
    private InitiatorHandshake initiator;
    private SessionId initiatorPeer;
    private ResponderHandshake responder;
    private SessionId responderPeer;
    private SecureSession session;
    private SessionId sessionPeer;
    /** The session before the last handshake: it still opens messages that were in flight. */
    private SecureSession previousSession;
    private final java.util.TreeMap<Long, AppMessages.Text> ahead = new java.util.TreeMap<>();
    private boolean confirmed;
    private boolean safetyShown;
    private boolean everRegistered;
    private boolean ackScheduled;
    private boolean inputDone;
    private long lastProgressNanos = System.nanoTime();
    private long handshakeStartedNanos;
    private long lastResendNanos;
    private long lastResentNumber;
    /** The highest message number sent in the current session (window bookkeeping). */
    private long sentUpTo;
    private long lastTextNanos;
    private long lingerSinceNanos = -1;
    private long receivedThisRun;
    private long dummiesDropped;
    private int failedHandshakes;
    private UntrustedIdentityException refusedKey;
    private ScheduledFuture<?> nextDummy;

    /** When cover traffic goes out: uniformly between {@code min} and {@code max}; zero max = never. */
    public record DummySchedule(Duration min, Duration max) {
        boolean enabled() {
            return !max.isZero();
        }
    }

    public Conversation(String peerRole, SessionId peer, IdentityKeyPair identity, PeerTrustStore trust,
            Outbox store, UserIo io, ScheduledExecutorService actor, SecureRandom random, Clock clock,
            SessionPolicy policy, DummySchedule dummies, long expect) {
        this.peerRole = peerRole;
        this.peer = peer;
        this.identity = identity;
        this.trust = trust;
        this.store = store;
        this.io = io;
        this.actor = actor;
        this.random = random;
        this.clock = clock;
        this.policy = policy;
        this.dummies = dummies;
        this.expect = expect;
    }

    /**
     * Starts with {@code link} (not yet started). The returned future completes with the exit code.
     *
     * @param deadline a batch run ends (exit {@link ExitCodes#TIMEOUT}) after this long
     */
    public CompletableFuture<Integer> start(Link link, Duration deadline) {
        Duration firstConnect = deadline.compareTo(FIRST_CONNECT_LIMIT) < 0 ? deadline : FIRST_CONNECT_LIMIT;
        this.link = link;
        actor.scheduleWithFixedDelay(() -> guard(this::watchdog), WATCHDOG.toMillis(), WATCHDOG.toMillis(), TimeUnit.MILLISECONDS);
        if (io.batch()) {
            actor.schedule(() -> guard(() -> {
                if (!everRegistered) {
                    stop(ExitCodes.RELAY_UNREACHABLE, "relay-unreachable",
                            "could not reach any relay in " + firstConnect.toMillis() / 1000.0 + " s; giving up");
                }
            }), firstConnect.toMillis(), TimeUnit.MILLISECONDS);
            actor.schedule(() -> deadlinePassed(deadline), deadline.toMillis(), TimeUnit.MILLISECONDS);
        }
        link.start();
        return finished;
    }

    // ---- events from the relay link (any thread) ------------------------------------------------

    @Override
    public void registered(SessionId id, URI relay) {
        actor.execute(() -> guard(() -> onRegistered(id, relay)));
    }

    @Override
    public void disconnected(RelayLink.ClosedBy closedBy, String why, Duration retryIn) {
        actor.execute(() -> guard(() -> onDisconnected(closedBy, why, retryIn)));
    }

    @Override
    public void rejectedRelayFrame(String problem, int length) {
        actor.execute(() -> guard(() -> rejected(Rejections.Kind.MALFORMED_RELAY_FRAME, "relay", "relay-frame", length,
                "The relay sent a frame this client cannot accept (" + problem + ", " + length
                        + " bytes): it was dropped; this client closes the connection (1002) and reconnects")));
    }

    @Override
    public void delivered(SessionId from, byte[] payload) {
        actor.execute(() -> guard(() -> onPayload(from, payload)));
    }

    @Override
    public void relayError(RelayFrame.Error error) {
        actor.execute(() -> guard(() -> onRelayError(error)));
    }

    @Override
    public void tlsFailed(String why) {
        actor.execute(() -> stop(ExitCodes.TLS, "tls", why));
    }

    @Override
    public void takenOver(String why) {
        actor.execute(() -> stop(ExitCodes.INTERNAL, "taken-over", why));
    }

    // ---- events from the user (any thread) -------------------------------------------------------

    /** A line the user typed (or a line of the script): a message, or a command in interactive mode. */
    public void userLine(String line) {
        actor.execute(() -> guard(() -> onUserLine(line)));
    }

    /** The input is exhausted (batch: the script or stdin ended). */
    public void inputEnded() {
        actor.execute(() -> guard(() -> {
            inputDone = true;
            if (io.batch()) {
                checkDone();
            } else {
                stop(ExitCodes.OK, null, null); // end of input (Ctrl-D) quits an interactive client
            }
        }));
    }

    /** Quits (interactive /quit). */
    public void quit() {
        actor.execute(() -> stop(ExitCodes.OK, null, null));
    }

    /** The exit code, once finished. */
    public CompletableFuture<Integer> finished() {
        return finished;
    }

    /** What this client refused so far, per kind (the client's rejection metric). */
    public Rejections rejections() {
        return rejections;
    }

    // ---- the state machine (actor thread only) ---------------------------------------------------

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
        abandon(initiator);
        abandon(responder);
        initiator = null;
        responder = null;
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
        abandon(initiator);
        initiator = Handshake.initiator(identity, self, peer, trust, policy, clock, random);
        initiatorPeer = peer;
        handshakeStartedNanos = System.nanoTime();
        if (state != State.SECURE) {
            setState(State.HANDSHAKING);
        }
        send(peer, initiator.createInit(), "INIT");
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
            case INIT -> onInit(from, payload);
            case RESPONSE -> onResponse(from, payload);
            case FINISH -> onFinish(from, payload);
            case DATA -> onData(from, payload);
            default -> rejected(Rejections.Kind.UNKNOWN_ENVELOPE, "peer:" + from.toHex(), "payload", payload.length,
                    "A payload from " + describePeer(from) + " is no message of this protocol ("
                            + envelopeHint(payload) + ", " + payload.length + " bytes); dropped");
        }
    }

    private void onInit(SessionId from, byte[] init) {
        if (initiator != null && initiator.state() == Handshake.State.AWAITING_RESPONSE
                && from.equals(initiatorPeer) && self.compareTo(from) < 0) {
            // Both called at once: the lower session ID stays the initiator. The crossing INIT is
            // still checked (its signature and the key it carries), so a changed key is refused
            // on this side too, with both fingerprints.
            try {
                Handshake.responder(identity, self, from, trust, policy, clock, random).receiveInit(init);
            } catch (UntrustedIdentityException e) {
                abandon(initiator);
                initiator = null;
                peerKeyChanged(e);
            } catch (AuthenticationFailedException | HandshakeException | KeyFileException e) {
                LOG.log(Level.FINE, "a crossing INIT did not verify: {0}", e.getMessage());
            }
            return;
        }
        ResponderHandshake r = Handshake.responder(identity, self, from, trust, policy, clock, random);
        try {
            byte[] response = r.receiveInit(init);
            abandon(responder);
            responder = r;
            responderPeer = from;
            if (from.equals(initiatorPeer)) {
                abandon(initiator);
                initiator = null;
            }
            handshakeStartedNanos = System.nanoTime();
            if (state != State.SECURE) {
                setState(State.HANDSHAKING);
            }
            send(from, response, "RESPONSE");
        } catch (UntrustedIdentityException e) {
            // Call back with our own (signed) INIT: the peer checks the key it carries, so it
            // refuses too when its stored key for us is not ours, instead of waiting in vain.
            InitiatorHandshake counter = Handshake.initiator(identity, self, from, trust, policy, clock, random);
            send(from, counter.createInit(), "INIT (after refusing)");
            counter.abandon();
            peerKeyChanged(e);
        } catch (AuthenticationFailedException e) {
            // Unauthenticated noise (a forged or garbled INIT): the relay could send it; say so, go on.
            rejected(Rejections.Kind.SIGNATURE, "peer:" + from.toHex(), "INIT", init.length,
                    "Signature verification failed: a handshake claiming to come from the "
                    + peerRole + " was not signed by the key it carries; ignored");
        } catch (HandshakeException | KeyFileException e) {
            LOG.log(Level.FINE, "ignored an INIT from {0}: {1}", new Object[] {from.shortForm(), e.getMessage()});
        }
    }

    private void onResponse(SessionId from, byte[] response) throws IOException {
        if (initiator == null || !from.equals(initiatorPeer) || initiator.state() != Handshake.State.AWAITING_RESPONSE) {
            LOG.log(Level.FINE, "ignored an unexpected RESPONSE from {0}", from.shortForm());
            return;
        }
        InitiatorHandshake h = initiator;
        initiator = null;
        completeHandshake(h, from, false, () -> send(from, h.receiveResponse(response), "FINISH"));
    }

    private void onFinish(SessionId from, byte[] finish) throws IOException {
        if (responder == null || !from.equals(responderPeer) || responder.state() != Handshake.State.AWAITING_FINISH) {
            LOG.log(Level.FINE, "ignored an unexpected FINISH from {0}", from.shortForm());
            return;
        }
        ResponderHandshake h = responder;
        responder = null;
        completeHandshake(h, from, true, () -> h.receiveFinish(finish));
    }

    /** The last step of a handshake, which verifies the peer; any failure leaves {@code h} FAILED. */
    @FunctionalInterface
    private interface FinalStep {
        void run() throws HandshakeException, AuthenticationFailedException, UntrustedIdentityException,
                KeyFileException;
    }

    private void completeHandshake(Handshake h, SessionId from, boolean responderSide, FinalStep step)
            throws IOException {
        try {
            step.run();
        } catch (UntrustedIdentityException e) {
            peerKeyChanged(e);
            return;
        } catch (AuthenticationFailedException e) {
            handshakeRefused("Signature verification failed: the handshake was not signed by the "
                    + peerRole + "'s key" + storedFingerprintHint() + "; the session was refused");
            return;
        } catch (HandshakeException | KeyFileException e) {
            handshakeRefused("handshake with the " + peerRole + " failed: " + e.getMessage());
            return;
        }
        established(h.session(), from, h.peerTrust(), responderSide);
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
        failedHandshakes = 0;
        lastProgressNanos = System.nanoTime();
        setState(State.SECURE);
        if (trusted.newlyTrusted()) {
            io.trustedFirstUse(trusted.fingerprint());
        }
        io.secure(from, trusted.fingerprint(), s.safetyNumber(), !safetyShown);
        safetyShown = true;
        if (confirmedNow) {
            // The responder confirms at once, so the initiator learns the session works.
            sendAck();
        }
        sentUpTo = store.ackedOut();
        sendWindow();
        scheduleDummy();
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
        if (!confirmed) {
            confirmed = true;
        }
        LOG.log(Level.FINE, "opened {0} seq {1}", new Object[] {m.kind(), String.valueOf(m.seq())});
        switch (m.kind()) {
            case TEXT -> onText(m.body());
            case ACK -> onAck(m.body());
            case DUMMY -> {
                dummiesDropped++;
                LOG.log(Level.FINE, "dropped dummy message ({0} so far)", String.valueOf(dummiesDropped));
            }
            default -> LOG.log(Level.FINE, "ignored a message of unknown kind");
        }
    }

    /**
     * Opens with the current session; a message that does not authenticate there may still be one
     * sealed in the previous session just before the last handshake (in flight meanwhile).
     */
    private OpenedMessage openWithCurrentOrPrevious(byte[] payload)
            throws ReplayDetectedException, AuthenticationFailedException, MalformedMessageException {
        try {
            return session.open(payload);
        } catch (AuthenticationFailedException e) {
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
        lastTextNanos = System.nanoTime();
        long expected = store.lastIn() + 1;
        if (t.number() == expected) {
            deliver(t);
            for (AppMessages.Text next; (next = ahead.remove(store.lastIn() + 1)) != null; ) {
                deliver(next);
            }
            ahead.headMap(store.lastIn() + 1).clear();
        } else if (t.number() > expected) {
            // A gap: something was lost on the way. Keep this one; the acknowledgement asks the
            // sender to resend the missing one (see onAck).
            if (ahead.size() < MAX_AHEAD) {
                ahead.put(t.number(), t);
            }
            LOG.log(Level.FINE, "message {0} waits for the resend of {1}",
                    new Object[] {String.valueOf(t.number()), String.valueOf(expected)});
        } else {
            LOG.log(Level.FINE, "duplicate of message {0} (a resend) not shown again", String.valueOf(t.number()));
        }
        if (!ackScheduled) {
            ackScheduled = true;
            actor.execute(() -> guard(() -> {
                ackScheduled = false;
                sendAck();
            }));
        }
        checkDone();
    }

    private void deliver(AppMessages.Text t) throws IOException {
        // Shown first, then recorded: a message is never lost from the screen. A crash between
        // the two shows that one message again after the restart, with the same number (the
        // number is the idempotency key for programs reading batch output). Recording first
        // would instead hide it for good: the test that kills a client caught that.
        io.received(t.number(), t.sentAtMillis(), t.text());
        store.delivered(t.number());
        receivedThisRun++;
        lastProgressNanos = System.nanoTime();
    }

    private void onAck(byte[] body) throws IOException {
        AppMessages.Ack ack;
        try {
            ack = AppMessages.parseAck(body);
        } catch (AppMessages.BadBodyException e) {
            LOG.log(Level.FINE, "dropped a bad acknowledgement: {0}", e.getMessage());
            return;
        }
        if (ack.upTo() > store.ackedOut()) {
            store.acknowledged(ack.upTo());
            io.acked(store.ackedOut());
            lastProgressNanos = System.nanoTime();
            sendWindow();
        }
        if (ack.gap()) {
            // The peer holds later messages and waits for the next one: it was lost on the way.
            Outbox.Pending missing = store.pending().get(ack.upTo() + 1);
            long now = System.nanoTime();
            if (missing != null && (missing.number() != lastResentNumber || now - lastResendNanos > RESEND_GAP.toNanos())) {
                lastResentNumber = missing.number();
                lastResendNanos = now;
                LOG.log(Level.FINE, "the peer waits for message {0}: resending it", String.valueOf(missing.number()));
                sendText(missing);
            }
        }
        checkDone();
    }

    private void onUserLine(String line) throws IOException {
        if (!io.batch() && line.startsWith("/")) {
            command(line.trim());
            return;
        }
        if (!io.batch() && peer == null && session == null) {
            try {
                peer = SessionId.parse(line);
                io.info("Calling the " + peerRole + " at " + peer.toHex() + " ...");
                startHandshake();
                return;
            } catch (IllegalArgumentException notAnId) {
                io.info("No " + peerRole + " yet: type their session ID first (" + notAnId.getMessage() + ").");
                return;
            }
        }
        if (line.isEmpty()) {
            return;
        }
        if (line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            io.problem("too-long", "message not sent: longer than " + MAX_TEXT_BYTES + " bytes");
            return;
        }
        Outbox.Pending p = store.enqueue(line, clock.millis());
        io.queued(p.number(), session != null);
        sendWindow();
    }

    private void command(String cmd) {
        switch (cmd) {
            case "/quit", "/exit" -> stop(ExitCodes.OK, null, null);
            case "/status" -> io.status(describeState(), store.pending().size(), store.lastIn(), rejections.summary());
            case "/safety" -> {
                if (session != null) {
                    io.info("Safety number with the " + peerRole + ": " + session.safetyNumber()
                            + " (the same on both screens means no one is in between)");
                } else {
                    io.info("No secure session yet.");
                }
            }
            case "/retrust" -> {
                if (refusedKey == null || refusedKey.presentedKey() == null) {
                    io.info("Nothing to re-trust: no changed key was refused.");
                } else {
                    try {
                        trust.retrust(refusedKey.presentedKey());
                    } catch (KeyFileException e) {
                        io.problem("key-file", e.getMessage());
                        return;
                    }
                    io.info("Now trusting the " + peerRole + "'s new key " + refusedKey.presentedFingerprint() + ".");
                    refusedKey = null;
                    startHandshake();
                }
            }
            case "/help" -> io.info("Type a message and press Enter to send it. Commands: /status, /safety, /retrust, /quit.");
            default -> io.info("Unknown command " + cmd + " (/help lists them).");
        }
    }

    private void watchdog() {
        long now = System.nanoTime();
        checkLinger(now);
        if (finished.isDone() || self == null) {
            return;
        }
        boolean handshaking = initiator != null || responder != null;
        long retryAfter = Math.min(policy.handshakeTimeout().toNanos(), HANDSHAKE_RETRY.toNanos());
        if (handshaking && now - handshakeStartedNanos > retryAfter) {
            abandon(initiator);
            abandon(responder);
            initiator = null;
            responder = null;
            handshaking = false;
            LOG.log(Level.FINE, "handshake timed out");
        }
        if (handshaking || peer == null || refusedKey != null) {
            return;
        }
        if (session != null && !store.pending().isEmpty() && now - lastProgressNanos > RETRANSMIT.toNanos()
                && now - lastResendNanos > RETRANSMIT.toNanos()) {
            // The message or its acknowledgement may be lost: resend the oldest; its
            // acknowledgement (the peer acknowledges duplicates too) moves things on.
            lastResendNanos = now;
            sendText(store.pending().get(store.pending().firstKey()));
        }
        boolean stuck = session != null && (!store.pending().isEmpty() || !confirmed)
                && now - lastProgressNanos > NO_PROGRESS.toNanos();
        if (session == null || stuck) {
            if (stuck) {
                LOG.log(Level.FINE, "no acknowledgement for {0} s: new handshake", String.valueOf(NO_PROGRESS.toSeconds()));
                lastProgressNanos = now;
            }
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
        if (io.batch()) {
            stop(ExitCodes.PEER_KEY_CHANGED, null, null);
        }
    }

    /**
     * A handshake answer that did not verify. A stale answer to an earlier attempt (after a
     * reconnect) fails the same way as a forged one, so one failure is only logged; the user is
     * told from the third in a row, and the handshake is retried either way. A batch run that
     * never gets a session ends at its deadline.
     */
    private void handshakeRefused(String sentence) {
        failedHandshakes++;
        if (failedHandshakes >= 3) {
            io.problem("handshake-failed", sentence);
        } else {
            LOG.log(Level.FINE, "{0}", sentence);
        }
    }

    private String storedFingerprintHint() {
        try {
            return trust.stored().map(k -> " (" + k.fingerprint() + ")").orElse("");
        } catch (KeyFileException e) {
            return "";
        }
    }

    /** Sends the pending messages not yet sent in this session, as far as the window allows. */
    private void sendWindow() {
        if (session == null) {
            return;
        }
        long limit = store.ackedOut() + WINDOW;
        for (Outbox.Pending p : store.pending().tailMap(sentUpTo + 1).values()) {
            if (p.number() > limit) {
                break;
            }
            sendText(p);
            sentUpTo = p.number();
        }
    }

    private void sendText(Outbox.Pending p) {
        seal(MessageKind.TEXT, AppMessages.text(p.number(), p.sentAtMillis(), p.text()), "TEXT #" + p.number());
    }

    private void sendAck() {
        if (session != null) {
            seal(MessageKind.ACK, AppMessages.ack(store.lastIn(), !ahead.isEmpty()), "ACK " + store.lastIn());
        }
    }

    private void scheduleDummy() {
        if (!dummies.enabled() || (nextDummy != null && !nextDummy.isDone())) {
            return;
        }
        long min = dummies.min().toNanos();
        long span = dummies.max().toNanos() - min;
        long delay = min + (span == 0 ? 0 : (long) (random.nextDouble() * span));
        nextDummy = actor.schedule(() -> guard(() -> {
            if (session != null) {
                // Cover traffic: a body as long as a short text, so it lands in the same size buckets.
                byte[] body = new byte[16 + random.nextInt(64)];
                random.nextBytes(body);
                seal(MessageKind.DUMMY, body, "DUMMY");
            }
            nextDummy = null;
            scheduleDummy();
        }), delay, TimeUnit.NANOSECONDS);
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

    /** Gives a handshake up and wipes its ephemeral key (forward secrecy). */
    private static void abandon(Handshake h) {
        if (h != null) {
            h.abandon();
        }
    }

    private void dropSession() {
        if (session != null) {
            session.close();
            session = null;
            sessionPeer = null;
        }
        if (previousSession != null) {
            previousSession.close();
            previousSession = null;
        }
    }

    /**
     * A batch run is done when its input is sent and acknowledged and the expected messages
     * arrived. It then lingers: the peer may not have our last acknowledgement yet (lost with a
     * connection); while it resends, we acknowledge again. It leaves after {@code LINGER_QUIET}
     * without a text from the peer (at most {@code LINGER_MAX}).
     */
    private void checkDone() {
        if (lingerSinceNanos < 0 && io.batch() && inputDone && store.pending().isEmpty() && store.lastIn() >= expect) {
            sendAck();
            lingerSinceNanos = System.nanoTime(); // done is printed when the linger ends: it is the last line
        }
    }

    private void checkLinger(long now) {
        if (lingerSinceNanos >= 0 && (now - Math.max(lastTextNanos, lingerSinceNanos) > LINGER_QUIET.toNanos()
                || now - lingerSinceNanos > LINGER_MAX.toNanos())) {
            stop(ExitCodes.OK, null, null);
        }
    }

    private void setState(State s) {
        state = s;
    }

    private String describeState() {
        return switch (state) {
            case CONNECTING -> "connecting to the relay";
            case RECONNECTING -> "reconnecting";
            case WAITING_FOR_PEER -> "connected, waiting for the " + peerRole;
            case HANDSHAKING -> "connected, handshake with the " + peerRole;
            case SECURE -> "connected, secure session with the " + peerRole;
            case STOPPED -> "stopped";
        };
    }

    /** Ends the conversation with {@code exitCode}; prints {@code sentence} if given. */
    public void stop(int exitCode, String code, String sentence) {
        if (finished.isDone()) {
            return;
        }
        if (sentence != null) {
            io.problem(code, sentence);
        }
        if (exitCode == ExitCodes.OK && io.batch() && lingerSinceNanos >= 0) {
            io.done(store.nextOut() - 1, store.lastIn(), rejections.total());
        }
        io.close(); // the line above was the run's last: events racing in after it are dropped
        state = State.STOPPED;
        dropSession();
        finished.complete(exitCode);
    }

    private void deadlinePassed(Duration deadline) {
        stop(ExitCodes.TIMEOUT, "timeout", "not finished within " + deadline.toMillis() / 1000.0
                + " s: " + store.pending().size() + " message(s) unacknowledged, " + store.lastIn() + " of "
                + expect + " received");
    }

    private void guard(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            stop(ExitCodes.KEY_FILE, "storage", "cannot write the conversation state in " + store.directory()
                    + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "internal error", e);
            stop(ExitCodes.INTERNAL, "internal", "internal error: " + e);
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "internal error", e);
            stop(ExitCodes.INTERNAL, "internal", "internal error: " + e);
        }
    }

    @FunctionalInterface
    private interface IoAction {
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
