package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.GuardMetrics.ProbeKind;
import io.acrcache.webhook.outbound.SingleFlight;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where each probe answer goes: the image's verdict, the rule's window, or (once {@code /v2/} confirms) the registry's
 * breaker. See docs/guard.md, "What evidence opens what".
 */
final class Evidence {
    private final GuardMetrics metrics;
    private final VerdictCache cache;
    private final GuardAuth auth;
    private final Function<String, Breaker> rules;
    private final Function<String, Breaker> registries;
    private final Function<String, RepositoryWindow> windows;
    private final SingleFlight<String, ProbeResult> confirming = new SingleFlight<>(64);

    Evidence(
            GuardMetrics metrics,
            VerdictCache cache,
            GuardAuth auth,
            Function<String, Breaker> rules,
            Function<String, Breaker> registries,
            Function<String, RepositoryWindow> windows) {
        this.metrics = metrics;
        this.cache = cache;
        this.auth = auth;
        this.rules = rules;
        this.registries = registries;
        this.windows = windows;
    }

    /**
     * Every answer lands here; a granted trial always ends here (or in {@link #confirm}). Evidence goes to what it is
     * about: an answer about one image becomes that image's verdict and never touches a breaker; an answer about the
     * rule feeds the rule's ratio over distinct repositories; an answer that could be the registry (or our credentials)
     * is confirmed by {@code /v2/} before it widens.
     */
    void learn(String ruleName, ProbeTarget target, ProbeResult r, ProbeKind kind) {
        metrics.probe(kind, r);
        Breaker reg = registry(target.loginServer());
        Breaker rule = rule(ruleName);
        VerdictCache.Key key = key(ruleName, target);
        boolean canary = kind == ProbeKind.CANARY;
        String why = r.outcome().label() + ": " + r.detail();
        switch (r.outcome()) {
            case SERVABLE -> {
                cache.servable(key, r.digest());
                reg.success();
                if (rule.isClosed()) {
                    window(ruleName).record(target.repository(), false);
                }
                rule.success();
            }
            case NOT_FOUND, UPSTREAM_AUTH, UPSTREAM_FAILED -> {
                reg.success(); // the registry answered
                if (canary) {
                    // the canary is known to be servable: refusing it is about the rule (missing, renamed, credentials)
                    rule.failure("canary " + target + " " + why, true, null);
                } else {
                    cache.notServable(key, perImage(r.outcome()));
                    rule.release();
                }
            }
            case UPSTREAM_THROTTLED -> {
                reg.success();
                ruleFailure(ruleName, rule, target.repository(), why, canary, r.retryAfter());
            }
            case AUTH, REGISTRY_THROTTLED, UNAVAILABLE -> confirm(ruleName, target, r, canary);
            case NO_TOKEN, REALM_REFUSED -> {
                // the heartbeat counts a refused realm against the registry (auth.failure), once per interval
                reg.release();
                rule.release();
            }
        }
    }

    private static VerdictCache.State perImage(ProbeResult.Outcome o) {
        return switch (o) {
            case UPSTREAM_AUTH -> VerdictCache.State.REFUSED;
            case UPSTREAM_FAILED -> VerdictCache.State.UPSTREAM_FAILED;
            default -> VerdictCache.State.NOT_FOUND;
        };
    }

    /**
     * A rule-level failure: a canary's or a half-open trial's opens the rule at once; otherwise it is one repository's
     * last answer in the rule's window, which opens the rule only when enough distinct repositories mostly fail.
     */
    private void ruleFailure(
            String ruleName, Breaker rule, String repository, String why, boolean canary, Duration retryAfter) {
        if (canary || rule.state() != Breaker.State.CLOSED) {
            rule.failure(why, true, retryAfter);
            return;
        }
        RepositoryWindow w = window(ruleName);
        if (w.record(repository, true)) {
            String ratio = w.describe();
            w.clear();
            rule.failure(why + " (" + ratio + ")", true, retryAfter);
        } else {
            rule.release();
        }
    }

    /**
     * An ambiguous answer (401/403 or 429 without source-registry text, 5xx, no answer): {@code /v2/} decides. Down,
     * throttling or our token flow failing → the registry's evidence; up → a first-sight timeout is this image's
     * verdict, anything else one failed repository in the rule's window.
     */
    private void confirm(String ruleName, ProbeTarget target, ProbeResult r, boolean canary) {
        String login = target.loginServer();
        Future<ProbeResult> ping = confirming.run(login, () -> auth.ping.ping(login));
        (ping != null ? ping : Future.succeededFuture(r)).onComplete(ar -> {
            Breaker reg = registry(login);
            Breaker rule = rule(ruleName);
            try {
                ProbeResult down = registryDown(login, settled(ar));
                if (down != null) {
                    registryFailure(reg, down, "after " + r.outcome().label() + " on " + target);
                    rule.release();
                    return;
                }
                reg.success();
                if (r.outcome() == ProbeResult.Outcome.UNAVAILABLE && r.timedOut() && !canary) {
                    cache.notServable(key(ruleName, target), VerdictCache.State.SLOW);
                    rule.release();
                } else {
                    ruleFailure(
                            ruleName,
                            rule,
                            target.repository(),
                            r.outcome().label() + ": " + r.detail() + " (/v2/ answers)",
                            canary,
                            r.retryAfter());
                }
            } finally {
                reg.release(); // no-ops when the above already ended the trial
                rule.release();
            }
        });
    }

    /** What {@code /v2/} (and our token flow) say of the registry: null when it answers and we can authenticate. */
    ProbeResult registryDown(String loginServer, ProbeResult ping) {
        if (ping.outcome() != ProbeResult.Outcome.SERVABLE) {
            return ping;
        }
        return auth.failure(loginServer); // up, but we cannot authenticate
    }

    static void registryFailure(Breaker reg, ProbeResult r, String context) {
        if (r.outcome() == ProbeResult.Outcome.REGISTRY_THROTTLED) {
            reg.failure("registry throttled (/v2/) " + context, true, r.retryAfter());
        } else {
            reg.failure(r.outcome().label() + ": " + r.detail() + " " + context, false, null);
        }
    }

    /** A call that throws instead of failing its future still yields a (failed) future. */
    static Future<ProbeResult> attempt(Supplier<Future<ProbeResult>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** A probe's future as a result: a failed future (a bug, a rejected task) is an unavailable answer, never lost. */
    static ProbeResult settled(AsyncResult<ProbeResult> ar) {
        return ar.succeeded() && ar.result() != null
                ? ar.result()
                : ProbeResult.unavailable(ar.cause() != null ? ar.cause() : new IllegalStateException("no result"));
    }

    private Breaker rule(String name) {
        return rules.apply(name);
    }

    private Breaker registry(String loginServer) {
        return registries.apply(loginServer);
    }

    private RepositoryWindow window(String rule) {
        return windows.apply(rule);
    }

    private static VerdictCache.Key key(String rule, ProbeTarget t) {
        return new VerdictCache.Key(rule, t.loginServer(), t.repository(), t.reference());
    }
}
