package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.guard.Guard;
import io.acrcache.webhook.guard.GuardSettings;
import io.acrcache.webhook.guard.RegistryHealthFeed;
import io.acrcache.webhook.testing.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What the applier hands the guard, in drift mode: the registry's health under the names the file's rules carry. */
class RegistryRulesApplierTest {
    @Test
    void driftModeHealthReachesTheFileRuleWithTheSameSource() throws Exception {
        ConfigHolder holder = new ConfigHolder(TestConfigs.yaml("acrLoginServer: '127.0.0.1:9'\nrules:\n"
                + "  - {name: hub, source: docker.io/*, target: hub/*}\n"
                + "  - {name: my-quay, source: quay.io/*, target: quay/*}\n"
                + "  - {name: my-ghcr, source: ghcr.io/*, target: ghcr/*}\n"));
        ApplyResult result =
                new RegistryRulesApplier(holder, false, List.of()).apply(RegistryRulesTest.fixtureSnapshot());
        assertEquals(
                "my-quay",
                result.health().stream()
                        .filter(h -> h.registry().name().equals("quay"))
                        .findFirst()
                        .orElseThrow()
                        .rule());
        assertNull(
                result.health().stream()
                        .filter(h -> h.registry().name().equals("mcr"))
                        .findFirst()
                        .orElseThrow()
                        .rule(),
                "no file rule has its source");

        Vertx vertx = Vertx.vertx();
        Guard guard = new Guard(
                vertx,
                GuardSettings.builder().auth(GuardSettings.Auth.ANONYMOUS).build(),
                null,
                new SimpleMeterRegistry(),
                Clock.systemUTC());
        try {
            Set<String> inForce = new HashSet<>();
            holder.get().ruleSet().rules().forEach(r -> inForce.add(r.rule().name()));
            RegistryHealthFeed.apply(guard, result.health(), inForce);
            // quay's credential set is Unhealthy, ghcr-new is still Creating; dockerhub is Healthy
            assertEquals(Set.of("my-quay", "my-ghcr"), guard.heldRules());
        } finally {
            guard.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
