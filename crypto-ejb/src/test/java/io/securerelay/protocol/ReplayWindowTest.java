package io.securerelay.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.securerelay.protocol.internal.ReplayWindow;
import io.securerelay.protocol.internal.ReplayWindow.Verdict;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private static final int W = ReplayWindow.WINDOW;

    @Test
    void sequentialAcceptedDuplicatesRejected() {
        ReplayWindow w = new ReplayWindow();
        for (long s = 0; s < 5000; s++) {
            assertEquals(Verdict.FRESH, w.check(s));
            w.commit(s);
            assertEquals(Verdict.DUPLICATE, w.check(s));
        }
    }

    @Test
    void checkDoesNotChangeState() {
        ReplayWindow w = new ReplayWindow();
        w.check(10);
        w.check(10);
        assertEquals(-1, w.highest());
        assertEquals(Verdict.FRESH, w.check(10));
    }

    @Test
    void windowBoundaryIsExact() {
        ReplayWindow w = new ReplayWindow();
        w.commit(5000);
        assertEquals(Verdict.FRESH, w.check(5000 - W + 1));
        assertEquals(Verdict.TOO_OLD, w.check(5000 - W));
        w.commit(5000 - W + 1);
        assertEquals(Verdict.DUPLICATE, w.check(5000 - W + 1));
        assertThrows(IllegalStateException.class, () -> w.commit(5000));
    }

    @Test
    void largeJumpsClearStaleBits() {
        ReplayWindow w = new ReplayWindow();
        for (long s = 0; s < 64 * 17; s++) {
            w.commit(s);
        }
        long far = 1_000_000_000_000L;
        w.commit(far);
        for (long s = far - W + 1; s < far; s++) {
            assertEquals(Verdict.FRESH, w.check(s), "stale bit at " + s);
        }
        assertEquals(Verdict.TOO_OLD, w.check(64 * 17 - 1));
        w.commit(Long.MAX_VALUE);
        assertEquals(Verdict.DUPLICATE, w.check(Long.MAX_VALUE));
        assertEquals(Verdict.FRESH, w.check(Long.MAX_VALUE - 1));
        assertEquals(Verdict.TOO_OLD, w.check(far));
        // jumps by exactly one word and by the ring size
        ReplayWindow v = new ReplayWindow();
        v.commit(63);
        v.commit(63 + 64 * 17);
        assertEquals(Verdict.FRESH, v.check(63 + 64 * 17 - 64));
    }

    @Test
    void agreesWithAReferenceModelUnderRandomTraffic() {
        Random r = new Random(42);
        ReplayWindow w = new ReplayWindow();
        TreeSet<Long> seen = new TreeSet<>();
        long highest = -1;
        for (int i = 0; i < 200_000; i++) {
            long s = Math.max(0, highest + r.nextInt(3 * W) - 2 * W);
            if (r.nextInt(50) == 0) {
                s = highest + 1 + r.nextInt(5 * W);
            }
            Verdict expected = s > highest ? Verdict.FRESH
                    : highest - s >= W ? Verdict.TOO_OLD
                    : seen.contains(s) ? Verdict.DUPLICATE : Verdict.FRESH;
            assertEquals(expected, w.check(s), "seq " + s + " highest " + highest);
            if (expected == Verdict.FRESH) {
                w.commit(s);
                seen.add(s);
                highest = Math.max(highest, s);
                seen.headSet(highest - W).clear(); // the model itself stays bounded
            }
        }
    }

    @Test
    void memoryIsConstantWithTraffic() {
        ReplayWindow w = new ReplayWindow();
        int words = w.footprintWords();
        assertEquals(17, words);
        for (long s = 0; s < 1_000_000; s += 3) {
            w.commit(s);
        }
        assertEquals(words, w.footprintWords());
    }
}
