package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.Breaker.State;
import io.acrcache.webhook.guard.Verdict.Basis;
import io.acrcache.webhook.guard.Verdict.Decision;
import io.acrcache.webhook.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Confirmed kubelet failures against the guard: a rule is held only when several Pods or nodes agree, never the
 * registry, and a hold closes only after a quiet period that grows with each reopening, whatever our own probes say.
 */
class KubeletEvidenceTest {
    private static final String DIGEST = "sha256:" + "b".repeat(64);
    private static final Duration QUIET = KubeletEvidence.Settings.DEFAULTS.quiet();

    private Vertx vertx;
    private MutableClock clock;
    private FakeAcr acr;
    private SimpleMeterRegistry meters;
    private Guard guard;
    private Candidate x;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        meters = new SimpleMeterRegistry();
        GuardSettings settings = GuardSettings.defaults().toBuilder()
                .scheme("http")
                .heartbeatInterval(Duration.ofHours(1))
                .canaryInterval(Duration.ofMillis(50))
                .build();
        guard = new Guard(vertx, settings, new TestEntra(clock), meters, clock);
        guard.start(List.of(acr.login))
                .toCompletionStage()
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        acr.manifests.put("docker/library/x:1", FakeAcr.servable(DIGEST, null));
        x = new Candidate("docker-hub", acr.login, "docker/library/x", "1", null, acr.login + "/docker/library/x:1");
        assertEquals(Decision.REWRITE, decide().decision(), "servable before any kubelet says otherwise");
    }

    @AfterEach
    void tearDown() throws Exception {
        guard.close();
        acr.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void onePodFailingAgainAndAgainDoesNotTouchTheRule() throws Exception {
        for (int i = 0; i < 10; i++) {
            failed(PullFailureKind.UNAUTHORIZED, "shop/web-0", "node-0");
        }
        assertFalse(guard.kubeletHold("docker-hub"));
        assertEquals(Decision.REWRITE, decide().decision());
    }

    @Test
    void threeDistinctPodsHoldTheRule() throws Exception {
        failed(PullFailureKind.UNAUTHORIZED, "shop/web-0", "node-0");
        failed(PullFailureKind.UNAUTHORIZED, "shop/web-1", "node-0");
        assertFalse(guard.kubeletHold("docker-hub"), "two Pods on one node are not enough");
        failed(PullFailureKind.UNAUTHORIZED, "shop/web-2", "node-0");
        assertTrue(guard.kubeletHold("docker-hub"));
        assertVerdict(Decision.LEAVE, Basis.BREAKER_OPEN, decide());
    }

    /** Pods naming private or misspelled repositories: the source refusing each is about that image only. */
    @Test
    void podsWhoseRepositoriesTheSourceRefusesNeverHoldTheRule() throws Exception {
        for (int i = 0; i < 6; i++) {
            failed(PullFailureKind.UPSTREAM_FAILED, "shop/web-" + i, "node-" + i);
        }
        assertFalse(guard.kubeletHold("docker-hub"), "a refusal per image is a verdict for that image");
    }

    /** Blob failures too: our HEAD of the manifest cannot see a layer failing, the kubelet can. */
    @ParameterizedTest
    @EnumSource(names = {"UNAUTHORIZED", "BLOB_FAILED"})
    void twoDistinctNodesHoldTheRuleForBlobFailuresToo(PullFailureKind kind) throws Exception {
        failed(kind, "shop/web-0", "node-0");
        failed(kind, "shop/web-1", "node-1");
        assertTrue(guard.kubeletHold("docker-hub"));
        assertVerdict(Decision.LEAVE, Basis.BREAKER_OPEN, decide());
    }

    @Test
    void agreementMustFallWithinTheWindow() throws Exception {
        failed(PullFailureKind.UNAUTHORIZED, "shop/web-0", "node-0");
        clock.advance(KubeletEvidence.Settings.DEFAULTS.window().plusSeconds(1));
        failed(PullFailureKind.UNAUTHORIZED, "shop/web-1", "node-1");
        assertFalse(guard.kubeletHold("docker-hub"), "the first failure is too old to agree with");
    }

    @Test
    void kubeletFailuresNeverOpenTheRegistry() throws Exception {
        for (int i = 0; i < 20; i++) {
            failed(PullFailureKind.REGISTRY_THROTTLED, "shop/web-" + i, "node-" + i);
        }
        assertEquals(State.CLOSED, guard.registryState(acr.login));
        Candidate other = new Candidate("quay", acr.login, "quay/org/y", "1", null, acr.login + "/quay/org/y:1");
        acr.manifests.put("quay/org/y:1", FakeAcr.servable(DIGEST, null));
        Verdict v = guard.resolve(List.of(other), Duration.ofSeconds(5), false)
                .toCompletionStage()
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS)
                .get(0);
        assertEquals(Decision.REWRITE, v.decision(), "another rule on the same registry is untouched");
    }

    @Test
    void aKubeletHoldStaysOnOurOwnSuccessfulHeadAndClosesOnlyAfterAGrowingQuietPeriod() throws Exception {
        guard.canaries(Map.of("docker-hub", new ProbeTarget(acr.login, "docker/library/x", "1")));
        holdByThreePods("a");
        double before = canariesServable();
        eventually("our own HEAD succeeds while held", () -> canariesServable() > before);
        assertEquals(State.CLOSED, guard.ruleState("docker-hub"), "the breaker has nothing against the rule");
        assertTrue(guard.kubeletHold("docker-hub"), "our HEAD does not release kubelet evidence");

        clock.advance(QUIET.minusSeconds(1));
        assertTrue(guard.kubeletHold("docker-hub"));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(guard.kubeletHold("docker-hub"), "quiet for the whole period");
        assertEquals(Decision.REWRITE, decide().decision());

        holdByThreePods("b");
        clock.advance(QUIET);
        assertTrue(guard.kubeletHold("docker-hub"), "reopened: the quiet period has doubled");
        failed(PullFailureKind.UNAUTHORIZED, "shop/a-0", "node-0"); // a stuck Pod keeps failing
        clock.advance(QUIET.multipliedBy(2).minusSeconds(1));
        assertTrue(guard.kubeletHold("docker-hub"), "a new failure starts the quiet period over");
        clock.advance(Duration.ofSeconds(1));
        assertFalse(guard.kubeletHold("docker-hub"));
    }

    private void holdByThreePods(String prefix) {
        for (int i = 0; i < 3; i++) {
            failed(PullFailureKind.UNAUTHORIZED, "shop/" + prefix + "-" + i, "node-0");
        }
        assertTrue(guard.kubeletHold("docker-hub"));
    }

    private double canariesServable() {
        return meters.find(GuardMetrics.PROBES).tags("kind", "canary", "result", "servable").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    private void failed(PullFailureKind kind, String pod, String node) {
        guard.kubeletFailure("docker-hub", acr.login + "/docker/library/z:1", kind, pod, node);
    }

    private Verdict decide() throws Exception {
        return guard.resolve(List.of(x), Duration.ofSeconds(5), false)
                .toCompletionStage()
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS)
                .get(0);
    }

    private static void assertVerdict(Decision decision, Basis basis, Verdict v) {
        assertEquals(decision + " " + basis, v.decision() + " " + v.basis());
    }
}
