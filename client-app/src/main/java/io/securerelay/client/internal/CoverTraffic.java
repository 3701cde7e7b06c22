package io.securerelay.client.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Cover traffic: a DUMMY message at random intervals, drawn uniformly between the
 * {@link Conversation.DummySchedule}'s {@code min} and {@code max}, whenever a session is up, so
 * that a relay cannot tell when the parties talk. A dummy's body is as long as a short text (16
 * to 79 random bytes), so it lands in the same size buckets. Dummies from the peer are counted
 * and dropped.
 *
 * <p>Single-threaded (the conversation's loop); the intervals run on the loop's timers.
 */
final class CoverTraffic {

    /** Where dummies go: the current session, if there is one. */
    interface Sink {
        /** Whether a session is up to carry a dummy now. */
        boolean ready();

        void send(byte[] body);
    }

    private static final Logger LOG = Logger.getLogger(CoverTraffic.class.getName());

    private final Conversation.DummySchedule schedule;
    private final SecureRandom random;
    private final EventLoop loop;
    private final Sink sink;
    private EventLoop.Timer next;
    private boolean stopped;
    private long dropped;

    CoverTraffic(Conversation.DummySchedule schedule, SecureRandom random, EventLoop loop, Sink sink) {
        this.schedule = schedule;
        this.random = random;
        this.loop = loop;
        this.sink = sink;
    }

    /** Starts the dummies if they are enabled and not yet going. */
    void start() {
        if (!schedule.enabled() || next != null || stopped) {
            return;
        }
        long min = schedule.min().toNanos();
        long span = schedule.max().toNanos() - min;
        long delay = min + (span == 0 ? 0 : (long) (random.nextDouble() * span));
        next = loop.schedule(Duration.ofNanos(delay), this::fire);
    }

    /** No more dummies (the conversation ended). */
    void stop() {
        stopped = true;
        if (next != null) {
            next.cancel();
            next = null;
        }
    }

    /** A dummy from the peer arrived: dropped. */
    void received() {
        dropped++;
        LOG.log(Level.FINE, "dropped dummy message ({0} so far)", String.valueOf(dropped));
    }

    /** Dummies from the peer dropped so far. */
    long dropped() {
        return dropped;
    }

    private void fire() {
        if (sink.ready()) {
            byte[] body = new byte[16 + random.nextInt(64)];
            random.nextBytes(body);
            sink.send(body);
        }
        next = null;
        start();
    }
}
