package io.securerelay.relay.endpoint;

import io.securerelay.relay.limits.AddressLimiter;
import io.securerelay.relay.limits.KeepAlive;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;



/** The pure parts of the relay's limits: keep-alive decisions, timers, address cap, origins. */
class HardeningUnitsTest {

    @Test
    void keepAlivePingsASilentConnectionAndClosesAnIdleOne() {
        KeepAlive k = new KeepAlive(Duration.ofSeconds(30), Duration.ofSeconds(120));
        long heard = 1_000_000;
        assertEquals(KeepAlive.Action.NONE, k.decide(heard + 29_999, heard));
        assertEquals(KeepAlive.Action.PING, k.decide(heard + 30_000, heard));
        assertEquals(KeepAlive.Action.PING, k.decide(heard + 119_999, heard));
        assertEquals(KeepAlive.Action.CLOSE, k.decide(heard + 120_000, heard));
        assertThrows(IllegalArgumentException.class, () -> new KeepAlive(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> new KeepAlive(Duration.ZERO, Duration.ofSeconds(5)));
    }

    @Test
    void timersOfAClosedConnectionLeaveNothingInTheQueue() throws Exception {
        RelayScheduler scheduler = new RelayScheduler();
        try {
            ScheduledThreadPoolExecutor executor = (ScheduledThreadPoolExecutor) scheduler.executor();
            ConnectionTimers[] timers = new ConnectionTimers[100];
            for (int i = 0; i < timers.length; i++) {
                timers[i] = scheduler.newConnection();
                timers[i].registrationTimeout(Duration.ofSeconds(10), () -> { });
                timers[i].every(Duration.ofSeconds(30), () -> { });
            }
            assertEquals(200, executor.getQueue().size());
            timers[0].registered();
            assertEquals(199, executor.getQueue().size(), "registration cancels the registration timeout");
            for (ConnectionTimers t : timers) {
                t.cancelAll();
            }
            assertEquals(0, executor.getQueue().size(), "no task outlives its connection");
            timers[1].every(Duration.ofSeconds(1), () -> { });
            assertEquals(0, executor.getQueue().size(), "a task scheduled after close is cancelled at once");
            assertEquals(0, timers[1].activeTasks());
        } finally {
            scheduler.stop();
        }
    }

    @Test
    void aOneShotTimerFiresOnceAndACancelledOneLeavesTheQueue() throws Exception {
        RelayScheduler scheduler = new RelayScheduler();
        try {
            ScheduledThreadPoolExecutor executor = (ScheduledThreadPoolExecutor) scheduler.executor();
            CountDownLatch fired = new CountDownLatch(1);
            scheduler.newConnection().once(Duration.ofMillis(20), fired::countDown);
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the one-shot task ran");
            ConnectionTimers closing = scheduler.newConnection();
            closing.once(Duration.ofSeconds(60), () -> { });
            assertEquals(1, executor.getQueue().size());
            closing.cancelAll();
            assertEquals(0, executor.getQueue().size(), "cancelled with its connection");
        } finally {
            scheduler.stop();
        }
    }

    @Test
    void aRegistrationTimeoutFires() throws Exception {
        RelayScheduler scheduler = new RelayScheduler();
        try {
            CountDownLatch fired = new CountDownLatch(1);
            scheduler.newConnection().registrationTimeout(Duration.ofMillis(50), fired::countDown);
            assertTrue(fired.await(5, TimeUnit.SECONDS));
        } finally {
            scheduler.stop();
        }
    }

    @Test
    void theAddressCapCountsPerAddressAndReleases() {
        AddressLimiter limiter = new AddressLimiter(2);
        assertTrue(limiter.tryAcquire("10.0.0.1"));
        assertTrue(limiter.tryAcquire("10.0.0.1"));
        assertFalse(limiter.tryAcquire("10.0.0.1"));
        assertTrue(limiter.tryAcquire("10.0.0.2"), "another address has its own count");
        limiter.release("10.0.0.1");
        assertTrue(limiter.tryAcquire("10.0.0.1"));
        limiter.release("10.0.0.1");
        limiter.release("10.0.0.1");
        assertEquals(0, limiter.openFrom("10.0.0.1"));
        assertTrue(limiter.tryAcquire(null), "an unknown address is not capped");
        AddressLimiter off = new AddressLimiter(0);
        for (int i = 0; i < 1000; i++) {
            assertTrue(off.tryAcquire("10.0.0.1"));
        }
    }

    @Test
    void originsAreRefusedUnlessAllowedAndAbsentOnesAccepted() {
        OriginPolicy none = OriginPolicy.parse("");
        assertTrue(none.accepts(null), "non-browser clients send no Origin");
        assertFalse(none.accepts("https://evil.example"));
        assertFalse(none.accepts("null"));
        OriginPolicy some = OriginPolicy.parse(" https://bank.example , https://app.bank.example:8443/ ");
        assertTrue(some.accepts("https://bank.example"));
        assertTrue(some.accepts("HTTPS://Bank.Example"));
        assertTrue(some.accepts("https://app.bank.example:8443"));
        assertFalse(some.accepts("http://bank.example"), "the scheme counts");
        assertFalse(some.accepts("https://bank.example.evil.example"));
        assertFalse(some.accepts("https://app.bank.example"), "the port counts");
    }
}
