package io.securerelay.client.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reliable delivery over the sessions of one conversation: texts out of the {@link Outbox}, at
 * most {@value #WINDOW} unacknowledged in flight; texts in, shown once and in order; the
 * acknowledgements both ways; and resends of what may be lost.
 *
 * <p>Delivery rule: message N from the peer is shown only if N is one more than the last shown
 * (persisted in the {@link Outbox}); lower numbers are resends (acknowledged again, not shown, no
 * replay alarm: the session's replay window is about the relay, this is about our own resends);
 * higher numbers wait in memory (at most {@value #MAX_AHEAD}) for the gap, and the acknowledgement
 * asks the sender to resend the missing one. Resends: the message a peer's gap waits for (at most
 * once per {@link #RESEND_GAP}), the oldest unacknowledged after {@link #RETRANSMIT} without
 * progress, and everything unacknowledged after each new session.
 *
 * <p>Single-threaded (the conversation's loop). Time comes in as {@code now}, the loop's monotonic
 * nanoseconds, so a test drives it with any numbers.
 */
final class Delivery {

    /** How texts and acknowledgements go out: sealed in the current session and sent to the peer. */
    interface Wire {
        void text(Outbox.Pending p);

        void ack(long upTo, boolean gap);
    }

    private static final Logger LOG = Logger.getLogger(Delivery.class.getName());
    /** Messages received ahead of a gap that are kept while waiting for it. */
    static final int MAX_AHEAD = 4096;
    /** Unacknowledged messages in flight per session: flow control towards the relay and the peer. */
    static final int WINDOW = 128;
    /** Pending messages without any acknowledgement for this long: resend the first one. */
    static final Duration RETRANSMIT = Duration.ofSeconds(1);
    /** Pending messages (or an unconfirmed session) without progress for this long: the session is stalled. */
    static final Duration NO_PROGRESS = Duration.ofSeconds(8);
    /** At most one resend of the message a gap waits for per this interval. */
    static final Duration RESEND_GAP = Duration.ofMillis(300);
    /**
     * Resends and stalls back off while nothing moves: each resend of the oldest text without
     * progress doubles the silence before the next (1 s, 2 s, 4 s, at most {@value #MAX_BACKOFF}x),
     * and each stalled session the next handshake did not cure doubles the time before the next
     * stall (8 s, 16 s, 32 s, 64 s). A peer that is slow, not gone (a desk with more customers
     * than it stores per second), is then not buried under resends and handshakes; any progress
     * (a text delivered, an acknowledgement) resets both.
     */
    static final int MAX_BACKOFF = 8;

    private final Outbox outbox;
    private final ConversationEvents events;
    private final Wire wire;
    private final TreeMap<Long, AppMessages.Text> ahead = new TreeMap<>();

    private boolean open;
    /** The highest message number sent in the current session (window bookkeeping). */
    private long sentUpTo;
    private long lastProgressNanos;
    private long lastResendNanos;
    private long lastResentNumber;
    /** Resends of the oldest text since the last progress (the silence before the next doubles). */
    private int silentResends;
    /** Stalls since the last progress (the time before the next doubles). */
    private int stalls;

    /** @param now the loop's time: progress is counted from here */
    Delivery(Outbox outbox, ConversationEvents events, Wire wire, long now) {
        this.outbox = outbox;
        this.events = events;
        this.wire = wire;
        this.lastProgressNanos = now;
        this.lastResendNanos = now - RETRANSMIT.toNanos(); // as if the last resend were long ago
    }

    /** A session is up: progress counts from {@code now}. Call {@link #resendAll} once it may carry texts. */
    void opened(long now) {
        open = true;
        lastProgressNanos = now;
    }

    /** The session is gone: nothing goes out until the next one. */
    void closed() {
        open = false;
    }

    /** Sends every unacknowledged text again from the oldest, as far as the window allows (a new session). */
    void resendAll() {
        sentUpTo = outbox.ackedOut();
        sendWindow();
    }

    /** Stores {@code text} in the outbox as the next message, and sends it if the window allows. */
    Outbox.Pending enqueue(String text, long sentAtMillis) throws IOException {
        Outbox.Pending p = outbox.enqueue(text, sentAtMillis);
        events.queued(p.number(), open);
        sendWindow();
        return p;
    }

    /** Acknowledges what was delivered, saying whether later messages wait for a gap. */
    void sendAck() {
        if (open) {
            wire.ack(outbox.lastIn(), !ahead.isEmpty());
        }
    }

    /** A text from the peer: delivered if it is the next one (and those waiting behind it), kept if early. */
    void text(AppMessages.Text t, long now) throws IOException {
        long expected = outbox.lastIn() + 1;
        if (t.number() == expected) {
            deliver(t, now);
            for (AppMessages.Text next; (next = ahead.remove(outbox.lastIn() + 1)) != null; ) {
                deliver(next, now);
            }
            ahead.headMap(outbox.lastIn() + 1).clear();
        } else if (t.number() > expected) {
            // A gap: something was lost on the way. Keep this one; the acknowledgement asks the
            // sender to resend the missing one (see ack).
            if (ahead.size() < MAX_AHEAD) {
                ahead.put(t.number(), t);
            }
            LOG.log(Level.FINE, "message {0} waits for the resend of {1}",
                    new Object[] {String.valueOf(t.number()), String.valueOf(expected)});
        } else {
            LOG.log(Level.FINE, "duplicate of message {0} (a resend) not shown again", String.valueOf(t.number()));
        }
    }

    private void deliver(AppMessages.Text t, long now) throws IOException {
        // Shown first, then recorded: a message is never lost from the screen. A crash between
        // the two shows that one message again after the restart, with the same number (the
        // number is the idempotency key for programs reading batch output). Recording first
        // would instead hide it for good: the test that kills a client caught that.
        events.received(t.number(), t.sentAtMillis(), t.text());
        outbox.delivered(t.number(), t.sentAtMillis(), t.text());
        progress(now);
    }

    /** An acknowledgement from the peer: forget what it covers, send on, resend what its gap waits for. */
    void ack(AppMessages.Ack ack, long now) throws IOException {
        if (ack.upTo() > outbox.ackedOut()) {
            outbox.acknowledged(ack.upTo());
            events.acked(outbox.ackedOut());
            progress(now);
            sendWindow();
        }
        if (ack.gap()) {
            // The peer holds later messages and waits for the next one: it was lost on the way.
            Outbox.Pending missing = outbox.pending().get(ack.upTo() + 1);
            if (missing != null && (missing.number() != lastResentNumber || now - lastResendNanos > RESEND_GAP.toNanos())) {
                lastResentNumber = missing.number();
                lastResendNanos = now;
                LOG.log(Level.FINE, "the peer waits for message {0}: resending it", String.valueOf(missing.number()));
                wire.text(missing);
            }
        }
    }

    /**
     * The message or its acknowledgement may be lost: after {@link #RETRANSMIT} without progress
     * (and without a resend), resends the oldest unacknowledged text; its acknowledgement (the
     * peer acknowledges duplicates too) moves things on.
     */
    void retransmitIfSilent(long now) {
        long silence = RETRANSMIT.toNanos() * Math.min(MAX_BACKOFF, 1L << Math.min(silentResends, 3));
        if (open && !outbox.pending().isEmpty() && now - lastProgressNanos > RETRANSMIT.toNanos()
                && now - lastResendNanos > silence) {
            lastResendNanos = now;
            silentResends++;
            wire.text(outbox.pending().get(outbox.pending().firstKey()));
        }
    }

    /**
     * Whether the session is stalled: texts wait (or the session is not {@code confirmed} by the
     * peer) and nothing moved for {@link #NO_PROGRESS}. If so, the next stall is counted from
     * {@code now} (the caller starts a new handshake).
     */
    boolean stalled(long now, boolean confirmed) {
        boolean stalled = open && (!outbox.pending().isEmpty() || !confirmed)
                && now - lastProgressNanos > NO_PROGRESS.toNanos() * Math.min(MAX_BACKOFF, 1L << Math.min(stalls, 3));
        if (stalled) {
            LOG.log(Level.FINE, "no acknowledgement for {0} s: new handshake",
                    String.valueOf((now - lastProgressNanos) / 1_000_000_000L));
            stalls++;
            lastProgressNanos = now;
        }
        return stalled;
    }

    private void progress(long now) {
        lastProgressNanos = now;
        silentResends = 0;
        stalls = 0;
    }

    /** Texts from the peer waiting behind a gap. */
    int waiting() {
        return ahead.size();
    }

    private void sendWindow() {
        if (!open) {
            return;
        }
        long limit = outbox.ackedOut() + WINDOW;
        for (Outbox.Pending p : outbox.pending().tailMap(sentUpTo + 1).values()) {
            if (p.number() > limit) {
                break;
            }
            wire.text(p);
            sentUpTo = p.number();
        }
    }
}
