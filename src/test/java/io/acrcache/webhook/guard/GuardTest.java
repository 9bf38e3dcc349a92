package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.Breaker.State;
import io.acrcache.webhook.guard.Verdict.Basis;
import io.acrcache.webhook.guard.Verdict.Decision;
import io.acrcache.webhook.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guard against an in-process ACR (tokens and manifests), one scripted failure mode per test. */
class GuardTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final String SOURCE_AUTH =
            "authentication required with source registry for cache rule 'docker-hub'";
    private static final String SOURCE_THROTTLED = "too many requests to source registry for cache rule 'docker-hub'";
    private static final Duration BUDGET = Duration.ofSeconds(5);

    private Vertx vertx;
    private MutableClock clock;
    private FakeAcr acr;
    private TestEntra entra;
    private SimpleMeterRegistry meters;
    private Guard guard;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        entra = new TestEntra(clock);
        meters = new SimpleMeterRegistry();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (guard != null) {
            guard.close();
        }
        acr.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private GuardSettings.Builder settings() {
        return GuardSettings.builder()
                .scheme("http")
                .heartbeatInterval(Duration.ofHours(1))
                .canaryInterval(Duration.ofHours(1));
    }

    private Guard start(GuardSettings s) throws Exception {
        guard = new Guard(vertx, s, entra, meters, clock);
        get(guard.start(List.of(acr.login)));
        return guard;
    }

    private Candidate image(String repo, String tag) {
        return image("docker-hub", repo, tag);
    }

    private Candidate image(String rule, String repo, String tag) {
        return new Candidate(rule, acr.login, repo, tag, null, acr.login + "/" + repo + ":" + tag);
    }

    private Verdict one(Candidate c, Duration budget, boolean dryRun) throws Exception {
        return get(guard.resolve(List.of(c), budget, dryRun)).get(0);
    }

    private Verdict one(Candidate c) throws Exception {
        return one(c, BUDGET, false);
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static void assertVerdict(Decision decision, Basis basis, Verdict v) {
        assertEquals(
                decision + " " + basis,
                v.decision() + " " + v.basis(),
                v.candidate().rewrittenReference());
    }

    private double counter(String name, String... tags) {
        return meters.find(name).tags(tags).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @Test
    void servableIsRewrittenInlineThenFromMemoryWithoutAnotherHead() throws Exception {
        start(settings().build());
        acr.manifests.put("docker/library/nginx:1.25", FakeAcr.servable(DIGEST, "upstream"));
        Candidate nginx = image("docker/library/nginx", "1.25");

        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(nginx));
        Future<List<Verdict>> again = guard.resolve(List.of(nginx), BUDGET, false);
        assertTrue(again.isComplete(), "decided from memory: the future is already complete");
        assertVerdict(Decision.REWRITE, Basis.CACHE_SERVABLE, again.result().get(0));
        assertEquals(1, acr.headsOf("docker/library/nginx:1.25"));
        assertEquals(0, acr.gets.get(), "never GET a manifest");
        assertEquals(1, acr.exchanges.get());
        assertEquals(List.of(GuardSettings.ACR_SCOPE), entra.scopes);
        assertEquals(List.of("repository:docker/library/nginx:pull"), acr.tokenScopes);
        assertEquals(1, counter(GuardMetrics.PROBES, "kind", "inline", "result", "servable", "origin", "upstream"));
        assertEquals(
                1,
                counter(
                        GuardMetrics.DECISIONS,
                        "rule",
                        "docker-hub",
                        "decision",
                        "rewrite",
                        "basis",
                        "cache-servable"));
        assertEquals(1, meters.find(GuardMetrics.INLINE_WAIT).timer().count(), "only the first admission waited");
        assertTrue(meters.find(GuardMetrics.TOKEN_EXPIRY)
                        .tag("token", "acr_refresh")
                        .gauge()
                        .value()
                > 3 * 3600 - 60);
    }

    @Test
    void notFoundIsLeftAndRememberedForAboutAMinute() throws Exception {
        start(settings().build());
        Candidate missing = image("docker/library/nginx", "0.0-nope");

        assertVerdict(Decision.LEAVE, Basis.INLINE_NOT_FOUND, one(missing));
        assertEquals("guard-not-servable", one(missing).skipLabel());
        assertVerdict(Decision.LEAVE, Basis.CACHE_NOT_FOUND, one(missing));
        assertEquals(1, acr.headsOf("docker/library/nginx:0.0-nope"));

        clock.advance(Duration.ofSeconds(67)); // past 60 s + 10 % jitter
        acr.manifests.put("docker/library/nginx:0.0-nope", FakeAcr.servable(DIGEST, null));
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(missing));
        assertEquals(2, acr.headsOf("docker/library/nginx:0.0-nope"));
        assertEquals(State.CLOSED, guard.ruleState("docker-hub"), "a 404 says nothing against the rule");
    }

    @Test
    void digestIsProbedByDigestAndBelievedForHours() throws Exception {
        acr.refreshLifetime = Duration.ofHours(24); // the test clock jumps hours; renewal runs on real timers
        start(settings().build());
        acr.manifests.put("docker/library/nginx:" + DIGEST, FakeAcr.servable(DIGEST, null));
        Candidate pinned = new Candidate("docker-hub", acr.login, "docker/library/nginx", "1.25", DIGEST, "x");

        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(pinned));
        clock.advance(Duration.ofHours(5));
        assertVerdict(Decision.REWRITE, Basis.CACHE_SERVABLE, one(pinned));
        clock.advance(Duration.ofHours(2)); // 7 h > 6 h + 10 %
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(pinned));
        assertEquals(2, acr.headsOf("docker/library/nginx:" + DIGEST));
    }

    @Test
    void anAmbiguous401DropsTheTokenWithoutALoopAndWidensToTheRegistryOnlyWhenV2Fails() throws Exception {
        start(settings().registryFailureThreshold(2).build());
        // a 401 challenge even with a valid token: the registry no longer accepts our identity, or not for this one
        acr.manifests.put(
                "docker/library/a:1",
                req -> req.response()
                        .setStatusCode(401)
                        .putHeader("Www-Authenticate", acr.challenge("repository:docker/library/a:pull"))
                        .end());
        Candidate a = image("docker/library/a", "1");

        Verdict first = one(a);
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, first);
        assertEquals(1, acr.headsOf("docker/library/a:1"), "no inline retry with the token we were refused");
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(a));
        assertEquals(2, acr.headsOf("docker/library/a:1"));
        assertEquals(2, acr.tokenScopes.size(), "the refused token was dropped: the next probe got a new one");
        eventually("each ambiguous 401 was checked against /v2/", () -> acr.pings.get() >= 3);
        assertEquals(State.CLOSED, guard.registryState(acr.login), "/v2/ answers: the 401 does not widen");

        acr.pingAnswer = req -> req.response().setStatusCode(503).end();
        one(a);
        one(a);
        eventually("/v2/ failing too confirms it", () -> guard.registryState(acr.login) == State.OPEN);
        acr.manifests.put("docker/library/b:1", FakeAcr.servable(DIGEST, null));
        assertVerdict(Decision.LEAVE, Basis.BREAKER_OPEN, one(image("other-rule", "docker/library/b", "1")));
        assertEquals(0, acr.headsOf("docker/library/b:1"), "an open registry breaker probes nothing");
        assertEquals(
                2.0,
                meters.find(GuardMetrics.BREAKER_STATE)
                        .tags("scope", "registry", "name", acr.login)
                        .gauge()
                        .value());
    }

    @Test
    void challengeOnTheHeadIsFollowedOnceAnonymously() throws Exception {
        acr.allowAnonymous = true;
        acr.pingAnswer = req -> req.response().setStatusCode(200).end("{}"); // /v2/ open, repositories not
        acr.manifests.put("docker/library/nginx:1.25", FakeAcr.servable(DIGEST, null));
        acr.manifests.put("docker/library/nginx:1.26", FakeAcr.servable(DIGEST, null));
        start(settings().auth(GuardSettings.Auth.ANONYMOUS).build());

        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(image("docker/library/nginx", "1.25")));
        assertEquals(2, acr.headsOf("docker/library/nginx:1.25"), "401 challenge, anonymous token, HEAD again");
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(image("docker/library/nginx", "1.26")));
        assertEquals(1, acr.headsOf("docker/library/nginx:1.26"), "the scope's token is reused");
        assertEquals(0, acr.exchanges.get());
        assertTrue(entra.scopes.isEmpty(), "anonymous mode never asks Entra");
    }

    @Test
    void sourceRegistryRefusalsAreVerdictsForTheirImageAndNeverCloseTheRule() throws Exception {
        start(settings().ruleMinRepositories(1).build()); // even the most trigger-happy ratio is not fed by them
        for (String repo : List.of("x", "x2", "x3")) {
            acr.manifests.put("docker/library/" + repo + ":1", FakeAcr.error(401, SOURCE_AUTH, Map.of()));
            assertVerdict(Decision.LEAVE, Basis.INLINE_REFUSED, one(image("docker/library/" + repo, "1")));
        }
        assertEquals(
                3,
                acr.tokenScopes.size(),
                "one token per repository and no refresh: a source-registry 401 is not about our token");
        assertEquals(
                State.CLOSED, guard.ruleState("docker-hub"), "three private repositories do not switch off the rule");
        assertEquals(State.CLOSED, guard.registryState(acr.login));

        assertVerdict(Decision.LEAVE, Basis.CACHE_REFUSED, one(image("docker/library/x", "1")));
        assertEquals(1, acr.headsOf("docker/library/x:1"), "the refusal is remembered for that image");
        assertEquals("guard-not-servable", one(image("docker/library/x", "1")).skipLabel());
        acr.manifests.put("docker/library/y:1", FakeAcr.servable(DIGEST, null));
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(image("docker/library/y", "1")));
    }

    @Test
    void failedTrialReopensForTwiceAsLong() throws Exception {
        // the rule opens on its ratio (one repository suffices here); a source 429 is about the rule, not the image
        start(settings().ruleMinRepositories(1).build());
        acr.manifests.put("docker/library/x:1", FakeAcr.error(429, SOURCE_THROTTLED, Map.of()));
        acr.manifests.put("docker/library/x:2", FakeAcr.error(429, SOURCE_THROTTLED, Map.of()));
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/x", "1")));
        assertEquals(State.OPEN, guard.ruleState("docker-hub"));
        clock.advance(Duration.ofSeconds(31));
        one(image("docker/library/x", "2")); // half-open: a background trial that fails
        eventually("the failed trial re-opens it", () -> guard.ruleState("docker-hub") == State.OPEN);
        clock.advance(Duration.ofSeconds(31));
        assertEquals(State.OPEN, guard.ruleState("docker-hub"), "60 s now, not 30 s");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(State.HALF_OPEN, guard.ruleState("docker-hub"));
    }

    @Test
    void registryThrottlingConfirmedByV2OpensAtOnceAndHonoursRetryAfter() throws Exception {
        start(settings().build());
        acr.manifests.put("docker/library/x:1", FakeAcr.error(429, null, Map.of("Retry-After", "120")));
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/x", "1")));
        eventually("the 429 was checked against /v2/", () -> acr.pings.get() >= 2);
        assertEquals(State.CLOSED, guard.registryState(acr.login), "/v2/ answers: one throttled HEAD does not widen");

        acr.pingAnswer = req -> req.response()
                .setStatusCode(429)
                .putHeader("Retry-After", "120")
                .end();
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/x", "1")));
        eventually("/v2/ throttled too opens the registry", () -> guard.registryState(acr.login) == State.OPEN);
        clock.advance(Duration.ofSeconds(61));
        assertEquals(State.OPEN, guard.registryState(acr.login), "Retry-After 120 s beats the 30 s back-off");
        clock.advance(Duration.ofSeconds(60));
        assertEquals(State.HALF_OPEN, guard.registryState(acr.login));
        assertEquals(2, counter(GuardMetrics.PROBES, "kind", "inline", "result", "registry-throttled"));
    }

    @Test
    void upstreamThrottlingCountsInTheRulesRatioWhile424IsAboutItsImage() throws Exception {
        start(settings().ruleMinRepositories(2).build());
        acr.manifests.put("docker/library/x:1", FakeAcr.error(424, null, Map.of()));
        acr.manifests.put("docker/library/y:1", FakeAcr.error(429, SOURCE_THROTTLED, Map.of()));
        acr.manifests.put("docker/library/z:1", FakeAcr.error(429, SOURCE_THROTTLED, Map.of()));
        assertVerdict(Decision.LEAVE, Basis.INLINE_REFUSED, one(image("docker/library/x", "1")));
        assertEquals(State.CLOSED, guard.ruleState("docker-hub"));
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/y", "1")));
        assertEquals(State.CLOSED, guard.ruleState("docker-hub"), "one repository is not enough");
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/z", "1")));
        assertEquals(State.OPEN, guard.ruleState("docker-hub"), "two of two distinct repositories throttled");
        assertEquals(State.CLOSED, guard.registryState(acr.login));
        assertEquals(2, counter(GuardMetrics.PROBES, "result", "upstream-throttled"));
        assertEquals(1, counter(GuardMetrics.PROBES, "result", "upstream-failed"));
    }

    @Test
    void slowRegistryAnswersWithinTheBudgetAndTheLateAnswerServesTheNextPod() throws Exception {
        start(settings().build());
        acr.manifests.put(
                "docker/library/slow:1", FakeAcr.slow(vertx, Duration.ofMillis(1500), FakeAcr.servable(DIGEST, null)));
        Candidate slow = image("docker/library/slow", "1");

        long t0 = System.nanoTime();
        Verdict v = one(slow, Duration.ofMillis(200), false);
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertVerdict(Decision.LEAVE, Basis.UNKNOWN_TIMEOUT, v);
        assertEquals("guard-unverified", v.skipLabel());
        assertTrue(waitedMs < 1200, "answered at the budget, not at the registry's pace: " + waitedMs + " ms");

        eventually(
                "the late answer fills the cache",
                () -> guard.resolve(List.of(slow), Duration.ZERO, true)
                        .result()
                        .get(0)
                        .rewrite());
        assertVerdict(Decision.REWRITE, Basis.CACHE_SERVABLE, one(slow));
        assertEquals(1, acr.headsOf("docker/library/slow:1"));
    }

    @Test
    void rewriteIfRuleHealthyRewritesTheUnknownWhenNothingIsOpen() throws Exception {
        start(settings()
                .unknownPolicy(GuardSettings.UnknownPolicy.REWRITE_IF_RULE_HEALTHY)
                .build());
        acr.manifests.put(
                "docker/library/slow:1", FakeAcr.slow(vertx, Duration.ofMillis(800), FakeAcr.servable(DIGEST, null)));
        assertVerdict(
                Decision.REWRITE,
                Basis.UNKNOWN_POLICY_REWRITE,
                one(image("docker/library/slow", "1"), Duration.ofMillis(100), false));
        guard.ruleHealth("docker-hub", false, "credential set Unhealthy");
        assertVerdict(Decision.LEAVE, Basis.BREAKER_OPEN, one(image("docker/library/slow", "2")));
    }

    @Test
    void connectionResetIsUnavailableAndWidensOnlyWhenV2FailsToo() throws Exception {
        start(settings().registryFailureThreshold(2).build());
        acr.manifests.put("docker/library/x:1", FakeAcr.reset());
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/x", "1")));
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/x", "1")));
        eventually("both were checked against /v2/", () -> acr.pings.get() >= 3);
        assertEquals(State.CLOSED, guard.registryState(acr.login), "/v2/ answers");

        acr.pingAnswer = FakeAcr.reset();
        one(image("docker/library/x", "1"));
        one(image("docker/library/x", "1"));
        eventually("/v2/ failing too opens it", () -> guard.registryState(acr.login) == State.OPEN);
        assertEquals(4, counter(GuardMetrics.PROBES, "kind", "inline", "result", "unavailable"));
    }

    @Test
    void fiftyConcurrentAdmissionsOfOneImageCostOneHead() throws Exception {
        start(settings().build());
        acr.manifests.put(
                "docker/library/ds:1", FakeAcr.slow(vertx, Duration.ofMillis(300), FakeAcr.servable(DIGEST, null)));
        List<Future<List<Verdict>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(guard.resolve(List.of(image("docker/library/ds", "1")), BUDGET, false));
        }
        for (Future<List<Verdict>> f : all) {
            assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, get(f).get(0));
        }
        assertEquals(1, acr.headsOf("docker/library/ds:1"));
    }

    @Test
    void dryRunSendsNoProbeAtAll() throws Exception {
        start(settings().build());
        acr.manifests.put("docker/library/x:1", FakeAcr.servable(DIGEST, null));
        Future<List<Verdict>> dry = guard.resolve(List.of(image("docker/library/x", "1")), BUDGET, true);
        assertTrue(dry.isComplete());
        assertVerdict(Decision.LEAVE, Basis.UNKNOWN_DRYRUN, dry.result().get(0));
        Thread.sleep(300); // a background probe, if one were (wrongly) scheduled, would have arrived
        assertEquals(0, acr.heads.get());

        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(image("docker/library/x", "1")));
        assertVerdict(Decision.REWRITE, Basis.CACHE_SERVABLE, one(image("docker/library/x", "1"), BUDGET, true));
    }

    @Test
    void overTheInflightCapAnImageIsUnknownAtOnce() throws Exception {
        start(settings().maxInflightProbes(2).build());
        for (String tag : List.of("1", "2", "3")) {
            acr.manifests.put(
                    "docker/library/x:" + tag,
                    FakeAcr.slow(vertx, Duration.ofMillis(300), FakeAcr.servable(DIGEST, null)));
        }
        List<Verdict> v = get(guard.resolve(
                List.of(image("docker/library/x", "1"), image("docker/library/x", "2"), image("docker/library/x", "3")),
                BUDGET,
                false));
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, v.get(0));
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, v.get(1));
        assertVerdict(Decision.LEAVE, Basis.UNKNOWN_SHED, v.get(2));
        assertEquals(0, acr.headsOf("docker/library/x:3"));
    }

    @Test
    void withoutARefreshTokenInMemoryNothingIsProbedInline() throws Exception {
        entra.failure = "AADSTS700016: application not found";
        start(settings().build());
        acr.manifests.put("docker/library/x:1", FakeAcr.servable(DIGEST, null));
        Future<List<Verdict>> f = guard.resolve(List.of(image("docker/library/x", "1")), BUDGET, false);
        assertTrue(f.isComplete(), "no token: unknown at once, not a wait");
        assertVerdict(Decision.LEAVE, Basis.UNKNOWN_NO_TOKEN, f.result().get(0));
        assertEquals(0, acr.heads.get());
        assertEquals(0, acr.exchanges.get(), "Entra refused: no exchange was attempted");
    }

    @Test
    void unhealthyRuleFromRegistryDataOverridesCachedServable() throws Exception {
        start(settings().build());
        acr.manifests.put("docker/library/x:1", FakeAcr.servable(DIGEST, null));
        Candidate x = image("docker/library/x", "1");
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(x));

        guard.ruleHealth("docker-hub", false, "credential set docker-hub-creds Unhealthy");
        assertVerdict(Decision.LEAVE, Basis.BREAKER_OPEN, one(x));
        clock.advance(Duration.ofHours(1));
        assertEquals(State.OPEN, guard.ruleState("docker-hub"), "held open while the registry says unhealthy");

        guard.ruleHealth("docker-hub", true, "credential set Healthy");
        assertEquals(State.HALF_OPEN, guard.ruleState("docker-hub"));
        assertVerdict(Decision.LEAVE, Basis.BREAKER_OPEN, one(x)); // and a trial probe
        eventually("the trial closes it", () -> guard.ruleState("docker-hub") == State.CLOSED);
        assertVerdict(Decision.REWRITE, Basis.CACHE_SERVABLE, one(x));
    }

    @Test
    void kubeletPullFailuresFeedTheCacheAndHoldTheRuleOnceThreePodsAgree() throws Exception {
        start(settings().ruleFailureThreshold(3).build());
        acr.manifests.put("docker/library/x:1", FakeAcr.servable(DIGEST, null));
        Candidate x = image("docker/library/x", "1");
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(x));

        guard.kubeletFailure(
                "docker-hub", acr.login + "/docker/library/x:1", PullFailureKind.NOT_FOUND, "shop/web-0", "node-0");
        assertVerdict(Decision.LEAVE, Basis.CACHE_NOT_FOUND, one(x));

        for (int i = 0; i < 3; i++) {
            guard.kubeletFailure(
                    "docker-hub",
                    acr.login + "/docker/library/z@" + DIGEST,
                    PullFailureKind.UNAUTHORIZED,
                    "shop/web-" + i,
                    "node-0");
        }
        assertTrue(guard.kubeletHold("docker-hub"));
    }

    @Test
    void canaryNotFoundOpensTheRuleAndAServableCanaryClosesIt() throws Exception {
        start(settings().canaryInterval(Duration.ofMillis(50)).build());
        guard.canaries(Map.of("docker-hub", new ProbeTarget(acr.login, "docker/library/busybox", "latest")));
        eventually("a canary that is not found opens the rule", () -> guard.ruleState("docker-hub") == State.OPEN);

        acr.manifests.put("docker/library/busybox:latest", FakeAcr.servable(DIGEST, null));
        clock.advance(Duration.ofSeconds(31));
        eventually("the canary closes it again", () -> guard.ruleState("docker-hub") == State.CLOSED);
        assertTrue(counter(GuardMetrics.PROBES, "kind", "canary", "result", "servable") >= 1);
    }

    @Test
    void aCanaryThatCannotReachItsTargetReleasesItsHalfOpenTrial() throws Exception {
        start(settings().canaryInterval(Duration.ofMillis(20)).build());
        // a target the HTTP client cannot reach: the probe answers unavailable (a probe that throws or fails instead
        // is EvidenceSettlingTest's: the client here turns even a malformed host into an answer)
        guard.canaries(Map.of("docker-hub", new ProbeTarget("bad host:-1", "docker/library/busybox", "latest")));
        guard.ruleHealth("docker-hub", false, "credential set Unhealthy");
        guard.ruleHealth("docker-hub", true, "credential set Healthy");
        assertEquals(State.HALF_OPEN, guard.ruleState("docker-hub"));
        acr.manifests.put("docker/library/x:1", FakeAcr.servable(DIGEST, null));
        eventually("the canary's failed trials were released, so an admission's trial closes the rule", () -> {
            try {
                one(image("docker/library/x", "1"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return guard.ruleState("docker-hub") == State.CLOSED;
        });
    }

    @Test
    void ruleHealthIsLoggedWhenItChangesNotOnEverySync() throws Exception {
        start(settings().build());
        var logs = io.acrcache.webhook.testing.LogCapture.on(
                java.util.logging.Logger.getLogger(Guard.class.getName()), java.util.logging.Level.INFO);
        try {
            for (int i = 0; i < 5; i++) {
                guard.ruleHealth("docker-hub", false, "credential set Unhealthy");
            }
            for (int i = 0; i < 5; i++) {
                guard.ruleHealth("docker-hub", true, "credential set Healthy");
            }
            assertEquals(2, logs.records().size(), logs.records().toString());
        } finally {
            logs.detach();
        }
    }

    @Test
    void heartbeatOpensTheRegistryBreakerWhileEveryVerdictIsCached() throws Exception {
        start(settings().heartbeatInterval(Duration.ofMillis(50)).build());
        acr.manifests.put("docker/library/x:1", FakeAcr.servable(DIGEST, null));
        Candidate x = image("docker/library/x", "1");
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(x));

        acr.pingAnswer = req -> req.response().setStatusCode(503).end();
        eventually("/v2/ failing opens the registry breaker", () -> guard.registryState(acr.login) == State.OPEN);
        assertVerdict(Decision.LEAVE, Basis.BREAKER_OPEN, one(x));

        acr.pingAnswer = null;
        clock.advance(Duration.ofSeconds(31));
        eventually("/v2/ answering again closes it", () -> guard.registryState(acr.login) == State.CLOSED);
        assertVerdict(Decision.REWRITE, Basis.CACHE_SERVABLE, one(x));
    }

    @Test
    void aFirstSightTimeoutWhileV2AnswersIsAVerdictForThatImageNotTheRegistry() throws Exception {
        start(settings()
                .registryFailureThreshold(1)
                .requestTimeout(Duration.ofMillis(200))
                .build());
        acr.manifests.put(
                "docker/library/slow:1", FakeAcr.slow(vertx, Duration.ofSeconds(2), FakeAcr.servable(DIGEST, null)));
        Candidate slow = image("docker/library/slow", "1");
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(slow));
        eventually("remembered as slow once /v2/ answered", () -> {
            try {
                return one(slow, Duration.ZERO, true).basis() == Basis.CACHE_SLOW;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(State.CLOSED, guard.registryState(acr.login), "one slow image says nothing of the registry");
        assertEquals(State.CLOSED, guard.ruleState("docker-hub"));
        assertEquals(1, acr.headsOf("docker/library/slow:1"));
        assertEquals("guard-unverified", one(slow).skipLabel());

        acr.manifests.put("docker/library/slow:1", FakeAcr.servable(DIGEST, null));
        clock.advance(Duration.ofSeconds(17)); // a slow verdict lives a quarter of notFoundTtl
        assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, one(slow));
    }

    @Test
    void manyGoodRepositoriesOutweighAFewFailingOnesAndOneRepositoryCountsOnce() throws Exception {
        start(settings().build()); // 10 distinct repositories, 50 %
        for (int i = 0; i < 12; i++) {
            acr.manifests.put("docker/library/ok" + i + ":1", FakeAcr.servable(DIGEST, null));
            one(image("docker/library/ok" + i, "1"));
        }
        for (int i = 0; i < 11; i++) {
            acr.manifests.put("docker/library/hot:" + i, FakeAcr.error(429, SOURCE_THROTTLED, Map.of()));
            one(image("docker/library/hot", "" + i));
        }
        assertEquals(State.CLOSED, guard.ruleState("docker-hub"), "one repository throttled 11 times counts once");
        for (int i = 0; i < 10; i++) {
            acr.manifests.put("docker/library/bad" + i + ":1", FakeAcr.error(429, SOURCE_THROTTLED, Map.of()));
            one(image("docker/library/bad" + i, "1"));
        }
        assertEquals(State.CLOSED, guard.ruleState("docker-hub"), "11 of 23 repositories is below half");
        acr.manifests.put("docker/library/bad10:1", FakeAcr.error(429, SOURCE_THROTTLED, Map.of()));
        one(image("docker/library/bad10", "1"));
        assertEquals(State.OPEN, guard.ruleState("docker-hub"), "12 of 24 distinct repositories throttled");
    }

    @Test
    void serverErrorsAndTimeoutsAreUnavailable() throws Exception {
        start(settings()
                .registryFailureThreshold(5)
                .requestTimeout(Duration.ofMillis(300))
                .build());
        acr.manifests.put(
                "docker/library/x:1", req -> req.response().setStatusCode(503).end());
        acr.manifests.put(
                "docker/library/x:2", FakeAcr.slow(vertx, Duration.ofSeconds(3), FakeAcr.servable(DIGEST, null)));
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/x", "1")));
        assertVerdict(Decision.LEAVE, Basis.PROBE_ERROR, one(image("docker/library/x", "2")));
        assertEquals(2, counter(GuardMetrics.PROBES, "kind", "inline", "result", "unavailable"));
        assertEquals(State.CLOSED, guard.ruleState("docker-hub"), "the registry's trouble is not the rule's");
    }

    @Test
    void metricsHaveThePrometheusNamesTheDashboardsUse() throws Exception {
        var prometheus = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        guard = new Guard(vertx, settings().build(), entra, prometheus, clock);
        get(guard.start(List.of(acr.login)));
        acr.manifests.put("docker/library/x:1", FakeAcr.servable(DIGEST, "upstream"));
        one(image("docker/library/x", "1"));
        one(image("docker/library/x", "1"));
        String scrape = prometheus.scrape();
        for (String line : List.of(
                "acw_guard_decisions_total{basis=\"cache-servable\",decision=\"rewrite\",rule=\"docker-hub\"} 1.0",
                "acw_guard_probes_total{kind=\"inline\",origin=\"upstream\",result=\"servable\"} 1.0",
                "acw_guard_inline_wait_seconds_count 1",
                "acw_guard_breaker_state{name=\"docker-hub\",scope=\"rule\"} 0.0",
                "acw_guard_token_seconds_to_expiry{token=\"acr_refresh\"}")) {
            assertTrue(scrape.contains(line), line + " in\n" + scrape);
        }
    }

    @Test
    void speaksHttpsByDefaultAsAcrDoes() throws Exception {
        var cert = io.acrcache.webhook.tls.CertificateGenerator.generate(
                "fake-acr", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
        try (FakeAcr tlsAcr = new FakeAcr(vertx, clock, cert)) {
            tlsAcr.manifests.put("docker/library/nginx:1.25", FakeAcr.servable(DIGEST, null));
            GuardSettings s = GuardSettings.builder()
                    .heartbeatInterval(Duration.ofHours(1))
                    .build();
            assertEquals("https", s.scheme());
            guard = new Guard(
                    vertx,
                    s,
                    entra,
                    meters,
                    clock,
                    new io.vertx.ext.web.client.WebClientOptions()
                            .setTrustOptions(new io.vertx.core.net.PemTrustOptions()
                                    .addCertValue(io.vertx.core.buffer.Buffer.buffer(cert.caCertificatePem()))));
            get(guard.start(List.of(tlsAcr.login)));
            Verdict v = one(new Candidate("docker-hub", tlsAcr.login, "docker/library/nginx", "1.25", null, "x"));
            assertVerdict(Decision.REWRITE, Basis.INLINE_SERVABLE, v);
            assertEquals(1, tlsAcr.exchanges.get());
        }
    }
}
