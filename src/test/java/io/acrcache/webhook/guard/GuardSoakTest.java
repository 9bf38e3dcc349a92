package io.acrcache.webhook.guard;

import io.acrcache.webhook.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * About 10,000 admissions over a fake ACR where 5 % of repositories are refused per image (403 naming the source
 * registry, 424, 404) and 1 % of first sights are slow: servable images are rewritten in at least 99.9 % of admissions,
 * unservable ones never, and no per-image answer ever opens the rule or the registry.
 */
class GuardSoakTest {
    private static final String DIGEST = "sha256:" + "c".repeat(64);
    private static final int REPOSITORIES = 400;
    private static final int ADMISSIONS = 10_000;

    /**
     * Kubelet evidence a user can cause: forged Events never reach the guard (the report checks each against its Pod,
     * {@code KubeletEvidenceMockServerTest}), but a user's own Pods naming private or misspelled repositories really
     * fail. Those failures, from ever new Pods on ever new nodes, are per-image refusals and missing tags: they must
     * never hold the rule.
     */
    private static int attackerPods;

    static void forgedKubeletEvents(Guard guard, Random random, String login) {
        int n = attackerPods++;
        String image = login + "/docker/library/private-" + random.nextInt(1000) + ":1";
        PullFailureKind kind = random.nextBoolean() ? PullFailureKind.UPSTREAM_FAILED : PullFailureKind.NOT_FOUND;
        guard.kubeletFailure("docker-hub", image, kind, "attacker/pod-" + n, "node-" + (n % 7));
    }

    @Test
    void perImageRefusalsAndSlowFirstSightsNeverSwitchOffTheRuleOrTheRegistry() throws Exception {
        long t0 = System.nanoTime();
        Vertx vertx = Vertx.vertx();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        Random random = new Random(19);
        Set<String> unservable = ConcurrentHashMap.newKeySet();
        try (FakeAcr acr = new FakeAcr(vertx, clock)) {
            for (int i = 0; i < REPOSITORIES; i++) {
                String repo = "docker/library/r" + i;
                String key = repo + ":1";
                if (i % 20 == 0) { // 5 %
                    unservable.add(repo);
                    acr.manifests.put(
                            key,
                            switch ((i / 20) % 3) {
                                case 0 ->
                                    FakeAcr.error(
                                            403,
                                            "denied: requested access to pull from source registry for cache rule"
                                                    + " 'docker-hub' has been denied",
                                            Map.of());
                                case 1 -> FakeAcr.error(424, null, Map.of());
                                default -> FakeAcr::manifestUnknown;
                            });
                } else if (i % 100 == 1) { // 1 % slow on first sight only
                    boolean[] first = {true};
                    acr.manifests.put(key, req -> {
                        if (first[0]) {
                            first[0] = false;
                            FakeAcr.slow(vertx, Duration.ofMillis(600), FakeAcr.servable(DIGEST, "upstream"))
                                    .accept(req);
                        } else {
                            FakeAcr.servable(DIGEST, null).accept(req);
                        }
                    });
                } else {
                    acr.manifests.put(key, FakeAcr.servable(DIGEST, "upstream"));
                }
            }
            Guard guard = new Guard(
                    vertx,
                    GuardSettings.builder()
                            .scheme("http")
                            .heartbeatInterval(Duration.ofHours(1))
                            .canaryInterval(Duration.ofHours(1))
                            .build(),
                    new TestEntra(clock),
                    new SimpleMeterRegistry(),
                    clock);
            try {
                guard.start(List.of(acr.login))
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                int servable = 0;
                int servableRewritten = 0;
                int unservableRewritten = 0;
                for (int n = 0; n < ADMISSIONS; n++) {
                    String repo = "docker/library/r" + random.nextInt(REPOSITORIES);
                    Candidate c =
                            new Candidate("docker-hub", acr.login, repo, "1", null, acr.login + "/" + repo + ":1");
                    Verdict v = guard.resolve(List.of(c), Duration.ofMillis(500), false)
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS)
                            .get(0);
                    if (unservable.contains(repo)) {
                        unservableRewritten += v.rewrite() ? 1 : 0;
                    } else {
                        servable++;
                        servableRewritten += v.rewrite() ? 1 : 0;
                    }
                    if (n % 50 == 0) {
                        forgedKubeletEvents(guard, random, acr.login);
                    }
                    clock.advance(Duration.ofMillis(50)); // 500 s in all: refusals expire and are asked again
                }
                double rate = 100.0 * servableRewritten / servable;
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf(
                        "guard soak: %d admissions, servable rewritten %.3f %% (%d/%d), unservable rewritten %d,"
                                + " %d ms%n",
                        ADMISSIONS, rate, servableRewritten, servable, unservableRewritten, ms);
                assertEquals(0, unservableRewritten, "an unservable image is never rewritten");
                assertTrue(rate >= 99.9, "servable rewritten " + rate + " %");
                assertEquals(Breaker.State.CLOSED, guard.ruleState("docker-hub"));
                assertFalse(guard.kubeletHold("docker-hub"), "per-image kubelet failures never hold the rule");
                assertEquals(Breaker.State.CLOSED, guard.registryState(acr.login));
                assertTrue(ms < 60_000, ms + " ms");
            } finally {
                guard.close();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
