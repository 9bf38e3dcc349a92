package io.acrcache.webhook.outbound;

import io.acrcache.webhook.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefreshingTokenTest {
    record Tok(String value, Instant expiresAt) {}

    /** Timers run only when the test says so. */
    static final class ManualScheduler implements Scheduler {
        final TreeMap<Long, Runnable> tasks = new TreeMap<>();
        final List<Duration> delays = new ArrayList<>();
        long next = 1;

        @Override
        public long schedule(Duration delay, Runnable task) {
            delays.add(delay);
            tasks.put(next, task);
            return next++;
        }

        @Override
        public void cancel(long id) {
            tasks.remove(id);
        }

        void runAll() {
            List<Runnable> due = new ArrayList<>(tasks.values());
            tasks.clear();
            due.forEach(Runnable::run);
        }

        Duration lastDelay() {
            return delays.get(delays.size() - 1);
        }
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler timers = new ManualScheduler();
    private final List<Promise<Tok>> fetches = new ArrayList<>();
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8));

    private RefreshingToken<Tok> token(boolean failFast) {
        RefreshingToken.Policy policy =
                new RefreshingToken.Policy(80, Duration.ofMinutes(5), Duration.ofMillis(500), backoff, failFast);
        return new RefreshingToken<>(
                () -> {
                    Promise<Tok> p = Promise.promise();
                    fetches.add(p);
                    return p.future();
                },
                Tok::expiresAt,
                Tok::expiresAt,
                policy,
                timers,
                clock,
                new RefreshingToken.Listener<>() {});
    }

    private Tok lasting(Duration d) {
        return new Tok("t" + fetches.size(), clock.instant().plus(d));
    }

    @Test
    void oneFetchInFlightSharedByCallers() {
        RefreshingToken<Tok> t = token(true);
        Future<Tok> a = t.get();
        Future<Tok> b = t.get();
        assertEquals(1, fetches.size());
        Tok tok = lasting(Duration.ofHours(1));
        fetches.get(0).complete(tok);
        assertSame(tok, a.result());
        assertSame(tok, b.result());
        assertSame(tok, t.get().result(), "a valid token answers at once");
        assertEquals(1, fetches.size());
    }

    @Test
    void refreshesAheadOfExpiry() {
        RefreshingToken<Tok> t = token(true);
        t.get();
        fetches.get(0).complete(lasting(Duration.ofHours(1)));
        // 80 % of an hour is 48 min; 5 min before expiry is 55 min: the earlier wins
        assertEquals(Duration.ofMinutes(48), timers.lastDelay());
        timers.runAll();
        assertEquals(2, fetches.size(), "the timer refreshes in the background");
        assertTrue(t.usable(), "the old token is served while the refresh runs");
        Tok renewed = lasting(Duration.ofHours(1));
        fetches.get(1).complete(renewed);
        assertSame(renewed, t.get().result());
    }

    @Test
    void refreshDelayPolicy() {
        RefreshingToken.Policy p =
                new RefreshingToken.Policy(80, Duration.ofMinutes(5), Duration.ofMillis(500), backoff, true);
        assertEquals(Duration.ofMinutes(72), p.refreshDelay(Duration.ofMinutes(90)));
        assertEquals(Duration.ofMinutes(15), p.refreshDelay(Duration.ofMinutes(20)));
        assertEquals(Duration.ofSeconds(150), p.refreshDelay(Duration.ofSeconds(300)), "never before half");
        assertEquals(Duration.ofMillis(500), p.refreshDelay(Duration.ofMillis(100)), "never sooner than the floor");
        RefreshingToken.Policy fraction =
                new RefreshingToken.Policy(80, Duration.ZERO, Duration.ofSeconds(1), backoff, false);
        assertEquals(Duration.ofHours(8), fraction.refreshDelay(Duration.ofHours(10)));
    }

    @Test
    void backsOffAfterFailuresHonouringRetryAfter() {
        RefreshingToken<Tok> t = token(true);
        Future<Tok> first = t.get();
        fetches.get(0).fail(new OutboundException(OutboundException.Kind.SERVER_ERROR, "500"));
        assertTrue(first.failed());
        assertEquals(Duration.ofSeconds(1), timers.lastDelay());
        timers.runAll();
        fetches.get(1).fail(new OutboundException(OutboundException.Kind.SERVER_ERROR, "500"));
        assertEquals(Duration.ofSeconds(2), timers.lastDelay());
        timers.runAll();
        fetches.get(2)
                .fail(new OutboundException(OutboundException.Kind.THROTTLED, null, "429", Duration.ofSeconds(30)));
        assertEquals(Duration.ofSeconds(30), timers.lastDelay(), "Retry-After beyond the back-off wins");
        timers.runAll();
        fetches.get(3).complete(lasting(Duration.ofHours(1)));
        assertNull(t.lastFailure());
        assertEquals(Duration.ofMinutes(48), timers.lastDelay());
        timers.runAll();
        fetches.get(4).fail(new IllegalStateException("x"));
        assertEquals(Duration.ofSeconds(1), timers.lastDelay(), "a success resets the back-off");
    }

    @Test
    void failFastWhileARetryIsScheduled() {
        RefreshingToken<Tok> t = token(true);
        t.get();
        OutboundException down = new OutboundException(OutboundException.Kind.CONNECTION, "refused");
        fetches.get(0).fail(down);
        Future<Tok> meanwhile = t.get();
        assertSame(down, meanwhile.cause());
        assertEquals(1, fetches.size(), "callers wait for the scheduled retry");
    }

    @Test
    void orCallersMayStartAFetchThemselves() {
        RefreshingToken<Tok> t = token(false);
        t.get();
        fetches.get(0).fail(new OutboundException(OutboundException.Kind.CONNECTION, "refused"));
        assertEquals(1, timers.tasks.size());
        t.get();
        assertEquals(2, fetches.size());
        assertEquals(0, timers.tasks.size(), "the caller's fetch replaced the timer: one chain, never two");
    }

    @Test
    void dropOnRejectionFetchesAnew() {
        RefreshingToken<Tok> t = token(true);
        t.get();
        fetches.get(0).complete(lasting(Duration.ofHours(1)));
        assertTrue(t.usable());
        t.drop();
        assertFalse(t.usable());
        t.get();
        assertEquals(2, fetches.size());
    }

    @Test
    void anExpiredTokenIsNotServed() {
        RefreshingToken<Tok> t = token(true);
        t.get();
        fetches.get(0).complete(lasting(Duration.ofMinutes(10)));
        clock.advance(Duration.ofMinutes(11));
        assertFalse(t.usable());
        assertFalse(t.get().isComplete());
        assertEquals(2, fetches.size());
    }

    @Test
    void useUntilKeepsAMarginBeforeExpiry() {
        Instant now = clock.instant();
        Duration min = Duration.ofSeconds(5);
        Duration max = Duration.ofMinutes(5);
        assertEquals(now.plusSeconds(540), RefreshingToken.useUntil(now, now.plusSeconds(600), 10, min, max));
        assertEquals(now.plusSeconds(3300), RefreshingToken.useUntil(now, now.plusSeconds(3600), 10, min, max));
        assertEquals(now.plusSeconds(25), RefreshingToken.useUntil(now, now.plusSeconds(30), 10, min, max));
        assertEquals(now.plusSeconds(4), RefreshingToken.useUntil(now, now.plusSeconds(8), 10, min, max));
    }

    @Test
    void closeStopsTheTimers() {
        RefreshingToken<Tok> t = token(true);
        t.get();
        fetches.get(0).complete(lasting(Duration.ofHours(1)));
        assertEquals(1, timers.tasks.size());
        t.close();
        assertEquals(0, timers.tasks.size());
    }
}
