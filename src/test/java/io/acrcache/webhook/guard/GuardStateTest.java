package io.acrcache.webhook.guard;

import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;
import io.acrcache.webhook.rulesync.ApplyResult;
import io.acrcache.webhook.testing.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the guard learned survives a change of its settings, and follows the rules in force. */
class GuardStateTest {
    private static final String BASE = "acrLoginServer: '127.0.0.1:9'\n"
            + "rules:\n  - {name: docker-hub, source: docker.io/*, target: docker/*}\n"
            + "  - {name: quay, source: quay.io/*, target: quay/*}\n"
            + "  - {name: ghcr, source: ghcr.io/*, target: ghcr/*}\n";

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final GuardHolder holder = new GuardHolder(
            (s, previous) -> new Guard(vertx, s, null, meters, Clock.systemUTC(), new WebClientOptions(), previous),
            s -> s.toBuilder().scheme("http").build(),
            meters);

    @AfterEach
    void close() throws Exception {
        holder.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aGuardSettingChangeKeepsVerdictsBreakersTokensAndKubeletHolds() throws Exception {
        holder.apply(TestConfigs.yaml(BASE + "guard: {enabled: true, auth: anonymous}\n"));
        Guard first = holder.get();
        String image = "127.0.0.1:9/docker/library/nginx:9.99";
        first.kubeletFailure("docker-hub", image, PullFailureKind.NOT_FOUND, "ns/p", "n");
        first.ruleHealth("quay", false, "credential set quay-creds Unhealthy");
        for (int i = 0; i < 3; i++) {
            first.kubeletFailure("ghcr", "127.0.0.1:9/ghcr/a:" + i, PullFailureKind.UNAUTHORIZED, "ns/p" + i, "n");
        }

        holder.apply(TestConfigs.yaml(BASE + "guard: {enabled: true, auth: anonymous, tagTtlSeconds: 30}\n"));
        Guard second = holder.get();
        assertNotSame(first, second);
        assertEquals(Duration.ofSeconds(30), second.settings().tagTtl());
        Candidate c = new Candidate("docker-hub", "127.0.0.1:9", "docker/library/nginx", "9.99", null, image);
        Verdict v = second.resolve(List.of(c), Duration.ZERO, true)
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS)
                .get(0);
        assertEquals(Verdict.Basis.CACHE_NOT_FOUND, v.basis(), "the verdict carried over");
        assertEquals(Set.of("quay"), second.heldRules(), "the registry's hold carried over");
        assertEquals(Breaker.State.OPEN, second.ruleState("quay"));
        assertTrue(second.kubeletHold("ghcr"), "the kubelet hold carried over");
        assertSame(first.authorizer(), second.authorizer(), "same auth: the same tokens");
        assertEquals(
                1,
                meters.find(GuardMetrics.BREAKER_STATE)
                        .tag("scope", "rule")
                        .tag("name", "quay")
                        .gauges()
                        .size(),
                "the carried breaker has its gauge again");
    }

    @Test
    void canariesFollowTheRulesInForceAfterASync() {
        ConfigHolder config = new ConfigHolder(TestConfigs.yaml(BASE
                + "guard: {enabled: true, auth: anonymous, canaries: {registry-hub: docker.io/library/busybox:1}}\n"));
        holder.apply(config.get());
        assertEquals(Map.of(), holder.get().canaries(), "the file has no rule named registry-hub");

        // the registry's rules swapped in (registry.ruleSync: true), as RegistryRulesApplier does
        config.overlay(c -> c.withRuleSet(RuleSet.compile(
                List.of(new CacheRule("registry-hub", "docker.io/*", "hub/*")), DockerHubHosts.defaults())));
        holder.synced(new ApplyResult(true, List.of(), List.of(), null, null, List.of()), config.get());
        assertEquals(
                Map.of("registry-hub", new ProbeTarget("127.0.0.1:9", "hub/library/busybox", "1")),
                holder.get().canaries());
    }
}
