package io.acrcache.webhook.guard;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One admission's wait for its inline probes, bounded by its budget: answers and the budget's end land on one Vert.x
 * context, so the waiting state needs no locking. What is still unknown at the end follows the unknown policy; the
 * probes keep running and fill the cache for the next Pod.
 */
final class InlineWait {
    private final Vertx vertx;
    private final GuardMetrics metrics;
    private final Function<Candidate, Future<ProbeResult>> probes;
    private final BiFunction<Candidate, Verdict.Basis, Verdict> unknown;

    /**
     * @param probes starts (or joins) a candidate's inline probe; null when shed
     * @param unknown the verdict for a candidate left undecided, for this reason
     */
    InlineWait(
            Vertx vertx,
            GuardMetrics metrics,
            Function<Candidate, Future<ProbeResult>> probes,
            BiFunction<Candidate, Verdict.Basis, Verdict> unknown) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.probes = probes;
        this.unknown = unknown;
    }

    /** Fills the undecided ({@code null}) slots of {@code out}; completes with all of them decided. */
    Future<List<Verdict>> await(List<Candidate> candidates, Verdict[] out, Duration budget) {
        long started = System.nanoTime();
        Context ctx = vertx.getOrCreateContext();
        Waiting w = new Waiting(candidates, out, started);
        if (Vertx.currentContext() == ctx) {
            startWaiting(w, ctx, budget);
        } else {
            // called off Vert.x (tests, tools): all of the waiting state lives on one context
            ctx.runOnContext(v -> startWaiting(w, ctx, budget));
        }
        return w.promise.future();
    }

    private void startWaiting(Waiting w, Context ctx, Duration budget) {
        List<Candidate> candidates = w.candidates;
        Verdict[] out = w.out;
        for (int i = 0; i < out.length; i++) {
            if (out[i] != null) {
                continue;
            }
            Candidate c = candidates.get(i);
            Future<ProbeResult> f = probes.apply(c);
            if (f == null) {
                out[i] = unknown.apply(c, Verdict.Basis.UNKNOWN_SHED);
            } else {
                w.remaining++;
                int index = i;
                f.onComplete(ar -> ctx.runOnContext(v -> w.arrived(index, c, ar.result())));
            }
        }
        if (w.remaining == 0) {
            w.finish(false);
            return;
        }
        // the budget's end; probe answers and the timer both land on ctx, so Waiting needs no locking
        w.timer = vertx.setTimer(Math.max(1, budget.toMillis()), id -> ctx.runOnContext(v -> w.finish(true)));
    }

    /** State of one admission waiting for probes; touched only on its context. */
    private final class Waiting {
        final List<Candidate> candidates;
        final Verdict[] out;
        final long started;
        final Promise<List<Verdict>> promise = Promise.promise();
        int remaining;
        long timer = -1;
        boolean done;

        Waiting(List<Candidate> candidates, Verdict[] out, long started) {
            this.candidates = candidates;
            this.out = out;
            this.started = started;
        }

        void arrived(int index, Candidate c, ProbeResult r) {
            if (done) {
                return;
            }
            out[index] = switch (r.outcome()) {
                case SERVABLE -> new Verdict(c, Verdict.Decision.REWRITE, Verdict.Basis.INLINE_SERVABLE);
                case NOT_FOUND -> new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.INLINE_NOT_FOUND);
                case UPSTREAM_AUTH, UPSTREAM_FAILED ->
                    new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.INLINE_REFUSED);
                case NO_TOKEN -> unknown.apply(c, Verdict.Basis.UNKNOWN_NO_TOKEN);
                case REALM_REFUSED -> new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.REALM_REFUSED);
                default -> new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.PROBE_ERROR);
            };
            if (--remaining == 0) {
                finish(false);
            }
        }

        void finish(boolean timedOut) {
            if (done) {
                return;
            }
            done = true;
            if (timer >= 0 && !timedOut) {
                vertx.cancelTimer(timer);
            }
            for (int i = 0; i < out.length; i++) {
                if (out[i] == null) {
                    // the probe keeps running and fills the cache for the next Pod
                    out[i] = unknown.apply(candidates.get(i), Verdict.Basis.UNKNOWN_TIMEOUT);
                }
                metrics.decision(out[i]);
            }
            metrics.inlineWait(System.nanoTime() - started);
            promise.complete(Arrays.asList(out));
        }
    }
}
