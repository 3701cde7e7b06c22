package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cover traffic on a manual loop: its cadence, its sizes, and silence without a session. */
class CoverTrafficTest {

    private final ManualEventLoop loop = new ManualEventLoop();
    private final List<Long> sentAt = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();
    private boolean ready = true;

    private CoverTraffic cover(Duration min, Duration max) {
        return new CoverTraffic(new Conversation.DummySchedule(min, max), new SecureRandom(), loop, new CoverTraffic.Sink() {
            @Override
            public boolean ready() {
                return ready;
            }

            @Override
            public void send(byte[] body) {
                sentAt.add(loop.nanoTime());
                sizes.add(body.length);
            }
        });
    }

    @Test
    void dummiesGoOutAtIntervalsBetweenMinAndMaxWithBodiesOfAShortText() {
        Duration min = Duration.ofMillis(100);
        Duration max = Duration.ofMillis(300);
        CoverTraffic cover = cover(min, max);
        cover.start();
        cover.start(); // already going: no second chain
        loop.advance(Duration.ofSeconds(60));
        assertTrue(sentAt.size() >= 60 / 0.3 && sentAt.size() <= 60 / 0.1, sentAt.size() + " dummies in 60 s");
        long previous = 0;
        long shortest = Long.MAX_VALUE;
        long longest = 0;
        for (long t : sentAt) {
            long gap = t - previous;
            shortest = Math.min(shortest, gap);
            longest = Math.max(longest, gap);
            previous = t;
        }
        assertTrue(shortest >= min.toNanos(), "shortest interval " + shortest + " ns");
        assertTrue(longest <= max.toNanos(), "longest interval " + longest + " ns");
        assertTrue(longest - shortest > min.toNanos(), "the intervals are drawn, not fixed");
        assertTrue(sizes.stream().allMatch(n -> n >= 16 && n < 80), sizes.toString());
    }

    @Test
    void withoutASessionNoDummyGoesOutButTheScheduleGoesOn() {
        CoverTraffic cover = cover(Duration.ofMillis(50), Duration.ofMillis(50));
        ready = false;
        cover.start();
        loop.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), sentAt);
        ready = true;
        loop.advance(Duration.ofMillis(50));
        assertEquals(List.of(Duration.ofMillis(1050).toNanos()), sentAt, "the next tick after the session came");
    }

    @Test
    void aZeroMaximumMeansNoCoverTrafficAndStopEndsIt() {
        cover(Duration.ZERO, Duration.ZERO).start();
        loop.advance(Duration.ofMinutes(5));
        assertEquals(List.of(), sentAt);
        CoverTraffic cover = cover(Duration.ofMillis(10), Duration.ofMillis(10));
        cover.start();
        loop.advance(Duration.ofMillis(30));
        assertEquals(3, sentAt.size());
        cover.stop();
        cover.start();
        loop.advance(Duration.ofMinutes(1));
        assertEquals(3, sentAt.size(), "stopped for good");
    }
}
