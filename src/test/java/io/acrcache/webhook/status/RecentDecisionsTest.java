package io.acrcache.webhook.status;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The ring keeps the newest decisions only; the hour's counts forget what is older than an hour. */
class RecentDecisionsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:30Z"));
    private final LoadedConfig config = StatusFixture.config();

    @Test
    void keepsTheNewestDecisionsNewestFirst() throws Exception {
        RecentDecisions recent = new RecentDecisions(3, clock);
        recent.accept(StatusFixture.admit(config, "nginx:1", "ghcr.io/org/app:1"));
        recent.accept(StatusFixture.admit(config, "busybox", "redis:7", "quay.io/a/b:1"));

        List<RecentDecisions.Decision> shown = recent.recent(10);
        assertEquals(3, shown.size());
        assertEquals("quay.io/a/b:1", shown.get(0).original());
        assertEquals("myacr.azurecr.io/quay/a/b:1", shown.get(0).rewritten());
        assertEquals("quay", shown.get(0).rule());
        assertEquals("busybox", shown.get(2).original());
        assertEquals("apps", shown.get(2).namespace());
        assertEquals(1, recent.recent(1).size());
    }

    @Test
    void aSkipHasItsReasonAndNoTarget() throws Exception {
        RecentDecisions recent = new RecentDecisions(10, clock);
        recent.accept(StatusFixture.admit(config, "ghcr.io/org/app:1"));

        RecentDecisions.Decision d = recent.recent(1).get(0);
        assertNull(d.rewritten());
        assertEquals("no-rule", d.skipReason());
        assertEquals(clock.millis(), d.epochMillis());
    }

    @Test
    void countsTheLastHourByRuleAndByReason() throws Exception {
        RecentDecisions recent = new RecentDecisions(10, clock);
        recent.accept(StatusFixture.admit(config, "nginx:1", "redis:7", "quay.io/a/b:1", "ghcr.io/org/app:1"));
        clock.advance(Duration.ofMinutes(30));
        recent.accept(StatusFixture.admit(config, "nginx:1", "myacr.azurecr.io/docker/library/nginx:1"));

        assertEquals(Map.of("docker-hub", 3L, "quay", 1L), recent.rewritesLastHour());
        assertEquals(
                List.of("docker-hub", "quay"),
                List.copyOf(recent.rewritesLastHour().keySet()));
        assertEquals(Map.of("no-rule", 1L, "already-cached", 1L), recent.skipsLastHour());

        clock.advance(Duration.ofMinutes(31)); // the first admission is now more than an hour old
        assertEquals(Map.of("docker-hub", 1L), recent.rewritesLastHour());
        assertEquals(Map.of("already-cached", 1L), recent.skipsLastHour());

        clock.advance(Duration.ofMinutes(60));
        recent.accept(StatusFixture.admit(config, "busybox")); // reuses a bucket: the old minute is cleared
        assertEquals(Map.of("docker-hub", 1L), recent.rewritesLastHour());
        assertEquals(Map.of(), recent.skipsLastHour());
    }

    @Test
    void refusesAnEmptyRing() {
        assertThrows(IllegalArgumentException.class, () -> new RecentDecisions(0, clock));
    }
}
