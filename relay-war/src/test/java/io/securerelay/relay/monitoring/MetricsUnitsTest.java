package io.securerelay.relay.monitoring;

import io.securerelay.protocol.relay.RelayCloseCodes;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame.ErrorCode;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import io.securerelay.protocol.relay.SessionId;
import io.securerelay.relay.routing.RelayConnection;
import io.securerelay.relay.routing.Router;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;



/** The hot-path counters and the active pairs of the admin console. */
class MetricsUnitsTest {

    @Test
    void countersAddUpFromManyThreadsAndMapCloseCodesToReasons() throws Exception {
        RelayCounters c = RelayCounters.unregistered();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.submit(() -> {
                for (int i = 0; i < 10_000; i++) {
                    c.connectionOpened();
                    c.pending(100);
                    c.relayed(100, System.nanoTime());
                    c.pending(-100);
                    c.connectionClosed();
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(40_000, c.framesRelayed());
        assertEquals(4_000_000, c.bytesRelayed());
        assertEquals(0, c.openConnections());
        assertEquals(0, c.pendingBytes());

        c.closed(RelayCloseCodes.RATE_LIMITED);
        c.closed(RelayCloseCodes.RATE_LIMITED);
        c.closed(RelayCloseCodes.TOO_BIG);
        c.closed(4999);
        c.refused(ErrorCode.PEER_NOT_CONNECTED);
        var r = c.rejections();
        assertEquals(2, r.get(RelayCounters.Reason.RATE_LIMITED));
        assertEquals(1, r.get(RelayCounters.Reason.TOO_BIG));
        assertEquals(1, r.get(RelayCounters.Reason.OTHER_CLOSE));
        assertEquals(1, r.get(RelayCounters.Reason.PEER_NOT_CONNECTED));
        assertEquals(0, r.get(RelayCounters.Reason.DELIVERY_FAILED));
        assertEquals(RelayCounters.Reason.values().length, r.size(), "every reason listed, zeros too");
    }

    @Test
    void activePairsAreListedOnceWithShortIdsOnly() throws Exception {
        Router router = new Router(new SecureRandom());
        SecureRandom random = new SecureRandom();
        RelayConnection a = registered(router, random);
        RelayConnection b = registered(router, random);
        RelayConnection lone = registered(router, random);
        assertEquals(List.of(), router.activePairs(10));
        router.onFrame(a, RelayCodec.encode(new RelayFrame.Send(b.sessionId(), ByteBuffer.wrap(new byte[] {1}))));
        router.onFrame(b, RelayCodec.encode(new RelayFrame.Send(a.sessionId(), ByteBuffer.wrap(new byte[] {2}))));
        // To nobody registered: not a pair.
        router.onFrame(lone, RelayCodec.encode(new RelayFrame.Send(SessionId.random(random), ByteBuffer.wrap(new byte[] {3}))));
        List<String[]> pairs = router.activePairs(10);
        assertEquals(1, pairs.size());
        String[] p = pairs.get(0);
        assertEquals(8, p[0].length());
        assertTrue((p[0] + p[1]).equals(a.sessionId().shortForm() + b.sessionId().shortForm())
                || (p[0] + p[1]).equals(b.sessionId().shortForm() + a.sessionId().shortForm()));
    }

    private static RelayConnection registered(Router router, SecureRandom random) throws Exception {
        io.securerelay.relay.routing.RouterTest.RecordingPeer peer = new io.securerelay.relay.routing.RouterTest.RecordingPeer();
        RelayConnection c = new RelayConnection(peer);
        router.onOpen(c);
        byte[] nonce = ((RelayFrame.Challenge) peer.frame(0)).nonce();
        router.onFrame(c, RelayCodec.encode(RoutingKey.generate(random).register(nonce)));
        assertEquals(RelayConnection.State.REGISTERED, c.state());
        return c;
    }
}
