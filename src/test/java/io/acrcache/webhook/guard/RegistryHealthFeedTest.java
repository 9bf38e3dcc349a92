package io.acrcache.webhook.guard;

import io.acrcache.webhook.rulesync.ApplyResult;
import io.acrcache.webhook.rulesync.RegistryRules;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each ARM snapshot states the registry's holds anew: releases follow presence, and gone rules leave nothing. */
class RegistryHealthFeedTest {
    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Guard guard = GuardWiringTest.anonymous(vertx, meters);

    @AfterEach
    void close() throws Exception {
        guard.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static ApplyResult.RuleHealth arm(String rule, String provisioningState, RegistryRules.RuleCredential credential) {
        return new ApplyResult.RuleHealth(
                rule, new RegistryRules.ArmRule(rule, "docker.io/*", "docker/*", provisioningState, credential));
    }

    private static RegistryRules.RuleCredential credential(String rule, String status) {
        return new RegistryRules.RuleCredential(rule, rule + "-creds", status, null, null);
    }

    @Test
    void aRuleWithoutCredentialSetIsReleasedWhenSucceeded() {
        Set<String> inForce = Set.of("hub", "quay", "ghcr");
        RegistryHealthFeed.apply(
                guard,
                List.of(
                        arm("hub", "Failed", null),
                        arm("quay", "Succeeded", credential("quay", "Unhealthy")),
                        arm("ghcr", "Succeeded", credential("ghcr", "Missing"))),
                inForce);
        assertEquals(Set.of("hub", "quay", "ghcr"), guard.heldRules());

        // no credential set, health Unknown, a rule deleted and recreated: present, Succeeded, not Unhealthy
        RegistryHealthFeed.apply(
                guard,
                List.of(
                        arm("hub", "Succeeded", null),
                        arm("quay", "Succeeded", credential("quay", "Unknown")),
                        arm("ghcr", "Succeeded", credential("ghcr", "Healthy"))),
                inForce);
        assertEquals(Set.of(), guard.heldRules());
        for (String rule : inForce) {
            assertEquals(Breaker.State.HALF_OPEN, guard.ruleState(rule), rule + ": a probe closes it");
        }
    }

    @Test
    void aRuleThatWentDropsItsBreakerAndMeters() throws Exception {
        Candidate c = new Candidate(
                "old", "127.0.0.1:9", "docker/library/nginx", "1", null, "127.0.0.1:9/docker/library/nginx:1");
        guard.resolve(List.of(c), Duration.ZERO, true)
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        RegistryHealthFeed.apply(guard, List.of(arm("old", "Creating", null)), Set.of("hub"));
        assertTrue(guard.heldRules().contains("old"));
        assertEquals(
                Verdict.Decision.values().length * Verdict.Basis.values().length,
                meters.find(GuardMetrics.DECISIONS).tag("rule", "old").meters().size());

        RegistryHealthFeed.apply(guard, List.of(arm("hub", "Succeeded", null)), Set.of("hub"));
        assertFalse(guard.heldRules().contains("old"));
        assertTrue(
                meters.find(GuardMetrics.DECISIONS).tag("rule", "old").meters().isEmpty());
        assertTrue(meters.find(GuardMetrics.BREAKER_STATE)
                .tag("scope", "rule")
                .tag("name", "old")
                .meters()
                .isEmpty());
        assertEquals(Breaker.State.CLOSED, guard.ruleState("old"), "a rule seen again starts afresh");
    }
}
