package io.securerelay.relay.routing;

import io.securerelay.protocol.relay.RegistrationProof;
import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.limits.RateLimiter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;



/** The routing logic alone, on connections that record what the router asked of them. */
public class RouterTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Router router = new Router(RANDOM);

    /** A connection that keeps what it was sent; {@code failSends} makes every send fail. */
    public static final class RecordingPeer implements PeerConnection {
        final List<ByteBuffer> sent = new ArrayList<>();
        Integer closeCode;
        boolean failSends;
        int pings;

        @Override
        public String label() {
            return "test";
        }

        @Override
        public void send(ByteBuffer frame, Consumer<Throwable> onFailure) {
            if (failSends) {
                onFailure.accept(new IOException("gone"));
            } else {
                sent.add(frame);
            }
        }

        @Override
        public void ping() {
            pings++;
        }

        @Override
        public void close(int code, String reason) {
            if (closeCode == null) {
                closeCode = code;
            }
        }

        public RelayFrame.ServerFrame frame(int i) throws Exception {
            return RelayCodec.decodeServerFrame(sent.get(i));
        }

        RelayFrame.ServerFrame last() throws Exception {
            return frame(sent.size() - 1);
        }
    }

    /** Opens a connection and returns the nonce of the CHALLENGE the router sent it. */
    private byte[] open(RelayConnection c, RecordingPeer peer) throws Exception {
        router.onOpen(c);
        RelayFrame.Challenge challenge = assertInstanceOf(RelayFrame.Challenge.class, peer.frame(0));
        peer.sent.clear();
        return challenge.nonce();
    }

    private RelayConnection registered(RecordingPeer peer, RoutingKey key) throws Exception {
        RelayConnection c = new RelayConnection(peer);
        byte[] nonce = open(c, peer);
        router.onFrame(c, RelayCodec.encode(key.register(nonce)));
        assertEquals(new RelayFrame.Registered(key.sessionId()), peer.frame(0));
        peer.sent.clear();
        return c;
    }

    private RelayConnection registered(RecordingPeer peer) throws Exception {
        return registered(peer, RoutingKey.generate(RANDOM));
    }

    private static ByteBuffer send(SessionId to, byte... payload) {
        return RelayCodec.encode(new RelayFrame.Send(to, ByteBuffer.wrap(payload)));
    }

    @Test
    void everyConnectionGetsAFreshChallengeFirst() throws Exception {
        RecordingPeer p1 = new RecordingPeer(), p2 = new RecordingPeer();
        RelayConnection c1 = new RelayConnection(p1);
        byte[] n1 = open(c1, p1);
        byte[] n2 = open(new RelayConnection(p2), p2);
        assertEquals(RegistrationProof.NONCE_LENGTH, n1.length);
        assertTrue(!java.util.Arrays.equals(n1, n2), "nonces must differ between connections");
        assertEquals(RelayConnection.State.CHALLENGED, c1.state());
        router.onOpen(c1);
        assertTrue(p1.sent.isEmpty(), "a connection is challenged once");
    }

    @Test
    void registersTheIdDerivedFromTheProvenKey() throws Exception {
        RoutingKey key = RoutingKey.generate(RANDOM);
        RecordingPeer peer = new RecordingPeer();
        RelayConnection c = registered(peer, key);
        assertEquals(RelayConnection.State.REGISTERED, c.state());
        assertEquals(key.sessionId(), c.sessionId());
        assertEquals(1, router.routeCount());
    }

    @Test
    void forwardsToTheRegisteredPeerWithTheSendersId() throws Exception {
        RecordingPeer pa = new RecordingPeer(), pb = new RecordingPeer();
        RelayConnection ca = registered(pa);
        RelayConnection cb = registered(pb);

        router.onFrame(ca, send(cb.sessionId(), (byte) 1, (byte) 2));

        RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, pb.frame(0));
        assertEquals(ca.sessionId(), d.from());
        assertArrayEquals(new byte[] {1, 2}, d.payloadBytes());
        assertTrue(pa.sent.isEmpty(), "the sender gets nothing back on success");
    }

    @Test
    void unknownPeerGetsPeerNotConnected() throws Exception {
        RecordingPeer pa = new RecordingPeer();
        RelayConnection ca = registered(pa);
        SessionId nobody = SessionId.random(RANDOM);

        router.onFrame(ca, send(nobody, (byte) 1));

        assertEquals(new RelayFrame.Error(RelayFrame.ErrorCode.PEER_NOT_CONNECTED, nobody), pa.frame(0));
        assertNull(pa.closeCode);
    }

    @Test
    void aProofOverAnotherConnectionsChallengeIsRefusedWith4003() throws Exception {
        RoutingKey owner = RoutingKey.generate(RANDOM);
        RecordingPeer ownerPeer = new RecordingPeer();
        RelayConnection ownerConnection = new RelayConnection(ownerPeer);
        byte[] ownerNonce = open(ownerConnection, ownerPeer);
        RelayFrame.Register ownersProof = owner.register(ownerNonce);
        router.onFrame(ownerConnection, RelayCodec.encode(ownersProof));

        // A thief who saw the owner's REGISTER replays it on its own connection.
        RecordingPeer thief = new RecordingPeer();
        RelayConnection ct = new RelayConnection(thief);
        open(ct, thief);
        router.onFrame(ct, RelayCodec.encode(ownersProof));

        assertEquals(RelayCloseCodes.REGISTRATION_INVALID, thief.closeCode);
        assertEquals(RelayConnection.State.CHALLENGED, ct.state(), "a refused proof registers nothing");
        assertEquals(ownerConnection, routeOf(owner.sessionId()));
        assertNull(ownerPeer.closeCode);
    }

    @Test
    void aForeignSignatureOrAnInvalidKeyIsRefusedWith4003() throws Exception {
        RoutingKey owner = RoutingKey.generate(RANDOM);
        RoutingKey thiefKey = RoutingKey.generate(RANDOM);
        registered(new RecordingPeer(), owner);

        RecordingPeer thief = new RecordingPeer();
        RelayConnection ct = new RelayConnection(thief);
        byte[] nonce = open(ct, thief);
        // The owner's public key with a signature made by the thief's key over this very nonce.
        byte[] foreign = thiefKey.register(nonce).signature();
        router.onFrame(ct, RelayCodec.encode(new RelayFrame.Register(owner.publicKey(), foreign)));
        assertEquals(RelayCloseCodes.REGISTRATION_INVALID, thief.closeCode);

        RecordingPeer notAPoint = new RecordingPeer();
        RelayConnection cn = new RelayConnection(notAPoint);
        open(cn, notAPoint);
        router.onFrame(cn, RelayCodec.encode(new RelayFrame.Register(new byte[65], new byte[64])));
        assertEquals(RelayCloseCodes.REGISTRATION_INVALID, notAPoint.closeCode);
        assertEquals(1, router.routeCount());
    }

    @Test
    void aRegisterWithoutAChallengeIsRefusedWith4003() throws Exception {
        RecordingPeer peer = new RecordingPeer();
        RelayConnection c = new RelayConnection(peer); // never opened: no CHALLENGE was sent
        router.onFrame(c, RelayCodec.encode(RoutingKey.generate(RANDOM).register(new byte[32])));
        assertEquals(RelayCloseCodes.REGISTRATION_INVALID, peer.closeCode);
        assertEquals(0, router.routeCount());
    }

    @Test
    void theOwnerReconnectingTakesTheIdOverAndTheOldConnectionIsClosedWith4001() throws Exception {
        RoutingKey key = RoutingKey.generate(RANDOM);
        RecordingPeer oldPeer = new RecordingPeer(), newPeer = new RecordingPeer(), senderPeer = new RecordingPeer();
        RelayConnection oldConnection = registered(oldPeer, key);
        RelayConnection sender = registered(senderPeer);

        RelayConnection newConnection = registered(newPeer, key);

        assertEquals(RelayCloseCodes.TAKEN_OVER, oldPeer.closeCode);
        assertEquals(RelayConnection.State.CLOSED, oldConnection.state());
        assertEquals(newConnection, routeOf(key.sessionId()));

        router.onFrame(sender, send(key.sessionId(), (byte) 5));
        assertEquals(1, newPeer.sent.size(), "frames after the takeover go to the new connection");
        assertTrue(oldPeer.sent.isEmpty());

        // The old connection's frames no longer count, and its close does not remove the new route.
        router.onFrame(oldConnection, send(sender.sessionId(), (byte) 6));
        assertTrue(senderPeer.sent.isEmpty());
        router.onClose(oldConnection);
        assertEquals(newConnection, routeOf(key.sessionId()));
    }

    @Test
    void closingFreesTheId() throws Exception {
        RoutingKey key = RoutingKey.generate(RANDOM);
        RelayConnection owner = registered(new RecordingPeer(), key);
        router.onClose(owner);
        assertEquals(0, router.routeCount());
        RecordingPeer again = new RecordingPeer();
        registered(again, key);
        assertNull(again.closeCode);
    }

    @Test
    void aConnectionClosedBeforeItsRegistrationLeavesNoRoute() throws Exception {
        RecordingPeer peer = new RecordingPeer();
        RelayConnection c = new RelayConnection(peer);
        byte[] nonce = open(c, peer);
        router.onClose(c);
        router.onFrame(c, RelayCodec.encode(RoutingKey.generate(RANDOM).register(nonce)));
        assertEquals(0, router.routeCount());
        assertTrue(peer.sent.isEmpty());
    }

    @Test
    void sendBeforeRegisterAndSecondRegisterArePolicyViolations() throws Exception {
        RecordingPeer early = new RecordingPeer();
        RelayConnection e = new RelayConnection(early);
        open(e, early);
        router.onFrame(e, send(SessionId.random(RANDOM), (byte) 1));
        assertEquals(RelayCloseCodes.POLICY_VIOLATION, early.closeCode);

        RecordingPeer twice = new RecordingPeer();
        RoutingKey key = RoutingKey.generate(RANDOM);
        RelayConnection c = registered(twice, key);
        router.onFrame(c, RelayCodec.encode(RoutingKey.generate(RANDOM).register(new byte[32])));
        assertEquals(RelayCloseCodes.POLICY_VIOLATION, twice.closeCode);
        assertEquals(1, router.routeCount(), "the second REGISTER must not add a route");
    }

    @Test
    void malformedFramesCloseWithProtocolError() throws Exception {
        RecordingPeer p = new RecordingPeer();
        RelayConnection c = new RelayConnection(p);
        open(c, p);
        router.onFrame(c, ByteBuffer.wrap(new byte[] {9, 9}));
        assertEquals(RelayCloseCodes.PROTOCOL_ERROR, p.closeCode);
    }

    @Test
    void aFailedDeliveryIsReportedToTheSender() throws Exception {
        RecordingPeer pa = new RecordingPeer(), pb = new RecordingPeer();
        RelayConnection ca = registered(pa);
        RelayConnection cb = registered(pb);
        pb.failSends = true;

        router.onFrame(ca, send(cb.sessionId(), (byte) 1));

        assertEquals(new RelayFrame.Error(RelayFrame.ErrorCode.DELIVERY_FAILED, cb.sessionId()), pa.frame(0));
    }

    @Test
    void aConnectionOverItsFrameRateIsClosedWith4029() throws Exception {
        io.securerelay.relay.limits.TokenBucketTest.MutableClock clock = new io.securerelay.relay.limits.TokenBucketTest.MutableClock();
        RecordingPeer peer = new RecordingPeer();
        // 5 frames/s: a burst of 10 frames (2 s worth), bytes plentiful.
        RelayConnection c = new RelayConnection(peer, new RateLimiter(5, 1 << 20, clock), clock);
        router.onOpen(c);
        router.onFrame(c, RelayCodec.encode(RoutingKey.generate(RANDOM).register(
                assertInstanceOf(RelayFrame.Challenge.class, peer.frame(0)).nonce())));
        for (int i = 0; i < 9; i++) {
            router.onFrame(c, send(c.sessionId(), (byte) i));
        }
        assertNull(peer.closeCode, "10 frames are within the burst");
        router.onFrame(c, send(c.sessionId(), (byte) 10));
        assertEquals(RelayCloseCodes.RATE_LIMITED, peer.closeCode);
    }

    @Test
    void framesSpreadOverTimeStayWithinTheRate() throws Exception {
        io.securerelay.relay.limits.TokenBucketTest.MutableClock clock = new io.securerelay.relay.limits.TokenBucketTest.MutableClock();
        RecordingPeer peer = new RecordingPeer();
        RelayConnection c = new RelayConnection(peer, new RateLimiter(5, 1 << 20, clock), clock);
        router.onOpen(c);
        router.onFrame(c, RelayCodec.encode(RoutingKey.generate(RANDOM).register(
                assertInstanceOf(RelayFrame.Challenge.class, peer.frame(0)).nonce())));
        for (int i = 0; i < 100; i++) {
            clock.advanceMillis(200); // exactly 5 per second, forever
            router.onFrame(c, send(c.sessionId(), (byte) i));
        }
        assertNull(peer.closeCode);
    }

    private RelayConnection routeOf(SessionId id) throws Exception {
        java.lang.reflect.Field f = Router.class.getDeclaredField("routes");
        f.setAccessible(true);
        return (RelayConnection) ((java.util.Map<?, ?>) f.get(router)).get(id);
    }
}
