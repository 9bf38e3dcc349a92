package io.acrcache.webhook.outbound;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Merges identical calls in flight: the first caller for a key starts the call, later ones get the same future until it
 * completes (success or failure; nothing is remembered afterwards). At most {@code limit} distinct calls run at once.
 */
public final class SingleFlight<K, V> {
    private final int limit;
    private final ConcurrentMap<K, Future<V>> inflight = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    public SingleFlight(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("single-flight limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /**
     * Joins the call in flight for {@code key}, or starts {@code call}. Null when {@code limit} distinct calls are
     * already running: the caller sheds or runs unmerged, its choice.
     */
    public Future<V> run(K key, Supplier<Future<V>> call) {
        Future<V> running = inflight.get(key);
        if (running != null) {
            return running;
        }
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            return null;
        }
        Promise<V> p = Promise.promise();
        running = inflight.putIfAbsent(key, p.future());
        if (running != null) {
            count.decrementAndGet();
            return running;
        }
        Future<V> started;
        try {
            started = call.get();
        } catch (RuntimeException e) {
            started = Future.failedFuture(e);
        }
        started.onComplete(ar -> {
            inflight.remove(key, p.future());
            count.decrementAndGet();
            p.handle(ar);
        });
        return p.future();
    }

    /** Distinct calls in flight. */
    public int size() {
        return count.get();
    }
}
