package io.acrcache.webhook.outbound;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void deltaSeconds() {
        assertEquals(Duration.ofSeconds(120), RetryAfter.parse(" 120 ", NOW));
        assertEquals(Duration.ZERO, RetryAfter.parse("0", NOW));
        assertEquals(120, RetryAfter.seconds("120", NOW));
    }

    @Test
    void httpDateInTheFutureOrPast() {
        assertEquals(Duration.ofSeconds(90), RetryAfter.parse("Wed, 02 Dec 2026 10:01:30 GMT", NOW));
        assertEquals(Duration.ZERO, RetryAfter.parse("Wed, 02 Dec 2026 09:00:00 GMT", NOW), "past: now");
    }

    @Test
    void absentOrGarbageIsAbsent() {
        assertNull(RetryAfter.parse(null, NOW));
        assertNull(RetryAfter.parse("  ", NOW));
        assertNull(RetryAfter.parse("later", NOW));
        assertNull(RetryAfter.parse("-5", NOW));
        assertNull(RetryAfter.parse("1.5", NOW));
        assertNull(RetryAfter.parse("99999999999999999999999", NOW));
        assertEquals(-1, RetryAfter.seconds("soon", NOW));
    }

    @Test
    void boundedByMax() {
        assertEquals(RetryAfter.MAX, RetryAfter.parse("" + Long.MAX_VALUE, NOW));
        assertEquals(RetryAfter.MAX, RetryAfter.parse("86400", NOW));
        assertEquals(RetryAfter.MAX, RetryAfter.parse("Thu, 03 Dec 2026 10:00:00 GMT", NOW));
        assertEquals(Duration.ofSeconds(3600), RetryAfter.parse("3600", NOW));
    }
}
