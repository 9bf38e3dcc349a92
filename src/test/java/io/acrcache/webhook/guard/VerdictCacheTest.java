package io.acrcache.webhook.guard;

import com.github.benmanes.caffeine.cache.Ticker;
import io.acrcache.webhook.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerdictCacheTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
    private final VerdictCache cache =
            new VerdictCache(GuardSettings.builder().maxCacheEntries(100).build(), clock);
    private static final String DIGEST = "sha256:" + "b".repeat(64);

    private static VerdictCache.Key key(String ref) {
        return new VerdictCache.Key("docker-hub", "myacr.azurecr.io", "docker/library/nginx", ref);
    }

    @Test
    void tagsAreBelievedForMinutesWithJitter() {
        cache.servable(key("1.25"), DIGEST);
        clock.advance(Duration.ofSeconds(539)); // below 10 min − 10 %
        assertEquals(VerdictCache.State.SERVABLE, cache.get(key("1.25")).state());
        assertEquals(DIGEST, cache.get(key("1.25")).digest());
        clock.advance(Duration.ofSeconds(122)); // above 10 min + 10 %
        assertNull(cache.get(key("1.25")));
    }

    @Test
    void digestsAreBelievedForHoursAndReadingDoesNotExtendIt() {
        cache.servable(key(DIGEST), DIGEST);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofHours(1));
            assertNotNull(cache.get(key(DIGEST)));
        }
        clock.advance(Duration.ofMinutes(97)); // 6 h 37 min > 6 h + 10 %
        assertNull(cache.get(key(DIGEST)));
    }

    @Test
    void notFoundIsBelievedForAboutAMinute() {
        cache.notFound(key("nope"));
        clock.advance(Duration.ofSeconds(53));
        assertEquals(VerdictCache.State.NOT_FOUND, cache.get(key("nope")).state());
        clock.advance(Duration.ofSeconds(14));
        assertNull(cache.get(key("nope")));
    }

    @Test
    void sizeIsBounded() {
        for (int i = 0; i < 1000; i++) {
            cache.servable(key("t" + i), DIGEST);
        }
        assertEquals(100, cache.size());
    }

    @Test
    void jitterSpreadsLifetimesWithinTenPercent() {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 200; i++) {
            cache.servable(key("j" + i), DIGEST);
            long life = cache.get(key("j" + i)).lifetimeNanos();
            min = Math.min(min, life);
            max = Math.max(max, life);
        }
        long ttl = Duration.ofMinutes(10).toNanos();
        assertTrue(min >= ttl * 0.9 && max <= ttl * 1.1, min + " " + max);
        assertTrue(max - min > ttl / 20, "lifetimes are spread, not equal");
    }

    @Test
    void aRefusedImageIsBelievedLongerEachTimeItIsRefusedAgainUpToTheMaximum() {
        VerdictCache.Key k = key("private");
        cache.notServable(k, VerdictCache.State.REFUSED);
        assertEquals(VerdictCache.State.REFUSED, cache.get(k).state());
        clock.advance(Duration.ofSeconds(67));
        assertNull(cache.get(k), "about a minute the first time");
        cache.notServable(k, VerdictCache.State.REFUSED);
        clock.advance(Duration.ofSeconds(100));
        assertNotNull(cache.get(k), "about two minutes the second time");
        clock.advance(Duration.ofSeconds(40));
        assertNull(cache.get(k));
        for (int i = 0; i < 10; i++) {
            cache.notServable(k, VerdictCache.State.UPSTREAM_FAILED);
        }
        assertTrue(cache.get(k).lifetimeNanos() <= Duration.ofMinutes(11).toNanos(), "capped near 10 min");
        cache.servable(k, DIGEST);
        cache.notServable(k, VerdictCache.State.NOT_FOUND);
        assertTrue(cache.get(k).lifetimeNanos() <= Duration.ofSeconds(66).toNanos(), "a servable answer resets it");
    }

    @Test
    void verdictLifetimesRunOnTheMonotonicTickerNotTheWallClock() {
        assertSame(Ticker.systemTicker(), VerdictCache.ticker(Clock.systemUTC()));
        long[] nanos = {0};
        VerdictCache monotonic = new VerdictCache(GuardSettings.defaults(), () -> nanos[0]);
        monotonic.servable(key("1.25"), DIGEST);
        clock.advance(Duration.ofDays(1)); // a wall-clock step changes nothing
        assertNotNull(monotonic.get(key("1.25")));
        nanos[0] += Duration.ofMinutes(12).toNanos();
        assertNull(monotonic.get(key("1.25")));
    }
}
