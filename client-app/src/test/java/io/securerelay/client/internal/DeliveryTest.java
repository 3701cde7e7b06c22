package io.securerelay.client.internal;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.keystore.StorageSecret;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reliable delivery alone, on a real outbox and a wire that writes down what would go out. Time is
 * a number the test picks (nanoseconds), so every timeout is met or missed by exactly one.
 */
class DeliveryTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long T0 = 5_000_000_000L;

    @TempDir
    Path dir;

    private Outbox outbox;
    private final RecordingEvents events = new RecordingEvents();
    /** What went out: {@code TEXT n} and {@code ACK n} or {@code ACK n gap}. */
    private final List<String> wire = new ArrayList<>();
    private Delivery delivery;

    @BeforeEach
    void open() throws Exception {
        IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        outbox = FileOutbox.open(dir, "bank", StorageSecret.random(RANDOM).deriveKey("outbox/bank"), RANDOM);
        delivery = new Delivery(outbox, events, new Delivery.Wire() {
            @Override
            public void text(Outbox.Pending p) {
                wire.add("TEXT " + p.number());
            }

            @Override
            public void ack(long upTo, boolean gap) {
                wire.add("ACK " + upTo + (gap ? " gap" : ""));
            }
        }, T0);
    }

    private static long at(Duration sinceT0) {
        return T0 + sinceT0.toNanos();
    }

    private static List<String> texts(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(n -> "TEXT " + n).toList();
    }

    private static AppMessages.Text text(long n) throws Exception {
        return AppMessages.parseText(AppMessages.text(n, 1_000 * n, "text " + n));
    }

    private static AppMessages.Ack ack(long upTo, boolean gap) throws Exception {
        return AppMessages.parseAck(AppMessages.ack(upTo, gap));
    }

    private void enqueue(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            delivery.enqueue("text", 0);
        }
    }

    @Test
    void withoutASessionTextsAreQueuedForLaterAndNothingGoesOut() throws Exception {
        enqueue(2);
        delivery.sendAck();
        delivery.retransmitIfSilent(at(Duration.ofMinutes(1)));
        assertEquals(List.of("queued 1 later", "queued 2 later"), events.lines);
        assertEquals(List.of(), wire);
        assertEquals(2, outbox.pending().size(), "kept in the outbox");
    }

    @Test
    void atMost128TextsAreInFlightAndEachAcknowledgementLetsAsManyMoreGo() throws Exception {
        delivery.opened(T0);
        enqueue(140);
        assertEquals(texts(1, Delivery.WINDOW), wire);
        wire.clear();
        delivery.ack(ack(5, false), T0);
        assertEquals(texts(129, 133), wire, "the window slid by the 5 acknowledged");
        assertEquals("acked 5", events.lines.get(events.lines.size() - 1));
        assertEquals(135, outbox.pending().size());
        wire.clear();
        delivery.ack(ack(5, false), T0);
        assertEquals(List.of(), wire, "a repeated acknowledgement sends nothing");
    }

    @Test
    void aNewSessionResendsEverythingUnacknowledgedFromTheOldest() throws Exception {
        delivery.opened(T0);
        enqueue(3);
        delivery.ack(ack(1, false), T0);
        delivery.closed();
        wire.clear();
        delivery.opened(T0);
        delivery.resendAll();
        assertEquals(texts(2, 3), wire);
    }

    @Test
    void textsAfterAGapWaitAndAreShownInOrderOnceItIsFilled() throws Exception {
        delivery.opened(T0);
        delivery.text(text(2), T0);
        delivery.text(text(3), T0);
        delivery.sendAck();
        assertEquals(List.of("ACK 0 gap"), wire, "the acknowledgement asks for the missing one");
        assertEquals(List.of(), events.starting("received"));
        delivery.text(text(1), T0);
        delivery.text(text(2), T0); // a resend of one already shown
        delivery.sendAck();
        assertEquals(List.of("received 1 text 1", "received 2 text 2", "received 3 text 3"), events.starting("received"));
        assertEquals(3, outbox.lastIn(), "recorded as delivered");
        assertEquals("ACK 3", wire.get(1));
    }

    @Test
    void theTextAGapWaitsForIsResentAtOnceThenAtMostOncePer300Ms() throws Exception {
        delivery.opened(T0);
        enqueue(3);
        wire.clear();
        delivery.ack(ack(0, true), T0);
        assertEquals(List.of("TEXT 1"), wire);
        delivery.ack(ack(0, true), at(Delivery.RESEND_GAP));
        assertEquals(List.of("TEXT 1"), wire, "not again within 300 ms");
        delivery.ack(ack(0, true), at(Delivery.RESEND_GAP.plusNanos(1)));
        assertEquals(List.of("TEXT 1", "TEXT 1"), wire);
        delivery.ack(ack(1, true), at(Delivery.RESEND_GAP.plusNanos(2)));
        assertEquals(List.of("TEXT 1", "TEXT 1", "TEXT 2"), wire, "another missing text goes at once");
    }

    @Test
    void theOldestTextIsResentAfterOneSecondWithoutProgressThenBacksOffTo2And4And8Seconds() throws Exception {
        delivery.opened(T0);
        enqueue(3);
        wire.clear();
        delivery.retransmitIfSilent(at(Delivery.RETRANSMIT));
        assertEquals(List.of(), wire, "not before a whole second");
        long first = at(Delivery.RETRANSMIT.plusNanos(1));
        delivery.retransmitIfSilent(first);
        assertEquals(List.of("TEXT 1"), wire);
        // Still no progress: the peer may be slow, not gone; each silence is twice the last.
        long t = first;
        for (int seconds : new int[] {2, 4, 8, 8}) {
            int before = wire.size();
            delivery.retransmitIfSilent(t + Duration.ofSeconds(seconds).toNanos() - 1);
            assertEquals(before, wire.size(), "not before " + seconds + " s");
            delivery.retransmitIfSilent(t + Duration.ofSeconds(seconds).toNanos() + 1);
            assertEquals(before + 1, wire.size(), "resent after " + seconds + " s");
            t += Duration.ofSeconds(seconds).toNanos() + 1;
        }
        // An acknowledgement is progress: the silence counts again from it, at one second.
        long acked = t + 1;
        delivery.ack(ack(1, false), acked);
        wire.clear();
        delivery.retransmitIfSilent(acked + Delivery.RETRANSMIT.toNanos());
        assertEquals(List.of(), wire);
        delivery.retransmitIfSilent(acked + Delivery.RETRANSMIT.toNanos() + 1);
        assertEquals(List.of("TEXT 2"), wire);
    }

    @Test
    void aSessionWithoutProgressForEightSecondsIsStalledThenBacksOffUntilProgress() throws Exception {
        delivery.opened(T0);
        assertFalse(delivery.stalled(at(Duration.ofMinutes(1)), true), "nothing waits: not stalled");
        delivery.opened(T0);
        assertTrue(delivery.stalled(at(Delivery.NO_PROGRESS.plusNanos(1)), false), "never confirmed by the peer");
        assertFalse(delivery.stalled(at(Delivery.NO_PROGRESS.plusNanos(2)), false), "counted again from the stall");
        enqueue(1);
        long now = at(Delivery.NO_PROGRESS.plusNanos(1));
        // The handshake after the stall did not cure it: the next stall waits twice as long (16 s).
        assertFalse(delivery.stalled(now + Delivery.NO_PROGRESS.multipliedBy(2).toNanos(), true));
        assertTrue(delivery.stalled(now + Delivery.NO_PROGRESS.multipliedBy(2).toNanos() + 1, true), "a text waits");
        now += Delivery.NO_PROGRESS.multipliedBy(2).toNanos() + 1;
        assertFalse(delivery.stalled(now + Delivery.NO_PROGRESS.multipliedBy(4).toNanos(), true), "then 32 s");
        assertTrue(delivery.stalled(now + Delivery.NO_PROGRESS.multipliedBy(4).toNanos() + 1, true));
        now += Delivery.NO_PROGRESS.multipliedBy(4).toNanos() + 1;
        // Progress resets the back-off: 8 s again.
        delivery.ack(ack(1, false), now);
        enqueue(1);
        assertFalse(delivery.stalled(now + Delivery.NO_PROGRESS.toNanos(), true));
        assertTrue(delivery.stalled(now + Delivery.NO_PROGRESS.toNanos() + 1, true), "8 s after progress");
        delivery.closed();
        assertFalse(delivery.stalled(now + Delivery.NO_PROGRESS.multipliedBy(20).toNanos(), true), "no session: not stalled");
    }

    @Test
    void atMost4096TextsWaitBehindAGap() throws Exception {
        delivery.opened(T0);
        for (long n = 2; n <= Delivery.MAX_AHEAD + 11; n++) {
            delivery.text(text(n), T0);
        }
        assertEquals(Delivery.MAX_AHEAD, delivery.waiting(), "the first 4096 wait; later ones are dropped (and resent)");
        assertEquals(List.of(), events.starting("received"));
        assertEquals(0, outbox.lastIn());
    }
}
