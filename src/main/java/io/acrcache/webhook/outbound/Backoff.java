package io.acrcache.webhook.outbound;

import java.time.Duration;

/**
 * Exponential back-off: {@code initial} for the first attempt, doubled for each further one, capped by {@code max},
 * then spread by a {@link Jitter}. The one calculator behind every retry and re-open delay of outbound calls.
 */
public final class Backoff {
    // 2^30 times any sensible initial delay is past any cap; larger shifts would only risk overflow
    private static final int MAX_SHIFT = 30;

    private final Duration initial;
    private final Duration max;
    private final Jitter jitter;

    public Backoff(Duration initial, Duration max, Jitter jitter) {
        if (initial.isNegative() || max.isNegative()) {
            throw new IllegalArgumentException("back-off needs non-negative delays: " + initial + ", " + max);
        }
        this.initial = initial;
        this.max = max;
        this.jitter = jitter;
    }

    public Backoff(Duration initial, Duration max) {
        this(initial, max, Jitter.NONE);
    }

    public Duration initial() {
        return initial;
    }

    public Duration max() {
        return max;
    }

    /** The delay before attempt {@code attempt + 1}, i.e. after {@code attempt} failures in a row (1: initial). */
    public Duration delay(long attempt) {
        int shift = (int) Math.min(MAX_SHIFT, Math.max(0, attempt - 1));
        long ms = initial.toMillis();
        long grown = ms > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : ms << shift;
        return jitter.apply(Duration.ofMillis(Math.min(grown, max.toMillis())));
    }

    /** {@link #delay(long)}, but never shorter than what the server asked for ({@code Retry-After}; may be null). */
    public Duration delay(long attempt, Duration atLeast) {
        Duration d = delay(attempt);
        return atLeast != null && atLeast.compareTo(d) > 0 ? atLeast : d;
    }
}
