package io.acrcache.webhook.guard;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.guard.GuardMetrics.ProbeKind;
import io.acrcache.webhook.guard.auth.RegistryAuthorizer;
import io.acrcache.webhook.outbound.Jitter;
import io.acrcache.webhook.outbound.OutboundHttp;
import io.acrcache.webhook.outbound.SingleFlight;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Decides, for each image the planner would rewrite, whether the ACR cache can serve it: the result of rewriting is
 * never worse than leaving the image alone.
 *
 * <p>Per candidate: a breaker of its rule or login server not closed → leave (no probe; a half-open breaker lets one
 * background trial probe through); a cached verdict → rewrite (servable) or leave (not found); otherwise a HEAD inline
 * within the caller's budget, merged with any identical probe in flight and capped globally. What is still unknown when
 * the budget ends follows {@link GuardSettings#unknownPolicy()}; the probe keeps running and fills the cache for the
 * next Pod. Dry runs answer from memory only. When every candidate is decided from memory the returned future is
 * already complete: no timer, no hop.
 *
 * <p>Background work: per login server a {@code /v2/} heartbeat (so a registry that dies while every verdict is cached
 * still opens its breaker) and the ACR refresh token kept warm; per rule an optional canary.
 */
public final class Guard implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Guard.class.getName());

    private final Vertx vertx;
    private final GuardSettings settings;
    private final Clock clock;
    private final GuardMetrics metrics;
    private final WebClient client;
    private final GuardAuth auth;
    private final ManifestProbe probe;
    private final GuardMemory memory;
    private final VerdictCache cache;
    private final KubeletEvidence kubelet;
    private final SingleFlight<VerdictCache.Key, ProbeResult> inflight;
    private final Evidence evidence;
    private final Jitter jitter = Jitter.of(0.1);
    private final InlineWait inlineWait;
    private final ConcurrentMap<String, Long> canaryTimers = new ConcurrentHashMap<>();
    private final Set<Long> heartbeatTimers = ConcurrentHashMap.newKeySet();
    private volatile Map<String, ProbeTarget> canaries = Map.of();
    private volatile boolean closed;
    private volatile boolean connectionHandedOver; // the next guard uses its client and tokens: close leaves them

    /**
     * @param entra Entra tokens (ACR audience) for workload identity; may be null with {@code auth: anonymous}
     * @param clock drives every lifetime (verdicts, tokens, breakers); timers themselves run on Vert.x time
     */
    public Guard(
            Vertx vertx, GuardSettings settings, AccessTokenSource entra, MeterRegistry meterRegistry, Clock clock) {
        this(vertx, settings, entra, meterRegistry, clock, new WebClientOptions(), null);
    }

    /** With base HTTP client options (see below) and nothing carried over. */
    public Guard(
            Vertx vertx,
            GuardSettings settings,
            AccessTokenSource entra,
            MeterRegistry meterRegistry,
            Clock clock,
            WebClientOptions clientOptions) {
        this(vertx, settings, entra, meterRegistry, clock, clientOptions, null);
    }

    /**
     * @param clientOptions base HTTP client options (e.g. trust for a registry behind a private CA, a proxy); the guard
     *     sets its own user agent, keep-alive, no redirects and the connect timeout on a copy
     * @param previous the guard this one replaces, on the same login server and clock, or null. Its memory (verdicts,
     *     breakers, windows, kubelet evidence) carries over; its HTTP client and tokens too when the auth options are
     *     the same (the previous guard's close then leaves them open)
     */
    public Guard(
            Vertx vertx,
            GuardSettings settings,
            AccessTokenSource entra,
            MeterRegistry meterRegistry,
            Clock clock,
            WebClientOptions clientOptions,
            Guard previous) {
        this.vertx = vertx;
        this.settings = settings;
        this.clock = clock;
        this.metrics = new GuardMetrics(meterRegistry);
        boolean sameAuth = previous != null
                && previous.settings.auth() == settings.auth()
                && GuardAuth.options(previous.settings).equals(GuardAuth.options(settings));
        if (sameAuth) {
            previous.connectionHandedOver = true;
        }
        this.client = sameAuth
                ? previous.client
                : OutboundHttp.client(
                        vertx,
                        OutboundHttp.options(
                                clientOptions, "acr-cache-webhook-guard", settings.connectTimeout(), null));
        this.auth = sameAuth ? previous.auth : new GuardAuth(vertx, client, settings, entra, clock);
        auth.gauges(metrics);
        this.probe = new ManifestProbe(client, auth.authorizer, auth.challenges, settings, clock);
        this.inflight = new SingleFlight<>(settings.maxInflightProbes());
        this.inlineWait = new InlineWait(vertx, metrics, c -> start(c, ProbeKind.INLINE), this::unknown);
        this.memory = previous == null ? new GuardMemory(settings, clock) : previous.memory.retune(settings);
        this.cache = memory.cache;
        this.kubelet = memory.kubelet;
        this.evidence = new Evidence(metrics, cache, auth, this::rule, this::registry, memory::window);
        // carried breakers get this guard's gauges, and carried registries its heartbeat (the old one's stop with it)
        memory.ruleBreakers.values().forEach(metrics::breaker);
        memory.registryBreakers.values().forEach(this::watch);
    }

    public GuardSettings settings() {
        return settings;
    }

    /**
     * Starts the background work for these login servers now (token warm-up, heartbeat) instead of on first sight.
     * Completes when each has had its first token attempt; never fails.
     */
    public Future<Void> start(Collection<String> loginServers) {
        List<Future<Void>> started = loginServers.stream()
                .map(this::registry)
                .map(b -> auth.start(b.name()))
                .toList();
        return Future.join(started).mapEmpty();
    }

    /**
     * Decides each candidate. The future never fails; it is already complete when memory decided everything.
     *
     * @param budget how long to wait for inline probes (see {@link InlineBudget#of}); zero means no inline probe
     * @param dryRun answer from memory only: no probe at all, not even in the background
     */
    public Future<List<Verdict>> resolve(List<Candidate> candidates, Duration budget, boolean dryRun) {
        int n = candidates.size();
        Verdict[] out = new Verdict[n];
        int undecided = 0;
        boolean noWait = budget.isZero() || budget.isNegative();
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            Verdict v = fromMemory(c, dryRun);
            if (v == null && noWait) {
                start(c, ProbeKind.BACKGROUND);
                v = unknown(c, Verdict.Basis.UNKNOWN_TIMEOUT);
            } else if (v == null && !auth.authorizer.ready(c.loginServer())) {
                start(c, ProbeKind.BACKGROUND); // may fetch the refresh token: not on the admission path
                ProbeResult why = auth.failure(c.loginServer());
                v = why != null && why.outcome() == ProbeResult.Outcome.REALM_REFUSED
                        ? new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.REALM_REFUSED)
                        : unknown(c, Verdict.Basis.UNKNOWN_NO_TOKEN);
            }
            out[i] = v;
            if (v == null) {
                undecided++;
            }
        }
        if (undecided == 0) {
            for (Verdict v : out) {
                metrics.decision(v);
            }
            return Future.succeededFuture(Arrays.asList(out));
        }
        return inline(candidates, out, budget);
    }

    /** Registry data for a rule (fed by the ARM sync): unhealthy holds its breaker open until healthy again. */
    public void ruleHealth(String rule, boolean healthy, String reason) {
        if (rule(rule).hold(!healthy, reason)) {
            // logged when it changes, not on every sync
            LOG.log(Level.INFO, "guard: rule {0} {1}: {2}", new Object[] {
                rule, healthy ? "healthy" : "unhealthy", reason
            });
        }
    }

    /** The rules whose breaker registry data holds open now. */
    public Set<String> heldRules() {
        return memory.heldRules();
    }

    /** Forgets every rule not in {@code known} (gone from the registry and not in force): breaker, memory, meters. */
    public void retainRules(Set<String> known) {
        memory.retainRules(known);
        metrics.retainRules(known);
    }

    /**
     * A kubelet failed to pull an image the webhook had rewritten, as its Pod's own status confirms (fed by the
     * pull-failure report). Not found and the source refusing the image (424, "source registry") are verdicts about
     * that image only; anything else is evidence about the rule, which acts only once several Pods or nodes agree
     * ({@link KubeletEvidence}). Never about the registry.
     *
     * @param image the rewritten reference, {@code <login server>/<repository>[:tag][@digest]}
     * @param pod the failing Pod, {@code namespace/name}
     */
    public void kubeletFailure(String rule, String image, PullFailureKind kind, String pod, String node) {
        if (kind == PullFailureKind.NOT_FOUND) {
            cache.notFound(key(rule, ProbeTarget.parse(image)));
        } else if (kind == PullFailureKind.UPSTREAM_FAILED) {
            // 424 or the source registry refusing this repository: about this image, as the same answer to our HEAD
            cache.notServable(key(rule, ProbeTarget.parse(image)), VerdictCache.State.UPSTREAM_FAILED);
        } else {
            kubelet.failed(rule, pod, node, kind.name());
        }
    }

    /** Whether kubelet evidence holds the rule open (apart from its breaker, which our probes close). */
    public boolean kubeletHold(String rule) {
        return kubelet.holds(rule);
    }

    /**
     * Replaces the per-rule canaries (rule name → an image on the login server, e.g.
     * {@code myacr.azurecr.io/docker/library/busybox:latest}). Each is probed every {@code canaryInterval} ± 10 %.
     */
    public void canaries(Map<String, ProbeTarget> byRule) {
        canaries = Map.copyOf(byRule);
        for (String rule : byRule.keySet()) {
            canaryTimers.computeIfAbsent(rule, r -> scheduleCanary(r));
        }
    }

    Map<String, ProbeTarget> canaries() {
        return canaries;
    }

    public Breaker.State ruleState(String rule) {
        return rule(rule).state();
    }

    /** Why the rule's breaker last opened or was held (empty when it never was): for the status page. */
    public String ruleReason(String rule) {
        return rule(rule).reason();
    }

    public Breaker.State registryState(String loginServer) {
        return registry(loginServer).state();
    }

    @Override
    public void close() {
        closed = true;
        canaryTimers.values().forEach(vertx::cancelTimer);
        heartbeatTimers.forEach(vertx::cancelTimer);
        if (!connectionHandedOver) {
            auth.close();
            client.close();
        }
    }

    /** The token flow in use (tests: whether it survived a rebuild). */
    RegistryAuthorizer authorizer() {
        return auth.authorizer;
    }

    // ---- decisions -------------------------------------------------------------------------------------------------

    /** The verdict memory can give, or null when a probe is needed. */
    private Verdict fromMemory(Candidate c, boolean dryRun) {
        Breaker reg = registry(c.loginServer());
        Breaker rule = rule(c.rule());
        if (kubelet.holds(c.rule())) {
            return new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.BREAKER_OPEN); // no trial: time closes it
        }
        if (!reg.isClosed() || !rule.isClosed()) {
            if (!dryRun) {
                trial(c, reg, rule);
            }
            return new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.BREAKER_OPEN);
        }
        VerdictCache.Entry e = cache.get(key(c.rule(), c.loginServer(), c.repository(), c.reference()));
        if (e != null) {
            return switch (e.state()) {
                case SERVABLE -> new Verdict(c, Verdict.Decision.REWRITE, Verdict.Basis.CACHE_SERVABLE);
                case NOT_FOUND -> new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.CACHE_NOT_FOUND);
                case REFUSED, UPSTREAM_FAILED -> new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.CACHE_REFUSED);
                case SLOW -> new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.CACHE_SLOW);
            };
        }
        if (dryRun) {
            return unknown(c, Verdict.Basis.UNKNOWN_DRYRUN);
        }
        return null;
    }

    /** A half-open breaker lets one probe through in the background; its answer closes or re-opens it. */
    private void trial(Candidate c, Breaker reg, Breaker rule) {
        if (reg.tryAcquire()) {
            if (rule.tryAcquire()) {
                if (start(c, ProbeKind.BACKGROUND) == null) {
                    reg.release();
                    rule.release();
                }
            } else {
                reg.release();
            }
        }
    }

    private Verdict unknown(Candidate c, Verdict.Basis basis) {
        if (settings.unknownPolicy() == GuardSettings.UnknownPolicy.REWRITE_IF_RULE_HEALTHY
                && registry(c.loginServer()).state() == Breaker.State.CLOSED
                && rule(c.rule()).state() == Breaker.State.CLOSED) {
            return new Verdict(c, Verdict.Decision.REWRITE, Verdict.Basis.UNKNOWN_POLICY_REWRITE);
        }
        return new Verdict(c, Verdict.Decision.LEAVE, basis);
    }

    private Future<List<Verdict>> inline(List<Candidate> candidates, Verdict[] out, Duration budget) {
        return inlineWait.await(candidates, out, budget);
    }

    // ---- probes ----------------------------------------------------------------------------------------------------

    /** Starts a probe for the candidate, or joins the identical one in flight. Null when the global cap is reached. */
    private Future<ProbeResult> start(Candidate c, ProbeKind kind) {
        VerdictCache.Key key = key(c.rule(), c.loginServer(), c.repository(), c.reference());
        ProbeTarget target = c.target();
        return inflight.run(
                key,
                () -> probe.probe(target, kind == ProbeKind.INLINE).transform(ar -> {
                    ProbeResult r = ar.succeeded() ? ar.result() : ProbeResult.unavailable(ar.cause());
                    learn(c.rule(), target, r, kind);
                    return Future.succeededFuture(r);
                }));
    }

    private void learn(String ruleName, ProbeTarget target, ProbeResult r, ProbeKind kind) {
        evidence.learn(ruleName, target, r, kind);
    }

    // ---- background ------------------------------------------------------------------------------------------------

    private Long scheduleCanary(String rule) {
        if (closed) {
            return -1L;
        }
        long id = vertx.setTimer(jittered(settings.canaryInterval()), t -> {
            ProbeTarget target = canaries.get(rule);
            if (target == null || closed) {
                canaryTimers.remove(rule);
                return;
            }
            Breaker reg = registry(target.loginServer());
            Breaker rb = rule(rule);
            Future<?> done = Future.succeededFuture();
            if (reg.tryAcquire()) {
                if (rb.tryAcquire()) {
                    // a failed future (or a throw) still ends in learn: the granted trial is always released
                    done = Evidence.attempt(() -> probe.probe(target, false)).transform(ar -> {
                        try {
                            learn(rule, target, Evidence.settled(ar), ProbeKind.CANARY);
                        } finally {
                            reg.release();
                            rb.release();
                        }
                        return Future.succeededFuture();
                    });
                } else {
                    reg.release();
                }
            }
            done.onComplete(x -> canaryTimers.put(rule, scheduleCanary(rule)));
        });
        return id;
    }

    private void heartbeat(Breaker reg) {
        if (closed) {
            return;
        }
        long[] id = new long[1];
        id[0] = vertx.setTimer(jittered(settings.heartbeatInterval()), t -> {
            heartbeatTimers.remove(id[0]);
            if (closed) {
                return;
            }
            if (!reg.tryAcquire()) {
                heartbeat(reg);
                return;
            }
            Evidence.attempt(() -> auth.ping.ping(reg.name())).onComplete(ar -> {
                try {
                    ProbeResult r = Evidence.settled(ar);
                    metrics.probe(ProbeKind.HEARTBEAT, r);
                    ProbeResult down = evidence.registryDown(reg.name(), r);
                    if (down == null) {
                        reg.success();
                    } else {
                        Evidence.registryFailure(reg, down, "(heartbeat)");
                    }
                } finally {
                    reg.release();
                    heartbeat(reg);
                }
            });
        });
        heartbeatTimers.add(id[0]);
    }

    private long jittered(Duration interval) {
        return jitter.apply(interval.toMillis());
    }

    // ---- breakers and keys -----------------------------------------------------------------------------------------

    private Breaker rule(String name) {
        return memory.rule(name, metrics::breaker);
    }

    private Breaker registry(String loginServer) {
        return memory.registry(loginServer, this::watch);
    }

    /** A registry breaker this guard has not seen yet: its gauge, its token warm-up and its heartbeat. */
    private void watch(Breaker registry) {
        metrics.breaker(registry);
        auth.start(registry.name());
        heartbeat(registry);
    }

    private static VerdictCache.Key key(String rule, ProbeTarget t) {
        return new VerdictCache.Key(rule, t.loginServer(), t.repository(), t.reference());
    }

    private static VerdictCache.Key key(String rule, String loginServer, String repository, String reference) {
        return new VerdictCache.Key(rule, loginServer, repository, reference);
    }
}
