package io.securerelay.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.SessionId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The routing logic alone, on connections that record what the router asked of them. */
class RouterTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Router router = new Router();

    /** A connection that keeps what it was sent; {@code failSends} makes every send fail. */
    static final class RecordingPeer implements PeerConnection {
        final List<ByteBuffer> sent = new ArrayList<>();
        Integer closeCode;
        boolean failSends;

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
        public void close(int code, String reason) {
            closeCode = code;
        }

        RelayFrame.ServerFrame frame(int i) throws Exception {
            return RelayCodec.decodeServerFrame(sent.get(i));
        }
    }

    private RelayConnection registered(RecordingPeer peer, SessionId id) throws Exception {
        RelayConnection c = new RelayConnection(peer);
        router.onFrame(c, RelayCodec.encode(new RelayFrame.Register(id)));
        assertEquals(new RelayFrame.Registered(id), peer.frame(0));
        peer.sent.clear();
        return c;
    }

    private static ByteBuffer send(SessionId to, byte... payload) {
        return RelayCodec.encode(new RelayFrame.Send(to, ByteBuffer.wrap(payload)));
    }

    @Test
    void forwardsToTheRegisteredPeerWithTheSendersId() throws Exception {
        SessionId a = SessionId.random(RANDOM), b = SessionId.random(RANDOM);
        RecordingPeer pa = new RecordingPeer(), pb = new RecordingPeer();
        RelayConnection ca = registered(pa, a);
        registered(pb, b);

        router.onFrame(ca, send(b, (byte) 1, (byte) 2));

        RelayFrame.Deliver d = assertInstanceOf(RelayFrame.Deliver.class, pb.frame(0));
        assertEquals(a, d.from());
        assertArrayEquals(new byte[] {1, 2}, d.payloadBytes());
        assertTrue(pa.sent.isEmpty(), "the sender gets nothing back on success");
    }

    @Test
    void unknownPeerGetsPeerNotConnected() throws Exception {
        RecordingPeer pa = new RecordingPeer();
        RelayConnection ca = registered(pa, SessionId.random(RANDOM));
        SessionId nobody = SessionId.random(RANDOM);

        router.onFrame(ca, send(nobody, (byte) 1));

        assertEquals(new RelayFrame.Error(RelayFrame.ErrorCode.PEER_NOT_CONNECTED, nobody), pa.frame(0));
        assertNull(pa.closeCode);
    }

    @Test
    void aTakenIdIsRefusedAndTheOwnerKeepsIt() throws Exception {
        SessionId id = SessionId.random(RANDOM);
        RecordingPeer owner = new RecordingPeer(), thief = new RecordingPeer(), other = new RecordingPeer();
        registered(owner, id);
        RelayConnection ct = new RelayConnection(thief);
        router.onFrame(ct, RelayCodec.encode(new RelayFrame.Register(id)));

        assertEquals(new RelayFrame.Error(RelayFrame.ErrorCode.SESSION_ID_TAKEN, id), thief.frame(0));
        assertEquals(RelayConnection.State.CONNECTED, ct.state());

        RelayConnection co = registered(other, SessionId.random(RANDOM));
        router.onFrame(co, send(id, (byte) 5));
        assertEquals(1, owner.sent.size());
        assertEquals(1, thief.sent.size(), "nothing for the owner reaches the refused connection");
    }

    @Test
    void closingFreesTheIdButOnlyForItsOwner() throws Exception {
        SessionId id = SessionId.random(RANDOM);
        RelayConnection owner = registered(new RecordingPeer(), id);
        RelayConnection refused = new RelayConnection(new RecordingPeer());
        router.onFrame(refused, RelayCodec.encode(new RelayFrame.Register(id)));

        router.onClose(refused);
        assertEquals(1, router.routeCount(), "a refused connection closing must not free the owner's ID");
        router.onClose(owner);
        assertEquals(0, router.routeCount());
        registered(new RecordingPeer(), id);
    }

    @Test
    void aConnectionClosedBeforeItsRegistrationLeavesNoRoute() throws Exception {
        RelayConnection c = new RelayConnection(new RecordingPeer());
        router.onClose(c);
        router.onFrame(c, RelayCodec.encode(new RelayFrame.Register(SessionId.random(RANDOM))));
        assertEquals(0, router.routeCount());
    }

    @Test
    void sendBeforeRegisterAndSecondRegisterArePolicyViolations() throws Exception {
        RecordingPeer early = new RecordingPeer();
        router.onFrame(new RelayConnection(early), send(SessionId.random(RANDOM), (byte) 1));
        assertEquals(RelayCloseCodes.POLICY_VIOLATION, early.closeCode);

        RecordingPeer twice = new RecordingPeer();
        RelayConnection c = registered(twice, SessionId.random(RANDOM));
        router.onFrame(c, RelayCodec.encode(new RelayFrame.Register(SessionId.random(RANDOM))));
        assertEquals(RelayCloseCodes.POLICY_VIOLATION, twice.closeCode);
        assertEquals(1, router.routeCount(), "the second REGISTER must not add a route");
    }

    @Test
    void malformedFramesCloseWithProtocolError() throws Exception {
        RecordingPeer p = new RecordingPeer();
        router.onFrame(new RelayConnection(p), ByteBuffer.wrap(new byte[] {9, 9}));
        assertEquals(RelayCloseCodes.PROTOCOL_ERROR, p.closeCode);
    }

    @Test
    void aFailedDeliveryIsReportedToTheSender() throws Exception {
        SessionId b = SessionId.random(RANDOM);
        RecordingPeer pa = new RecordingPeer(), pb = new RecordingPeer();
        RelayConnection ca = registered(pa, SessionId.random(RANDOM));
        registered(pb, b);
        pb.failSends = true;

        router.onFrame(ca, send(b, (byte) 1));

        assertEquals(new RelayFrame.Error(RelayFrame.ErrorCode.DELIVERY_FAILED, b), pa.frame(0));
    }
}
