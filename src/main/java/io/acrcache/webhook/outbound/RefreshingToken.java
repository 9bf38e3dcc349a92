package io.acrcache.webhook.outbound;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One token kept warm: fetched on first use, refreshed in the background ahead of its expiry (see
 * {@link Policy#refreshDelay}), with one fetch in flight at a time (callers share it), retried with back-off after a
 * failure (at least the {@code Retry-After} of an {@link OutboundException}), and dropped on demand when the service
 * rejected it, so the next use fetches anew.
 *
 * @param <T> the token; {@code expiresAt} says when it stops being valid, {@code usableUntil} until when it is handed
 *     out (a margin before expiry, for clock skew and transit)
 */
public final class RefreshingToken<T> implements AutoCloseable {

    /**
     * When to refresh and how to retry.
     *
     * @param refreshAtPercent refresh at this share of the lifetime...
     * @param refreshBeforeExpiry ...or this long before expiry, whichever comes first; never before half of the
     *     lifetime (a short-lived token is not refreshed in a loop) nor sooner than {@code minRefreshDelay}
     * @param backoff the delay before the n-th retry after n failures in a row
     * @param failFastWhileBackingOff while a retry is scheduled, callers get the last failure instead of starting a
     *     fetch of their own
     */
    public record Policy(
            int refreshAtPercent,
            Duration refreshBeforeExpiry,
            Duration minRefreshDelay,
            Backoff backoff,
            boolean failFastWhileBackingOff) {

        /** Delay before refreshing a token with this much lifetime left. */
        public Duration refreshDelay(Duration lifetime) {
            Duration share = lifetime.multipliedBy(refreshAtPercent).dividedBy(100);
            Duration beforeExpiry = lifetime.minus(refreshBeforeExpiry);
            Duration delay = beforeExpiry.compareTo(share) < 0 ? beforeExpiry : share;
            Duration half = lifetime.dividedBy(2);
            delay = delay.compareTo(half) < 0 ? half : delay;
            return delay.compareTo(minRefreshDelay) < 0 ? minRefreshDelay : delay;
        }
    }

    /** Told about each fetch's end (metrics, logs). */
    public interface Listener<T> {
        default void fetched(T token) {}

        default void failed(Throwable cause, int failuresInRow, Duration retryIn) {}
    }

    private final Supplier<Future<T>> fetch;
    private final Function<T, Instant> expiresAt;
    private final Function<T, Instant> usableUntil;
    private final Policy policy;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Listener<T> listener;
    private volatile T current;
    private volatile Throwable lastFailure;
    private Promise<T> inflight; // guarded by this
    private int failuresInRow; // guarded by this
    private long timer = -1; // guarded by this
    private boolean closed; // guarded by this

    public RefreshingToken(
            Supplier<Future<T>> fetch,
            Function<T, Instant> expiresAt,
            Function<T, Instant> usableUntil,
            Policy policy,
            Scheduler scheduler,
            Clock clock,
            Listener<T> listener) {
        this.fetch = fetch;
        this.expiresAt = expiresAt;
        this.usableUntil = usableUntil;
        this.policy = policy;
        this.scheduler = scheduler;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * Stop using a token a fraction of its life before it expires (clocks and transit differ): {@code percent} of the
     * lifetime, within [{@code min}, {@code max}], and at most half of it.
     */
    public static Instant useUntil(Instant now, Instant expiresAt, int percent, Duration min, Duration max) {
        Duration life = Duration.between(now, expiresAt);
        Duration margin = life.multipliedBy(percent).dividedBy(100);
        margin = margin.compareTo(min) < 0 ? min : margin.compareTo(max) > 0 ? max : margin;
        if (margin.compareTo(life.dividedBy(2)) > 0) {
            margin = life.dividedBy(2);
        }
        return expiresAt.minus(margin);
    }

    /** The usable token now, the fetch in flight, or a new fetch (see {@link Policy#failFastWhileBackingOff}). */
    public synchronized Future<T> get() {
        T t = current;
        if (t != null && clock.instant().isBefore(usableUntil.apply(t))) {
            return Future.succeededFuture(t);
        }
        if (inflight != null) {
            return inflight.future();
        }
        if (policy.failFastWhileBackingOff() && lastFailure != null && timer != -1) {
            // a background retry is scheduled: do not hammer the service from the callers' path
            return Future.failedFuture(lastFailure);
        }
        return start();
    }

    /** Whether {@link #get} would answer at once with a token. */
    public boolean usable() {
        T t = current;
        return t != null && clock.instant().isBefore(usableUntil.apply(t));
    }

    /** The last token fetched, even if no longer usable; null before the first. */
    public T current() {
        return current;
    }

    /** The last fetch's failure, until a fetch succeeds again; null otherwise. */
    public Throwable lastFailure() {
        return lastFailure;
    }

    /** The service rejected the token: forget it, so the next {@link #get} fetches anew. */
    public void drop() {
        current = null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer != -1) {
            scheduler.cancel(timer);
            timer = -1;
        }
    }

    private synchronized Future<T> start() {
        Promise<T> promise = Promise.promise();
        inflight = promise;
        if (timer != -1) {
            // a caller came first: one timer chain, never two
            scheduler.cancel(timer);
            timer = -1;
        }
        Future<T> f;
        try {
            f = fetch.get();
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        f.onComplete(ar -> completed(promise, ar.succeeded() ? ar.result() : null, ar.cause()));
        return promise.future();
    }

    private void completed(Promise<T> promise, T token, Throwable failure) {
        synchronized (this) {
            inflight = null;
            Duration next;
            if (token != null) {
                current = token;
                lastFailure = null;
                failuresInRow = 0;
                next = policy.refreshDelay(Duration.between(clock.instant(), expiresAt.apply(token)));
                listener.fetched(token);
            } else {
                lastFailure = failure;
                failuresInRow++;
                Duration asked = failure instanceof OutboundException e ? e.retryAfter() : null;
                next = policy.backoff().delay(failuresInRow, asked);
                listener.failed(failure, failuresInRow, next);
            }
            if (!closed) {
                timer = scheduler.schedule(next, this::refresh);
            }
        }
        if (token != null) {
            promise.complete(token);
        } else {
            promise.fail(failure);
        }
    }

    private synchronized void refresh() {
        timer = -1;
        if (closed || inflight != null) {
            return;
        }
        start();
    }
}
