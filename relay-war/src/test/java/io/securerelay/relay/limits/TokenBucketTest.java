package io.securerelay.relay.limits;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;



/** Token buckets and the per-connection rate limiter on a clock the test moves by hand. */
public class TokenBucketTest {

    /** A clock that moves only when told to. */
    public static final class MutableClock extends Clock {
        private long millis = 1_000_000;

        public void advanceMillis(long ms) {
            millis += ms;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void aFullBucketGivesItsCapacityThenRefillsAtTheRate() {
        MutableClock clock = new MutableClock();
        TokenBucket b = new TokenBucket(10, 5, clock);
        for (int i = 0; i < 10; i++) {
            assertTrue(b.tryTake(1), "token " + i);
        }
        assertFalse(b.tryTake(1));
        clock.advanceMillis(199);
        assertFalse(b.tryTake(1), "5 per second: not yet one token after 199 ms");
        clock.advanceMillis(1);
        assertTrue(b.tryTake(1));
        assertFalse(b.tryTake(1));
    }

    @Test
    void refillStopsAtTheCapacity() {
        MutableClock clock = new MutableClock();
        TokenBucket b = new TokenBucket(3, 1000, clock);
        clock.advanceMillis(3_600_000);
        assertTrue(b.tryTake(3));
        assertFalse(b.tryTake(1));
    }

    @Test
    void aRefusedTakeTakesNothing() {
        MutableClock clock = new MutableClock();
        TokenBucket b = new TokenBucket(100, 100, clock);
        assertFalse(b.tryTake(101));
        assertTrue(b.tryTake(100));
    }

    @Test
    void slowRatesAccumulateFractionsOfTokens() {
        MutableClock clock = new MutableClock();
        TokenBucket b = new TokenBucket(1, 1, clock); // one token per second
        assertTrue(b.tryTake(1));
        for (int i = 0; i < 9; i++) {
            clock.advanceMillis(100);
            assertFalse(b.tryTake(1));
        }
        clock.advanceMillis(100);
        assertTrue(b.tryTake(1), "ten 100 ms steps make one second");
    }

    @Test
    void theLimiterNeedsRoomForTheFrameAndItsBytes() {
        MutableClock clock = new MutableClock();
        RateLimiter limiter = new RateLimiter(100, 1000, clock); // bursts: 200 frames, 2000 bytes
        assertTrue(limiter.admit(2000));
        assertFalse(limiter.admit(1), "the byte bucket is empty");
        clock.advanceMillis(1000);
        assertTrue(limiter.admit(1000));
        assertTrue(RateLimiter.UNLIMITED.admit(Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, clock));
    }
}
