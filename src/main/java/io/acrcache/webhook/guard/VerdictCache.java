package io.acrcache.webhook.guard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.acrcache.webhook.outbound.Jitter;

import java.time.Clock;
import java.time.Duration;

/**
 * Per-image verdicts that may be believed for a while: servable (tags for minutes, digests for hours) and not servable
 * (about a minute at first). A not-servable verdict names why (not found, the source refused this repository, the
 * source failed for it, too slow) and its lifetime doubles each time the same image is refused again, up to
 * {@link GuardSettings#notServableMaxTtl()}: an image that keeps being refused costs fewer probes, and one answer about
 * one image never says anything about its rule or registry. Every lifetime gets ±10 % jitter so a burst of first sights
 * does not expire (and re-probe) in one burst. Lifetimes run on a monotonic ticker, so a wall-clock step does not
 * stretch or cut them. Bounded by size (Caffeine evicts the least useful entries).
 */
final class VerdictCache {
    record Key(String rule, String loginServer, String repository, String reference) {}

    enum State {
        SERVABLE,
        NOT_FOUND,
        /** The source registry refused this repository (401/403 naming it): private, misspelled, no access. */
        REFUSED,
        /** The cache's request to the source failed for this image (424). */
        UPSTREAM_FAILED,
        /** The first sight ran out of time while {@code /v2/} answered: about this image, not the registry. */
        SLOW
    }

    record Entry(State state, String digest, long lifetimeNanos) {}

    private final Cache<Key, Entry> cache;
    // refusals in a row per image, remembered longer than any verdict so the back-off can grow
    private final Cache<Key, Integer> strikes;
    private volatile GuardSettings settings;
    private final Jitter jitter = Jitter.of(0.1);

    VerdictCache(GuardSettings settings, Clock clock) {
        this(settings, ticker(clock));
    }

    VerdictCache(GuardSettings settings, Ticker ticker) {
        this.settings = settings;
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.maxCacheEntries())
                .ticker(ticker)
                .executor(Runnable::run) // maintenance inline: no pool threads, deterministic under a test clock
                .expireAfter(new Expiry<Key, Entry>() {
                    @Override
                    public long expireAfterCreate(Key key, Entry value, long currentTime) {
                        return value.lifetimeNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Entry value, long currentTime, long currentDuration) {
                        return value.lifetimeNanos();
                    }

                    @Override
                    public long expireAfterRead(Key key, Entry value, long currentTime, long currentDuration) {
                        return currentDuration; // reading does not extend belief
                    }
                })
                .build();
        this.strikes = Caffeine.newBuilder()
                .maximumSize(settings.maxCacheEntries())
                .ticker(ticker)
                .executor(Runnable::run)
                .expireAfterWrite(settings.notServableMaxTtl().multipliedBy(2))
                .build();
    }

    /**
     * Monotonic time: {@link System#nanoTime} for the system clock; a clock a test moves by hand drives its own (the
     * wall clock is never read for a lifetime).
     */
    static Ticker ticker(Clock clock) {
        if (clock.getClass() == Clock.systemUTC().getClass()) {
            return Ticker.systemTicker();
        }
        return () -> {
            var now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    /** New lifetimes and bound for entries stored from now on (a reload that keeps the verdicts). */
    void retune(GuardSettings next) {
        settings = next;
        cache.policy().eviction().ifPresent(e -> e.setMaximum(next.maxCacheEntries()));
        strikes.policy().eviction().ifPresent(e -> e.setMaximum(next.maxCacheEntries()));
    }

    Entry get(Key key) {
        return cache.getIfPresent(key);
    }

    void servable(Key key, String digest) {
        boolean isDigest = key.reference().indexOf(':') > 0;
        GuardSettings s = settings;
        strikes.invalidate(key);
        cache.put(key, new Entry(State.SERVABLE, digest, jitter(isDigest ? s.digestTtl() : s.tagTtl())));
    }

    void notFound(Key key) {
        notServable(key, State.NOT_FOUND);
    }

    /** This image cannot be served now: believed for a lifetime that doubles with each refusal in a row. */
    void notServable(Key key, State why) {
        GuardSettings s = settings;
        Integer before = strikes.getIfPresent(key);
        int n = before == null ? 1 : before + 1;
        strikes.put(key, n);
        Duration base = why == State.SLOW ? s.notFoundTtl().dividedBy(4) : s.notFoundTtl();
        Duration ttl = base.multipliedBy(1L << Math.min(n - 1, 20));
        if (ttl.compareTo(s.notServableMaxTtl()) > 0) {
            ttl = s.notServableMaxTtl().compareTo(base) > 0 ? s.notServableMaxTtl() : base;
        }
        cache.put(key, new Entry(why, null, jitter(ttl)));
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private long jitter(Duration ttl) {
        return jitter.apply(ttl.toNanos());
    }
}
