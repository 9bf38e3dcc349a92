package io.acrcache.webhook.outbound;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

    @Test
    void doublesFromInitialUpToTheCap() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        assertEquals(Duration.ofSeconds(1), b.delay(0));
        assertEquals(Duration.ofSeconds(1), b.delay(1));
        assertEquals(Duration.ofSeconds(2), b.delay(2));
        assertEquals(Duration.ofSeconds(32), b.delay(6));
        assertEquals(Duration.ofSeconds(60), b.delay(7));
        assertEquals(Duration.ofSeconds(60), b.delay(Long.MAX_VALUE), "no overflow however long the run");
    }

    @Test
    void retryAfterIsALowerBoundOnly() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        assertEquals(Duration.ofSeconds(17), b.delay(1, Duration.ofSeconds(17)));
        assertEquals(Duration.ofSeconds(4), b.delay(3, Duration.ofSeconds(2)));
        assertEquals(Duration.ofSeconds(4), b.delay(3, null));
    }

    @Test
    void jitterStaysWithinItsFraction() {
        Backoff low = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(100), new Jitter(0.1, () -> 0.0));
        Backoff high = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(100), new Jitter(0.1, () -> 0.999999));
        Backoff mid = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(100), new Jitter(0.1, () -> 0.5));
        assertEquals(Duration.ofSeconds(9), low.delay(1));
        assertEquals(Duration.ofSeconds(11), high.delay(1));
        assertEquals(Duration.ofSeconds(10), mid.delay(1));
        // the cap is jittered too, so capped retries do not line up
        assertEquals(Duration.ofSeconds(90), low.delay(10));
        Backoff random = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(100), Jitter.of(0.1));
        for (int i = 0; i < 1000; i++) {
            long ms = random.delay(2).toMillis();
            assertTrue(ms >= 18_000 && ms <= 22_000, "20 s ± 10 %: " + ms);
        }
    }

    @Test
    void jitterNeverGivesZeroAndNoneLeavesAmountsAlone() {
        assertEquals(1, new Jitter(0.5, () -> 0.0).apply(1));
        assertEquals(0, Jitter.NONE.apply(0));
        assertEquals(1234, Jitter.NONE.apply(1234));
        assertThrows(IllegalArgumentException.class, () -> new Jitter(1.0, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(-1), Duration.ofSeconds(1)));
        assertEquals(Duration.ofSeconds(1), new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).delay(1));
    }
}
