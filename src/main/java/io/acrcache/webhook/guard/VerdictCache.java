package io.acrcache.webhook.guard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.acrcache.webhook.outbound.Jitter;

import java.time.Clock;
import java.time.Duration;

/**
 * Per-image verdicts that may be believed for a while: servable (tags for minutes, digests for hours) and not found
 * (about a minute). Transient failures are never stored here; they belong to the breakers. Every lifetime gets ±10 %
 * jitter so a burst of first sights does not expire (and re-probe) in one burst. Bounded by size (Caffeine evicts the
 * least useful entries).
 */
final class VerdictCache {
    record Key(String rule, String loginServer, String repository, String reference) {}

    enum State {
        SERVABLE,
        NOT_FOUND
    }

    record Entry(State state, String digest, long lifetimeNanos) {}

    private final Cache<Key, Entry> cache;
    private final Duration tagTtl;
    private final Duration digestTtl;
    private final Duration notFoundTtl;
    private final Jitter jitter = Jitter.of(0.1);

    VerdictCache(GuardSettings settings, Clock clock) {
        this.tagTtl = settings.tagTtl();
        this.digestTtl = settings.digestTtl();
        this.notFoundTtl = settings.notFoundTtl();
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.maxCacheEntries())
                .ticker(ticker(clock))
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
    }

    static Ticker ticker(Clock clock) {
        return () -> {
            var now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    Entry get(Key key) {
        return cache.getIfPresent(key);
    }

    void servable(Key key, String digest) {
        boolean isDigest = key.reference().indexOf(':') > 0;
        cache.put(key, new Entry(State.SERVABLE, digest, jitter(isDigest ? digestTtl : tagTtl)));
    }

    void notFound(Key key) {
        cache.put(key, new Entry(State.NOT_FOUND, null, jitter(notFoundTtl)));
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private long jitter(Duration ttl) {
        return jitter.apply(ttl.toNanos());
    }
}
