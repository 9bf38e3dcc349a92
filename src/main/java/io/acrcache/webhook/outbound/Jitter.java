package io.acrcache.webhook.outbound;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Spreads a delay or lifetime uniformly by ± a fraction, so that things started together (timers, cache entries,
 * retries) do not all come due in one burst.
 */
public final class Jitter {
    /** No spread: amounts are returned as given. */
    public static final Jitter NONE = new Jitter(0, () -> 0.5);

    private final double fraction;
    private final DoubleSupplier random;

    /**
     * @param fraction 0.1 for ±10 %
     * @param random values in [0, 1); a fixed source makes the result deterministic in tests
     */
    public Jitter(double fraction, DoubleSupplier random) {
        if (fraction < 0 || fraction >= 1) {
            throw new IllegalArgumentException("jitter fraction must be in [0, 1): " + fraction);
        }
        this.fraction = fraction;
        this.random = random;
    }

    public static Jitter of(double fraction) {
        return new Jitter(fraction, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** {@code amount} (any unit) spread by ± the fraction; never below 1 once spread. */
    public long apply(long amount) {
        if (fraction == 0) {
            return amount;
        }
        double factor = 1 + fraction * (random.getAsDouble() * 2 - 1);
        return Math.max(1, Math.round(amount * factor));
    }

    /** A duration spread by ± the fraction, to the millisecond. */
    public Duration apply(Duration d) {
        return Duration.ofMillis(apply(d.toMillis()));
    }
}
