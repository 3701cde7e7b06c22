package io.securerelay.relay.admin;

import io.securerelay.relay.monitoring.RelayCounters.LocalCounter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


/** The login throttle's schedule, on a clock the test moves: no waiting. */
class LoginThrottleTest {

    private static final String A = "192.0.2.7";
    private static final String B = "198.51.100.9";

    private final MovableClock clock = new MovableClock();
    private final LocalCounter failures = new LocalCounter();
    private final LocalCounter throttled = new LocalCounter();
    private final LoginThrottle throttle = new LoginThrottle(clock, 1000, failures, throttled);

    @Test
    void fiveFailuresLockTheAddressOutForOneSecondThenEachFailureDoublesIt() {
        for (int i = 1; i < LoginThrottle.FREE_FAILURES; i++) {
            assertEquals(Optional.empty(), throttle.lockedOut(A), "before failure " + i);
            assertEquals(Duration.ZERO, throttle.failed(A), "failure " + i + " costs nothing");
        }
        assertEquals(Duration.ofSeconds(1), throttle.failed(A), "the fifth failure");
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.lockedOut(A), "locked out right after it");
        clock.advance(Duration.ofMillis(999));
        assertEquals(Optional.of(Duration.ofMillis(1)), throttle.lockedOut(A), "still locked 1 ms before the end");
        clock.advance(Duration.ofMillis(1));
        assertEquals(Optional.empty(), throttle.lockedOut(A), "free again after exactly 1 s");

        long expected = 2;
        for (int failure = 6; failure <= 14; failure++, expected *= 2) {
            assertEquals(Duration.ofSeconds(expected), throttle.failed(A), "failure " + failure);
            clock.advance(Duration.ofSeconds(expected).minusMillis(1));
            assertTrue(throttle.lockedOut(A).isPresent(), "locked for the whole " + expected + " s");
            clock.advance(Duration.ofMillis(1));
            assertEquals(Optional.empty(), throttle.lockedOut(A));
        }
        assertEquals(LoginThrottle.MAX_DELAY, throttle.failed(A), "failure 15: 1024 s, capped at 15 minutes");
        assertEquals(LoginThrottle.MAX_DELAY, LoginThrottle.delayAfter(1_000_000), "no overflow");
        assertEquals(15, failures.getCount(), "relay_admin_login_failures_total counts every failure");
        assertEquals(2 + 9, throttled.getCount(), "relay_admin_login_throttled_total counts every refused attempt");
    }

    @Test
    void aLockOutIsPerAddressAndASuccessForgetsIt() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.failed(A);
        }
        assertTrue(throttle.lockedOut(A).isPresent());
        assertEquals(Optional.empty(), throttle.lockedOut(B), "another address is not affected");
        clock.advance(Duration.ofSeconds(1));
        throttle.succeeded(A);
        assertEquals(Duration.ZERO, throttle.failed(A), "after a success the count starts again from zero");
        assertEquals(Optional.empty(), throttle.lockedOut(A));
    }

    @Test
    void anAddressWithoutFailuresForAnHourIsForgotten() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES + 3; i++) {
            clock.advance(Duration.ofMinutes(1));
            throttle.failed(A);
        }
        clock.advance(LoginThrottle.FORGET_AFTER);
        assertEquals(Optional.empty(), throttle.lockedOut(A));
        assertEquals(0, throttle.trackedAddresses(), "the entry is gone");
        assertEquals(Duration.ZERO, throttle.failed(A), "and the count starts again");
    }

    @Test
    void manyAddressesCannotGrowTheMapBeyondItsBound() {
        for (int i = 0; i < 50_000; i++) {
            throttle.failed("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
            assertTrue(throttle.trackedAddresses() <= 1000);
        }
        assertEquals(1000, throttle.trackedAddresses());
        assertEquals(10_000, LoginThrottle.MAX_ADDRESSES, "the deployed bound");
    }

    @Test
    void ipv6AddressesCountPerSlash64AndLiteralsAreNormalised() {
        assertEquals(LoginThrottle.key("2001:db8:1:2::1"), LoginThrottle.key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assertTrue(!LoginThrottle.key("2001:db8:1:2::1").equals(LoginThrottle.key("2001:db8:1:3::1")));
        assertEquals(LoginThrottle.key("0:0:0:0:0:0:0:1"), LoginThrottle.key("[::1]"));
        assertEquals("192.0.2.7", LoginThrottle.key("::ffff:192.0.2.7"));
        assertEquals("192.0.2.7", LoginThrottle.key("192.0.2.7"));
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            throttle.failed("2001:db8:1:2::" + Integer.toHexString(i + 1));
        }
        assertTrue(throttle.lockedOut("2001:db8:1:2::99").isPresent(), "the whole /64 is locked out");
        assertEquals(Optional.empty(), throttle.lockedOut("2001:db8:1:3::1"));
    }

    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-12-03T08:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
