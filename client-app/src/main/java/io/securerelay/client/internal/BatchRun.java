package io.securerelay.client.internal;

import java.time.Duration;

/**
 * The lifecycle of a batch run (docs/BATCH.md, "The end of a run"). A run gives up when no relay
 * was reached within {@link #FIRST_CONNECT_LIMIT} (or its deadline, if shorter), times out at its
 * deadline, and is done when its input is sent and acknowledged and the expected texts arrived.
 * It then lingers: the peer may not have our last acknowledgement yet (lost with a connection);
 * while it resends, we acknowledge again. It leaves after {@link #LINGER_QUIET} without a text
 * from the peer, at most {@link #LINGER_MAX} after it was done; {@code done} is printed then, as
 * the run's last line.
 *
 * <p>A pure state machine: the conversation tells it what happened and asks what follows. Time
 * comes in as {@code now}, the loop's monotonic nanoseconds.
 */
public final class BatchRun {

    /** A finished run stays this long after the last text from the peer, to acknowledge resends. */
    static final Duration LINGER_QUIET = Duration.ofSeconds(2);
    static final Duration LINGER_MAX = Duration.ofSeconds(15);
    /** A run that never reached a relay gives up after this long (or its deadline, if shorter). */
    static final Duration FIRST_CONNECT_LIMIT = Duration.ofSeconds(30);

    /** Where a run stands. */
    enum State { RUNNING, INPUT_ENDED, LINGERING }

    private final long expect;
    private final Duration deadline;
    private State state = State.RUNNING;
    private long lingerSince;
    private long lastText = Long.MIN_VALUE;

    /**
     * @param expect   texts to receive from the peer before the run is done
     * @param deadline the run ends (exit {@code TIMEOUT}) after this long
     */
    public BatchRun(long expect, Duration deadline) {
        this.expect = expect;
        this.deadline = deadline;
    }

    State state() {
        return state;
    }

    long expect() {
        return expect;
    }

    Duration deadline() {
        return deadline;
    }

    /** How long the run waits for a first relay before it gives up. */
    Duration firstConnectLimit() {
        return deadline.compareTo(FIRST_CONNECT_LIMIT) < 0 ? deadline : FIRST_CONNECT_LIMIT;
    }

    /** The input (the script or stdin) is exhausted. */
    void inputEnded() {
        if (state == State.RUNNING) {
            state = State.INPUT_ENDED;
        }
    }

    /** A text (new or resent) arrived from the peer: the linger goes on. */
    void textArrived(long now) {
        lastText = now;
    }

    /**
     * Checks whether the run is done, given the texts still unacknowledged and the last number
     * delivered from the peer.
     *
     * @return true once, when the run is done and starts to linger: the caller acknowledges once more
     */
    boolean lingerIfDone(int unacknowledged, long lastIn, long now) {
        if (state == State.INPUT_ENDED && unacknowledged == 0 && lastIn >= expect) {
            state = State.LINGERING;
            lingerSince = now;
            return true;
        }
        return false;
    }

    boolean lingering() {
        return state == State.LINGERING;
    }

    /** Whether the linger is over: the run leaves now (exit 0, {@code done}). */
    boolean lingerOver(long now) {
        return state == State.LINGERING && (now - Math.max(lastText, lingerSince) > LINGER_QUIET.toNanos()
                || now - lingerSince > LINGER_MAX.toNanos());
    }
}
