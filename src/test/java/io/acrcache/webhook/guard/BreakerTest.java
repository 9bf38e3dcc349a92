package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.Breaker.State;
import io.acrcache.webhook.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BreakerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
    private final Breaker breaker = new Breaker(
            "rule", "docker-hub", clock, 3, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(10));

    @Test
    void opensOnThresholdFailuresWithinTheWindowOnly() {
        breaker.failure("a", false, null);
        breaker.failure("b", false, null);
        clock.advance(Duration.ofSeconds(61)); // the first two fall out of the window
        breaker.failure("c", false, null);
        assertEquals(State.CLOSED, breaker.state());
        breaker.failure("d", false, null);
        breaker.failure("e", false, null);
        assertEquals(State.OPEN, breaker.state());
        assertEquals("e", breaker.reason());
        assertFalse(breaker.tryAcquire(), "open: no probe at all");
    }

    @Test
    void halfOpensAfterTheBackoffWithASingleTrialAndClosesOnSuccess() {
        breaker.failure("429", true, null);
        assertEquals(State.OPEN, breaker.state());
        clock.advance(Duration.ofSeconds(29));
        assertEquals(State.OPEN, breaker.state());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(State.HALF_OPEN, breaker.state());
        assertTrue(breaker.tryAcquire());
        assertFalse(breaker.tryAcquire(), "one trial at a time");
        breaker.success();
        assertEquals(State.CLOSED, breaker.state());
        assertTrue(breaker.isClosed());
    }

    @Test
    void failedTrialsDoubleTheBackoffUpToTheMaximum() {
        breaker.failure("x", true, null); // open for 30 s
        clock.advance(Duration.ofSeconds(30));
        for (long seconds : new long[] {60, 120, 240, 480, 600, 600}) {
            assertEquals(State.HALF_OPEN, breaker.state());
            assertTrue(breaker.tryAcquire());
            breaker.failure("trial failed", false, null);
            clock.advance(Duration.ofSeconds(seconds - 1));
            assertEquals(State.OPEN, breaker.state(), "open for " + seconds + " s");
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(State.HALF_OPEN, breaker.state());
        breaker.success();
        breaker.failure("again", true, null);
        clock.advance(Duration.ofSeconds(30));
        assertEquals(State.HALF_OPEN, breaker.state(), "closing resets the back-off");
    }

    @Test
    void retryAfterIsALowerBoundOfTheOpenPeriod() {
        breaker.failure("429", true, Duration.ofMinutes(2));
        clock.advance(Duration.ofSeconds(119));
        assertEquals(State.OPEN, breaker.state());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(State.HALF_OPEN, breaker.state());
    }

    @Test
    void heldOpenByRegistryDataUntilReleasedThenAProbeDecides() {
        breaker.hold(true, "credential set Unhealthy");
        clock.advance(Duration.ofDays(1));
        assertEquals(State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
        breaker.hold(false, "Healthy");
        assertEquals(State.HALF_OPEN, breaker.state());
        assertTrue(breaker.tryAcquire());
        breaker.release(); // a trial that said nothing about this scope
        assertTrue(breaker.tryAcquire());
        breaker.success();
        assertEquals(State.CLOSED, breaker.state());
    }

    @Test
    void successesCountWhileClosedSoScatteredFailuresNeverAddUp() {
        for (int i = 0; i < 100; i++) {
            breaker.failure("timeout " + i, false, null);
            breaker.success();
            breaker.failure("timeout " + i, false, null);
            breaker.success();
        }
        assertEquals(State.CLOSED, breaker.state(), "two failures among many successes");
    }
}
