package io.acrcache.webhook.guard;

import io.acrcache.webhook.outbound.Backoff;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A circuit breaker for one rule or one login server. Closed: images it covers are decided normally. Open: they are
 * left alone at once, with no probe. After the back-off it half-opens: images are still left alone, but one trial probe
 * may run; success closes it, failure opens it again for twice as long (up to the maximum). Time transitions are
 * evaluated lazily when the state is read, so an idle breaker costs no timer.
 *
 * <p>A breaker held open by an external health signal ({@link #hold}) does not half-open until it is released.
 */
public final class Breaker {
    private static final Logger LOG = Logger.getLogger(Breaker.class.getName());

    public enum State {
        CLOSED(0),
        HALF_OPEN(1),
        OPEN(2);

        private final int gaugeValue;

        State(int gaugeValue) {
            this.gaugeValue = gaugeValue;
        }

        public int gaugeValue() {
            return gaugeValue;
        }
    }

    private final String scope;
    private final String name;
    private final Clock clock;
    private final int threshold;
    private final Duration window;
    private final Backoff backoff;

    // read without the lock on the admission fast path; written under it
    private volatile State state = State.CLOSED;
    private Instant openUntil = Instant.MIN;
    private int reopenings; // failed trials in a row: each doubles the open period
    private final ArrayDeque<Instant> failures = new ArrayDeque<>();
    private boolean held;
    private boolean trialInFlight;
    private String reason = "";

    Breaker(String scope, String name, Clock clock, int threshold, Duration window, Duration base, Duration max) {
        this.scope = scope;
        this.name = name;
        this.clock = clock;
        this.threshold = threshold;
        this.window = window;
        this.backoff = new Backoff(base, max);
    }

    public String scope() {
        return scope;
    }

    public String name() {
        return name;
    }

    /** Cheap check for the admission fast path: a closed breaker needs no lock. */
    boolean isClosed() {
        return state == State.CLOSED;
    }

    public synchronized State state() {
        if (state == State.OPEN && !held && !clock.instant().isBefore(openUntil)) {
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        return state;
    }

    public synchronized String reason() {
        return reason;
    }

    /**
     * Whether a probe covered by this breaker may run now: always when closed, once at a time when half-open, never
     * when open. A granted half-open trial must end in {@link #success}, {@link #failure} or {@link #release}.
     */
    synchronized boolean tryAcquire() {
        State s = state();
        if (s == State.CLOSED) {
            return true;
        }
        if (s == State.HALF_OPEN && !trialInFlight) {
            trialInFlight = true;
            return true;
        }
        return false;
    }

    /** A trial ended without saying anything about this breaker's scope. */
    synchronized void release() {
        trialInFlight = false;
    }

    /** Successes count while closed too: failures before a success no longer add up toward the threshold. */
    synchronized void success() {
        trialInFlight = false;
        State s = state();
        if (s == State.CLOSED) {
            failures.clear();
        } else if (s == State.HALF_OPEN) {
            state = State.CLOSED;
            reopenings = 0;
            failures.clear();
            reason = "";
            LOG.log(Level.INFO, "guard: {0} {1} breaker closed: a probe succeeded", new Object[] {scope, name});
        }
    }

    /**
     * @param immediately open at once instead of counting toward the threshold (a 429)
     * @param retryAfter the registry's wish, honoured as a lower bound of the open period; may be null
     */
    synchronized void failure(String why, boolean immediately, Duration retryAfter) {
        trialInFlight = false;
        Instant now = clock.instant();
        State s = state();
        if (s == State.OPEN) {
            if (retryAfter != null && now.plus(retryAfter).isAfter(openUntil)) {
                openUntil = now.plus(retryAfter);
            }
            return;
        }
        if (s == State.HALF_OPEN) {
            reopenings++;
            open(now, why, retryAfter);
            return;
        }
        failures.addLast(now);
        Instant horizon = now.minus(window);
        while (!failures.isEmpty() && failures.peekFirst().isBefore(horizon)) {
            failures.removeFirst();
        }
        if (immediately || failures.size() >= threshold) {
            reopenings = 0;
            open(now, why, retryAfter);
        }
    }

    /**
     * External health (e.g. ARM: credential set Unhealthy, rule not Succeeded): held open until released.
     *
     * @return whether this changed the hold (so callers log changes, not every sync)
     */
    synchronized boolean hold(boolean unhealthy, String why) {
        if (unhealthy) {
            boolean changed = !held || !why.equals(reason);
            if (!held) {
                LOG.log(Level.WARNING, "guard: {0} {1} breaker held open: {2}", new Object[] {scope, name, why});
            }
            held = true;
            state = State.OPEN;
            reason = why;
            trialInFlight = false;
            return changed;
        } else if (held) {
            held = false;
            // healthy per the registry's data, but only a successful probe closes it
            state = State.HALF_OPEN;
            trialInFlight = false;
            reason = "released: " + why;
            return true;
        }
        return false;
    }

    synchronized boolean held() {
        return held;
    }

    private void open(Instant now, String why, Duration retryAfter) {
        Duration period = backoff.delay(reopenings + 1, retryAfter);
        openUntil = now.plus(period);
        state = State.OPEN;
        failures.clear();
        reason = why;
        LOG.log(
                Level.WARNING,
                "guard: {0} {1} breaker open for {2} s, images it covers are left alone: {3}",
                new Object[] {scope, name, period.toSeconds(), why});
    }

    @Override
    public synchronized String toString() {
        return scope + " " + name + " " + state + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
