package io.securerelay.relay.routing;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.routing.RouterTest.RecordingPeer;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;



/**
 * The router's cluster hooks, with a cluster that records what the router asked of it (the real
 * one, on Redis, is exercised by {@code ClusterE2EIT} on two Payara Micro processes and a real redis-server).
 */
class RouterClusterTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Router router = new Router(RANDOM);
    private final RecordingCluster cluster = new RecordingCluster();

    /** Records the calls; {@code holds} decides whether a forward finds an instance. */
    final class RecordingCluster implements ClusterRouting {
        final List<String> calls = new ArrayList<>();
        final List<byte[]> forwardedPayloads = new ArrayList<>();
        boolean holds = true;
        /** What the session's own connection had been sent when registered() ran. */
        int sentAtRegistration = -1;
        RecordingPeer watched;

        @Override
        public void registered(SessionId id) {
            calls.add("registered " + id.shortForm());
            if (watched != null) {
                sentAtRegistration = watched.sent.size();
            }
        }

        @Override
        public void unregistered(SessionId id) {
            calls.add("unregistered " + id.shortForm());
        }

        @Override
        public boolean forward(SessionId from, SessionId to, ByteBuffer payload) {
            calls.add("forward " + from.shortForm() + " " + to.shortForm());
            forwardedPayloads.add(bytesOf(payload));
            return holds;
        }
    }

    private RelayConnection registered(RecordingPeer peer, RoutingKey key) throws Exception {
        RelayConnection c = new RelayConnection(peer);
        router.onOpen(c);
        RelayFrame.Challenge challenge = assertInstanceOf(RelayFrame.Challenge.class,
                RelayCodec.decodeServerFrame(peer.sent.get(0)));
        peer.sent.clear();
        router.onFrame(c, RelayCodec.encode(key.register(challenge.nonce())));
        assertEquals(new RelayFrame.Registered(key.sessionId()), peer.frame(0));
        peer.sent.clear();
        return c;
    }

    private static ByteBuffer send(SessionId to, byte... payload) {
        return RelayCodec.encode(new RelayFrame.Send(to, ByteBuffer.wrap(payload)));
    }

    @Test
    void aFrameToALocalSessionNeverReachesTheCluster() throws Exception {
        router.joinCluster(cluster);
        RecordingPeer pa = new RecordingPeer(), pb = new RecordingPeer();
        RelayConnection a = registered(pa, RoutingKey.generate(RANDOM));
        RelayConnection b = registered(pb, RoutingKey.generate(RANDOM));
        cluster.calls.clear();
        router.onFrame(a, send(b.sessionId(), new byte[] {1, 2}));
        assertEquals(new RelayFrame.Deliver(a.sessionId(), ByteBuffer.wrap(new byte[] {1, 2})), pb.frame(0));
        assertEquals(List.of(), cluster.calls);
    }

    @Test
    void aFrameToAnIdHeldByNoLocalConnectionIsForwardedUnchangedWithoutError() throws Exception {
        router.joinCluster(cluster);
        RecordingPeer pa = new RecordingPeer();
        RelayConnection a = registered(pa, RoutingKey.generate(RANDOM));
        SessionId elsewhere = SessionId.random(RANDOM);
        router.onFrame(a, send(elsewhere, new byte[] {7, 8, 9}));
        assertTrue(cluster.calls.contains("forward " + a.sessionId().shortForm() + " " + elsewhere.shortForm()));
        assertArrayEquals(new byte[] {7, 8, 9}, cluster.forwardedPayloads.get(0));
        assertTrue(pa.sent.isEmpty(), "no ERROR for a forwarded frame");
    }

    @Test
    void anIdHeldNowhereGetsPeerNotConnected() throws Exception {
        router.joinCluster(cluster);
        cluster.holds = false;
        RecordingPeer pa = new RecordingPeer();
        RelayConnection a = registered(pa, RoutingKey.generate(RANDOM));
        SessionId nowhere = SessionId.random(RANDOM);
        router.onFrame(a, send(nowhere, (byte) 1));
        RelayFrame.Error e = assertInstanceOf(RelayFrame.Error.class, pa.last());
        assertEquals(RelayFrame.ErrorCode.PEER_NOT_CONNECTED.code(), e.code());
        assertEquals(nowhere, e.subject());
    }

    @Test
    void theDirectoryLearnsARegistrationBeforeTheClientIsToldAndForgetsItOnlyWithItsOwner() throws Exception {
        router.joinCluster(cluster);
        RoutingKey key = RoutingKey.generate(RANDOM);
        RecordingPeer p1 = new RecordingPeer();
        cluster.watched = p1;
        RelayConnection c1 = registered(p1, key);
        assertEquals(0, cluster.sentAtRegistration, "registered() ran before REGISTERED was sent");
        RecordingPeer p2 = new RecordingPeer();
        RelayConnection c2 = registered(p2, key); // the owner again: takes over on this instance
        assertEquals(RelayCloseCodes.TAKEN_OVER, p1.closeCode);
        router.onClose(c1);
        String id = key.sessionId().shortForm();
        assertEquals(List.of("registered " + id, "registered " + id), cluster.calls,
                "closing the displaced connection leaves the directory alone");
        router.onClose(c2);
        assertEquals("unregistered " + id, cluster.calls.get(2));
    }

    @Test
    void aTakeOverOnAnotherInstanceClosesTheLocalConnectionWith4001() throws Exception {
        router.joinCluster(cluster);
        RecordingPeer pa = new RecordingPeer(), pb = new RecordingPeer();
        RelayConnection a = registered(pa, RoutingKey.generate(RANDOM));
        RelayConnection b = registered(pb, RoutingKey.generate(RANDOM));
        assertTrue(router.takenOverElsewhere(a.sessionId()));
        assertEquals(RelayCloseCodes.TAKEN_OVER, pa.closeCode);
        assertEquals(RelayConnection.State.CLOSED, a.state());
        assertFalse(router.takenOverElsewhere(a.sessionId()), "only once");
        cluster.calls.clear();
        router.onClose(a);
        assertEquals(List.of(), cluster.calls, "the directory entry is the new owner's: not removed");
        // From now on frames for the ID go to the cluster (its new owner), not to the old connection.
        router.onFrame(b, send(a.sessionId(), (byte) 1));
        assertEquals(List.of("forward " + b.sessionId().shortForm() + " " + a.sessionId().shortForm()), cluster.calls);
        assertNull(pa.sent.isEmpty() ? null : pa.last());
    }

    @Test
    void forwardedFramesAreDeliveredAndFailuresReachTheSender() throws Exception {
        router.joinCluster(cluster);
        RecordingPeer pa = new RecordingPeer();
        RelayConnection a = registered(pa, RoutingKey.generate(RANDOM));
        SessionId remoteSender = SessionId.random(RANDOM);
        List<RelayFrame.ErrorCode> failures = new ArrayList<>();
        assertTrue(router.deliverForwarded(remoteSender, a.sessionId(), ByteBuffer.wrap(new byte[] {5}), failures::add));
        assertEquals(new RelayFrame.Deliver(remoteSender, ByteBuffer.wrap(new byte[] {5})), pa.frame(0));
        assertFalse(router.deliverForwarded(remoteSender, SessionId.random(RANDOM), ByteBuffer.allocate(1), failures::add));
        pa.failSends = true;
        assertTrue(router.deliverForwarded(remoteSender, a.sessionId(), ByteBuffer.allocate(1), failures::add));
        assertEquals(List.of(RelayFrame.ErrorCode.DELIVERY_FAILED), failures);

        pa.failSends = false;
        SessionId to = SessionId.random(RANDOM);
        router.refusedElsewhere(a.sessionId(), to, RelayFrame.ErrorCode.PEER_NOT_CONNECTED);
        RelayFrame.Error e = assertInstanceOf(RelayFrame.Error.class, pa.last());
        assertEquals(RelayFrame.ErrorCode.PEER_NOT_CONNECTED.code(), e.code());
        assertEquals(to, e.subject());
    }

    @Test
    void withoutAClusterNothingChanges() throws Exception {
        RecordingPeer pa = new RecordingPeer();
        RelayConnection a = registered(pa, RoutingKey.generate(RANDOM));
        router.onFrame(a, send(SessionId.random(RANDOM), (byte) 1));
        assertInstanceOf(RelayFrame.Error.class, pa.last());
        router.joinCluster(cluster);
        router.leaveCluster();
        router.onFrame(a, send(SessionId.random(RANDOM), (byte) 1));
        assertEquals(List.of(), cluster.calls);
    }

    private static byte[] bytesOf(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
