package io.securerelay.client.internal;

import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.SessionId;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;

/**
 * An in-memory stand-in for the relay, for the conversation's own tests: it routes payloads by
 * session ID like the real relay, and lets a test play the faults and the attacker (go down and
 * come back, lose frames in flight, record or alter what passes). The real relay is tested in
 * relay-war and e2e-tests.
 */
public final class MemoryRelay {

    public static final URI URI = java.net.URI.create("wss://memory.invalid/relay");

    /** A payload the relay carried: who sent it to whom. */
    public record Carried(SessionId from, SessionId to, byte[] payload) {
    }

    /** Every payload sent through the relay, in order (what an attacker in the relay sees). */
    public final List<Carried> carried = new CopyOnWriteArrayList<>();

    private final Map<SessionId, MemoryLink> links = new ConcurrentHashMap<>();
    final List<byte[]> seen = new CopyOnWriteArrayList<>();
    /** Decides, per frame, whether it passes (false: the relay loses it). */
    volatile BiPredicate<SessionId, byte[]> pass = (to, payload) -> true;
    /** Plays the attacker: what reaches {@code to} instead of {@code payload} (the same bytes by default). */
    volatile java.util.function.BiFunction<SessionId, byte[], byte[]> alter = (to, payload) -> payload;
    volatile boolean up = true;

    MemoryLink link(SecureRandom random, RelayLink.Listener listener) {
        return new MemoryLink(SessionId.random(random), listener);
    }

    /** A link registered as {@code id} once started (the desk's tests: the desk knows its ID). */
    public Link link(SessionId id, RelayLink.Listener listener) {
        return new MemoryLink(id, listener);
    }

    /** The relay goes away: every client is disconnected and sends fail until {@link #restart}. */
    void crash() {
        up = false;
        for (MemoryLink l : links.values()) {
            l.listener.disconnected(RelayLink.ClosedBy.NETWORK, "connection lost (1006: no close frame)", Duration.ofMillis(10));
        }
    }

    /** The relay delivers {@code payload} to {@code to} as if {@code from} had sent it (an injected frame). */
    public void inject(SessionId from, SessionId to, byte[] payload) {
        links.get(to).listener.delivered(from, payload.clone());
    }

    /** The relay is back: every client reconnects and registers its session ID again. */
    void restart() {
        up = true;
        for (MemoryLink l : links.values()) {
            l.listener.registered(l.id, URI);
        }
    }

    final class MemoryLink implements Link {
        final SessionId id;
        final RelayLink.Listener listener;

        MemoryLink(SessionId id, RelayLink.Listener listener) {
            this.id = id;
            this.listener = listener;
        }

        @Override
        public void start() {
            links.put(id, this);
            listener.registered(id, URI);
        }

        @Override
        public boolean send(SessionId to, byte[] payload) {
            if (!up) {
                return false;
            }
            seen.add(payload.clone());
            carried.add(new Carried(id, to, payload.clone()));
            MemoryLink target = links.get(to);
            if (target == null) {
                listener.relayError(new RelayFrame.Error(RelayFrame.ErrorCode.PEER_NOT_CONNECTED, to));
            } else if (pass.test(to, payload)) {
                target.listener.delivered(id, alter.apply(to, payload.clone()));
            }
            return true;
        }

        @Override
        public void close() {
            links.remove(id);
        }
    }
}
