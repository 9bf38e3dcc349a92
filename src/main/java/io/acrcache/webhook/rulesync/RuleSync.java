package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.azure.RegistrySnapshotSource;
import io.acrcache.webhook.outbound.Backoff;
import io.acrcache.webhook.outbound.Jitter;
import io.acrcache.webhook.outbound.OutboundException;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the registry's rules every interval (with jitter) and hands each complete snapshot to the composition root's
 * callback, which validates and swaps the rules (or compares them with the file). On any failure the last accepted
 * snapshot stays, a log line names the cause, {@code acw_registry_sync_total{result}} counts it, and the next attempt
 * comes sooner (back-off from {@code minRetry} up to the interval) but never before a {@code Retry-After}.
 *
 * <p>Attempts never overlap; timers run on Vert.x, so nothing here blocks and nothing sits on the admission path.
 */
public final class RuleSync implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RuleSync.class.getName());

    /**
     * @param interval between successful syncs ({@code registry.ruleSyncIntervalSeconds}, 300 by default)
     * @param jitter fraction of the interval added or removed at random (0.1: ±10 %)
     * @param minRetry first retry delay after a failure, doubled per failure up to {@code interval}
     */
    public record Options(Duration interval, double jitter, Duration minRetry) {
        public static Options every(Duration interval) {
            Duration minRetry = Duration.ofSeconds(10);
            return new Options(interval, 0.1, minRetry.compareTo(interval) < 0 ? minRetry : interval);
        }
    }

    private final Vertx vertx;
    private final RegistrySnapshotSource source;
    private final Function<RegistrySnapshot, ApplyResult> apply;
    private final Options options;
    private final Clock clock;
    private final RuleSyncMetrics metrics;
    private final Jitter jitter;
    private final Backoff retry;
    private final Promise<Void> firstAttempt = Promise.promise();
    private volatile SyncStatus status = SyncStatus.PENDING;
    private boolean running;
    private boolean closed;
    private long timer = -1;

    public RuleSync(
            Vertx vertx,
            RegistrySnapshotSource source,
            Function<RegistrySnapshot, ApplyResult> apply,
            Options options,
            MeterRegistry meters,
            Clock clock) {
        this.vertx = vertx;
        this.source = source;
        this.apply = apply;
        this.options = options;
        this.clock = clock;
        this.metrics = new RuleSyncMetrics(meters);
        this.jitter = Jitter.of(options.jitter());
        this.retry = new Backoff(options.minRetry(), options.interval(), jitter);
    }

    /** Starts syncing now; the returned future completes when the first attempt has finished, whatever its result. */
    public synchronized Future<Void> start() {
        if (!running && !closed && timer == -1) {
            timer = vertx.setTimer(1, id -> tick());
        }
        return firstAttempt.future();
    }

    /**
     * Completes when the first attempt has finished or after {@code timeout}, whichever comes first; never fails, so
     * readiness can wait on it without ever depending on ARM.
     */
    public Future<Void> firstSync(Duration timeout) {
        Promise<Void> bounded = Promise.promise();
        long t = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> bounded.tryComplete());
        firstAttempt.future().onComplete(ar -> {
            vertx.cancelTimer(t);
            bounded.tryComplete();
        });
        return bounded.future();
    }

    /** Runs an attempt now (unless one is running) and answers the status after it. */
    public Future<SyncStatus> syncNow() {
        synchronized (this) {
            if (timer != -1) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
        return attempt().map(v -> status);
    }

    public SyncStatus status() {
        return status;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        firstAttempt.tryComplete();
    }

    private void tick() {
        synchronized (this) {
            timer = -1;
        }
        attempt();
    }

    private Future<Void> attempt() {
        synchronized (this) {
            if (closed || running) {
                return Future.succeededFuture();
            }
            running = true;
        }
        Future<RegistrySnapshot> fetched;
        try {
            fetched = source.fetch();
        } catch (RuntimeException e) {
            fetched = Future.failedFuture(e);
        }
        return fetched.transform(ar -> {
            Duration next = ar.succeeded() ? accepted(ar.result()) : failed(ar.cause());
            synchronized (this) {
                running = false;
                if (!closed) {
                    timer = vertx.setTimer(Math.max(1, next.toMillis()), id -> tick());
                }
                status = withNext(status, clock.instant().plus(next));
            }
            firstAttempt.tryComplete();
            return Future.succeededFuture();
        });
    }

    private Duration accepted(RegistrySnapshot snapshot) {
        Instant now = clock.instant();
        ApplyResult result;
        try {
            result = apply.apply(snapshot);
        } catch (RuntimeException e) {
            result = ApplyResult.refused(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        SyncStatus before = status;
        if (!result.accepted()) {
            metrics.result("refused");
            String error = "refused: " + result.error();
            LOG.warning("registry sync: the registry's rules were refused (" + result.error() + "); keeping "
                    + inForce(before));
            status = new SyncStatus(
                    now,
                    before.lastSuccess(),
                    "refused",
                    error,
                    before.snapshot(),
                    before.skipped(),
                    before.credentials(),
                    before.drift(),
                    null,
                    before.consecutiveFailures() + 1);
            return retryDelay(before.consecutiveFailures() + 1, null);
        }
        metrics.result("success");
        metrics.accepted(now.getEpochSecond(), result);
        boolean changed = before.snapshot() == null
                || !before.snapshot().cacheRules().equals(snapshot.cacheRules())
                || !before.skipped().equals(result.skipped())
                || !before.credentials().equals(result.credentials());
        if (changed) {
            LOG.info("registry sync: " + snapshot.cacheRules().size() + " cache rule(s), "
                    + snapshot.credentialSets().size() + " credential set(s) read; "
                    + (snapshot.cacheRules().size() - result.skipped().size()) + " in use");
            result.skipped().forEach(s -> LOG.warning("registry sync: rule " + s.name() + " skipped: " + s.reason()));
            result.credentials().stream()
                    .filter(c -> !c.healthy())
                    .forEach(c -> LOG.warning("registry sync: rule " + c.rule() + " uses credential set "
                            + c.credentialSet() + " which is " + c.status()
                            + (c.errorCode() == null ? "" : " (" + c.errorCode() + ")")
                            + (c.errorMessage() == null ? "" : ": " + c.errorMessage())));
        } else if (before.consecutiveFailures() > 0) {
            LOG.info("registry sync: recovered after " + before.consecutiveFailures() + " failed attempt(s)");
        }
        if (result.drift() != null
                && !result.drift().none()
                && (before.drift() == null || !before.drift().equals(result.drift()))) {
            Drift d = result.drift();
            LOG.warning("registry sync: the rules file and the registry differ: only in the file "
                    + names(d.onlyInFile().stream().map(r -> r.name()).toList())
                    + ", only in the registry "
                    + names(d.onlyInRegistry().stream().map(r -> r.name()).toList())
                    + ", different targets "
                    + names(d.differentTargets().stream()
                            .map(m -> m.file().name() + "/" + m.registry().name())
                            .toList()));
        }
        status = new SyncStatus(
                now, now, "success", null, snapshot, result.skipped(), result.credentials(), result.drift(), null, 0);
        return jitter.apply(options.interval());
    }

    private Duration failed(Throwable cause) {
        Instant now = clock.instant();
        OutboundException e = cause instanceof OutboundException a
                ? a
                : new OutboundException(
                        OutboundException.Kind.CONNECTION,
                        cause.getClass().getSimpleName() + ": " + cause.getMessage());
        metrics.result(e.kind().label());
        SyncStatus before = status;
        long failures = before.consecutiveFailures() + 1;
        Duration next = retryDelay(failures, e.retryAfter());
        LOG.log(
                failures == 1 || failures % 10 == 0 ? Level.WARNING : Level.FINE,
                "registry sync failed (" + e.describe() + "); keeping " + inForce(before) + "; next attempt in "
                        + next.toSeconds() + " s");
        status = new SyncStatus(
                now,
                before.lastSuccess(),
                e.kind().label(),
                e.describe(),
                before.snapshot(),
                before.skipped(),
                before.credentials(),
                before.drift(),
                null,
                failures);
        return next;
    }

    /** Back-off after failures, up to the interval, jittered, and never shorter than {@code Retry-After}. */
    Duration retryDelay(long failures, Duration retryAfter) {
        return retry.delay(failures, retryAfter);
    }

    private static String inForce(SyncStatus s) {
        return s.snapshot() == null
                ? "the rules in force (no registry sync has succeeded yet)"
                : "the registry's rules as of " + s.snapshot().fetchedAt();
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static SyncStatus withNext(SyncStatus s, Instant next) {
        return new SyncStatus(
                s.lastAttempt(),
                s.lastSuccess(),
                s.result(),
                s.error(),
                s.snapshot(),
                s.skipped(),
                s.credentials(),
                s.drift(),
                next,
                s.consecutiveFailures());
    }
}
