package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The batch run's lifecycle alone (docs/BATCH.md, "The end of a run"), on times the test picks. */
class BatchRunTest {

    private static final long S = 1_000_000_000L;

    @Test
    void aRunGivesUpOnTheRelayAfter30SecondsOrItsDeadlineIfShorter() {
        assertEquals(Duration.ofSeconds(30), new BatchRun(1, Duration.ofMinutes(5)).firstConnectLimit());
        assertEquals(Duration.ofSeconds(7), new BatchRun(1, Duration.ofSeconds(7)).firstConnectLimit());
    }

    @Test
    void aRunIsDoneOnlyWhenItsInputEndedAllIsAcknowledgedAndTheExpectedTextsArrived() {
        BatchRun run = new BatchRun(3, Duration.ofMinutes(1));
        assertFalse(run.lingerIfDone(0, 3, 0), "input not ended");
        run.inputEnded();
        assertEquals(BatchRun.State.INPUT_ENDED, run.state());
        assertFalse(run.lingerIfDone(1, 3, 0), "a text unacknowledged");
        assertFalse(run.lingerIfDone(0, 2, 0), "a text not yet received");
        assertTrue(run.lingerIfDone(0, 3, 10 * S));
        assertEquals(BatchRun.State.LINGERING, run.state());
        assertFalse(run.lingerIfDone(0, 3, 11 * S), "done once: one last acknowledgement");
    }

    @Test
    void aDoneRunLeavesTwoSecondsAfterTheLastTextFromThePeer() {
        BatchRun run = new BatchRun(0, Duration.ofMinutes(1));
        run.textArrived(9 * S);
        run.inputEnded();
        assertTrue(run.lingerIfDone(0, 0, 10 * S));
        assertFalse(run.lingerOver(12 * S), "two seconds are not over yet");
        assertTrue(run.lingerOver(12 * S + 1));
        run.textArrived(12 * S); // a resend from the peer: acknowledged, and the quiet counts again
        assertFalse(run.lingerOver(14 * S));
        assertTrue(run.lingerOver(14 * S + 1));
    }

    @Test
    void aDoneRunLeavesAfter15SecondsEvenIfThePeerKeepsResending() {
        BatchRun run = new BatchRun(0, Duration.ofMinutes(1));
        run.inputEnded();
        assertTrue(run.lingerIfDone(0, 0, 0));
        for (long t = S; t <= 15 * S; t += S) {
            run.textArrived(t);
            assertFalse(run.lingerOver(t), "at " + t / S + " s");
        }
        assertTrue(run.lingerOver(15 * S + 1));
    }

    @Test
    void aRunThatIsNotDoneNeverLingers() {
        BatchRun run = new BatchRun(5, Duration.ofMinutes(1));
        run.inputEnded();
        assertFalse(run.lingering());
        assertFalse(run.lingerOver(Long.MAX_VALUE / 2));
    }
}
