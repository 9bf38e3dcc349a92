package io.acrcache.webhook.guard;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.rulesync.RegistryRules;
import io.acrcache.webhook.testing.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The guard as the configuration and the registry data drive it: settings, canaries, health feed, reloads. */
class GuardWiringTest {
    private static final String BASE = "acrLoginServer: '127.0.0.1:9'\n"
            + "rules:\n  - {name: docker-hub, source: docker.io/*, target: docker/*}\n"
            + "  - {name: quay, source: quay.io/*, target: quay/*}\n";

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Guard guard() {
        return anonymous(vertx, meters);
    }

    /** A guard with anonymous auth over plain HTTP, for tests that feed it signals. */
    static Guard anonymous(Vertx vertx, SimpleMeterRegistry meters) {
        return new Guard(
                vertx,
                GuardSettings.builder()
                        .scheme("http")
                        .auth(GuardSettings.Auth.ANONYMOUS)
                        .build(),
                null,
                meters,
                Clock.systemUTC());
    }

    @Test
    void settingsMapOntoTheGuardsOwn() {
        LoadedConfig cfg = TestConfigs.yaml(BASE
                + "guard: {enabled: true, auth: anonymous, inlineBudgetMillis: 300, unknownPolicy:"
                + " rewrite-if-rule-healthy, tagTtlSeconds: 5, digestTtlSeconds: 6, notFoundTtlSeconds: 7,"
                + " maxInflightProbes: 8}\n");
        GuardSettings s = GuardConfig.settings(cfg.settings().guard());
        assertEquals(GuardSettings.Auth.ANONYMOUS, s.auth());
        assertEquals(Duration.ofMillis(300), s.inlineBudget());
        assertEquals(GuardSettings.UnknownPolicy.REWRITE_IF_RULE_HEALTHY, s.unknownPolicy());
        assertEquals(Duration.ofSeconds(5), s.tagTtl());
        assertEquals(Duration.ofSeconds(6), s.digestTtl());
        assertEquals(Duration.ofSeconds(7), s.notFoundTtl());
        assertEquals(8, s.maxInflightProbes());
        GuardSettings d = GuardConfig.settings(TestConfigs.defaults().settings().guard());
        assertEquals(GuardSettings.Auth.WORKLOAD_IDENTITY, d.auth());
        assertEquals(GuardSettings.UnknownPolicy.LEAVE, d.unknownPolicy());
        assertEquals(Duration.ofMillis(750), d.inlineBudget());
    }

    @Test
    void canariesAreTranslatedThroughTheirRulesAndEachProblemNamesItsField() {
        LoadedConfig cfg = TestConfigs.yaml(BASE + "guard:\n  canaries:\n"
                + "    docker-hub: docker.io/library/busybox:1.36\n"
                + "    quay: docker.io/library/alpine:3\n"
                + "    gone: docker.io/library/busybox:1.36\n");
        GuardConfig.Canaries c = GuardConfig.canaries(cfg);
        assertEquals(
                Map.of("docker-hub", new ProbeTarget("127.0.0.1:9", "docker/library/busybox", "1.36")), c.targets());
        assertEquals(
                List.of(
                        "guard.canaries.gone: no cache rule named 'gone'",
                        "guard.canaries.quay: 'docker.io/library/alpine:3' is not covered by rule 'quay' (rule"
                                + " 'docker-hub' covers it)"),
                c.problems());
    }

    @Test
    void canariesComeFromTheEnvironmentAsPairs() {
        LoadedConfig cfg = TestConfigs.yaml(BASE, Map.of("ACW_GUARD_CANARIES", "docker-hub=busybox:1.36"));
        assertEquals(
                Map.of("docker-hub", "busybox:1.36"), cfg.settings().guard().canaries());
    }

    @Test
    void registryHealthHoldsUnhealthyAndUnprovisionedRulesOpenAndReleasesHealthyOnes() {
        Guard guard = guard();
        try {
            RegistryHealthFeed.apply(
                    guard,
                    List.of(
                            RegistryHealthFeedTest.arm(
                                    "docker-hub",
                                    "Succeeded",
                                    new RegistryRules.RuleCredential(
                                            "docker-hub",
                                            "hub-creds",
                                            "Unhealthy",
                                            "KeyVaultAccessDenied",
                                            "no access")),
                            RegistryHealthFeedTest.arm(
                                    "quay",
                                    "Succeeded",
                                    new RegistryRules.RuleCredential("quay", "quay-creds", "Healthy", null, null)),
                            RegistryHealthFeedTest.arm(
                                    "ghcr",
                                    "Succeeded",
                                    new RegistryRules.RuleCredential("ghcr", "ghcr-creds", "Unknown", null, null)),
                            RegistryHealthFeedTest.arm("mcr", "Failed", null)),
                    Set.of());
            assertEquals(Breaker.State.OPEN, guard.ruleState("docker-hub"));
            assertEquals(Breaker.State.OPEN, guard.ruleState("mcr"));
            assertEquals(Breaker.State.CLOSED, guard.ruleState("quay"));
            assertEquals(Breaker.State.CLOSED, guard.ruleState("ghcr"));
            assertEquals(
                    "credential set hub-creds Unhealthy: KeyVaultAccessDenied (no access)",
                    RegistryHealthFeed.reason(new RegistryRules.RuleCredential(
                            "docker-hub", "hub-creds", "Unhealthy", "KeyVaultAccessDenied", "no access")));

            RegistryHealthFeed.apply(
                    guard,
                    List.of(RegistryHealthFeedTest.arm(
                            "docker-hub",
                            "Succeeded",
                            new RegistryRules.RuleCredential("docker-hub", "hub-creds", "Healthy", null, null))),
                    Set.of());
            assertNotSame(Breaker.State.OPEN, guard.ruleState("docker-hub"), "released when healthy again");
        } finally {
            guard.close();
        }
    }

    @Test
    void theHolderFollowsReloadsBuildingRebuildingAndClosing() {
        int[] built = {0};
        GuardHolder holder = new GuardHolder(
                s -> {
                    built[0]++;
                    return new Guard(vertx, s, null, meters, Clock.systemUTC());
                },
                s -> s.toBuilder().scheme("http").build(),
                meters);
        try {
            holder.apply(TestConfigs.yaml(BASE));
            assertNull(holder.get(), "off by default");
            holder.apply(TestConfigs.yaml(BASE + "guard: {enabled: true, auth: anonymous}\n"));
            Guard first = holder.get();
            assertNotNull(first);
            holder.apply(TestConfigs.yaml(BASE + "guard: {enabled: true, auth: anonymous}\n"));
            assertSame(first, holder.get(), "same settings: same guard, its memory kept");
            holder.apply(TestConfigs.yaml(BASE + "guard: {enabled: true, auth: anonymous, inlineBudgetMillis: 10}\n"));
            assertNotSame(first, holder.get());
            assertEquals(Duration.ofMillis(10), holder.get().settings().inlineBudget());
            assertEquals(2, built[0]);
            holder.apply(TestConfigs.yaml(BASE));
            assertNull(holder.get(), "turned off by a reload");
        } finally {
            holder.close();
        }
    }

    @Test
    void anInlineBudgetThatDoesNotFitTheRequestTimeoutIsRefusedAtStart() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(
                AssertionError.class, // TestConfigs turns the loader's ConfigException into a failed assertion
                () -> TestConfigs.yaml(BASE
                        + "server: {requestTimeoutSeconds: 2}\n"
                        + "guard: {enabled: true, inlineBudgetMillis: 1800}\n"));
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains("guard.inlineBudgetMillis"), e.getMessage());
        assertNotNull(TestConfigs.yaml(
                BASE + "server: {requestTimeoutSeconds: 2}\n" + "guard: {enabled: true, inlineBudgetMillis: 1500}\n"));
        assertNotNull(TestConfigs.yaml(BASE + "server: {requestTimeoutSeconds: 1}\n"), "no guard, no check");
    }
}
