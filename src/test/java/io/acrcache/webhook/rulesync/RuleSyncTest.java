package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.ArmRegistryClient;
import io.acrcache.webhook.azure.ArmRegistryClientTest;
import io.acrcache.webhook.azure.AzureFakes;
import io.acrcache.webhook.azure.EntraTokenSource;
import io.acrcache.webhook.azure.FakeArm;
import io.acrcache.webhook.azure.FakeEntra;
import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReferenceParser;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static io.acrcache.webhook.azure.FakeTls.await;
import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sync loop over the real ARM client and token source against the TLS fakes, with a callback that does what the
 * composition root will do: convert, compile and swap a {@link RuleSet}.
 */
class RuleSyncTest {
    private static final DockerHubHosts HUBS = DockerHubHosts.defaults();
    private static final ImageReferenceParser PARSER = new ImageReferenceParser(HUBS);
    private static final RuleSync.Options FAST =
            new RuleSync.Options(Duration.ofMillis(200), 0.1, Duration.ofMillis(100));

    @TempDir
    Path dir;

    private AzureFakes fakes;
    private Vertx vertx;
    private FakeEntra entra;
    private FakeArm arm;
    private EntraTokenSource tokens;
    private ArmRegistryClient client;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicReference<RuleSet> inForce = new AtomicReference<>();
    private RuleSync sync;

    @BeforeEach
    void start() throws Exception {
        fakes = new AzureFakes(dir, ArmRegistryClientTest.TIMEOUTS);
        vertx = fakes.vertx;
        entra = fakes.entra;
        arm = fakes.arm;
        tokens = fakes.tokens;
        client = fakes.client;
    }

    @AfterEach
    void stop() {
        if (sync != null) {
            sync.close();
        }
        fakes.close();
    }

    /** Registry rules in force: what the composition root does when {@code ruleSync: true}. */
    private ApplyResult swap(RegistrySnapshot snapshot) {
        RegistryRules.Result converted = RegistryRules.convert(snapshot, HUBS);
        inForce.set(converted.ruleSet());
        return ApplyResult.applied(converted);
    }

    private RuleSync sync(Function<RegistrySnapshot, ApplyResult> apply, RuleSync.Options options) {
        sync = new RuleSync(vertx, client, apply, options, meters, Clock.systemUTC());
        return sync;
    }

    private String target(String image) throws Exception {
        return inForce.get()
                .match(PARSER.parse(image))
                .map(m -> m.rule().name() + ":" + m.targetRepository())
                .orElse("none");
    }

    private double health(String rule, String set) {
        return meters.get(RuleSyncMetrics.CREDENTIAL_HEALTH)
                .tag("rule", rule)
                .tag("credential_set", set)
                .gauge()
                .value();
    }

    private double syncs(String result) {
        return meters.get(RuleSyncMetrics.SYNC).tag("result", result).counter().count();
    }

    @Test
    void followsTheRegistryTargetsRenamedRulesRemovedAndCredentialsTurningUnhealthy() throws Exception {
        sync(this::swap, FAST);
        await(sync.start());
        SyncStatus first = sync.status();
        assertEquals("success", first.result());
        assertNull(first.error());
        assertEquals(first.lastAttempt(), first.lastSuccess());
        assertEquals(6, first.snapshot().cacheRules().size());
        assertEquals(
                List.of("ghcr-new", "redis-tagged"),
                first.skipped().stream().map(s -> s.name()).toList());
        assertNotNull(first.nextAttempt());
        assertEquals("nginx:nginx", target("nginx:1.27"));
        assertEquals("quay:quay/prometheus/node-exporter", target("quay.io/prometheus/node-exporter:v1"));
        assertEquals(1.0, health("nginx", "dockerhub-creds"));
        assertEquals(0.0, health("quay", "quay-creds"));

        // in the registry: nginx's target renamed, the quay rule removed, Docker Hub's Key Vault secret expired
        arm.rule("nginx").getJsonObject("properties").put("targetRepository", "hub/nginx");
        arm.cacheRules.remove(arm.rule("quay"));
        arm.credentialSet("dockerhub-creds")
                .getJsonObject("properties")
                .getJsonArray("authCredentials")
                .getJsonObject(0)
                .put(
                        "credentialHealth",
                        new io.vertx.core.json.JsonObject()
                                .put("status", "Unhealthy")
                                .put("errorCode", "KeyVaultSecretExpired")
                                .put("errorMessage", "The secret has expired."));
        eventually("the next sync follows the registry", () -> {
            try {
                return target("nginx:1.27").equals("nginx:hub/nginx");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals("none", target("quay.io/prometheus/node-exporter:v1"));
        eventually("the health gauge follows", () -> health("nginx", "dockerhub-creds") == 0.0);
        assertNull(
                meters.find(RuleSyncMetrics.CREDENTIAL_HEALTH)
                        .tag("rule", "quay")
                        .gauge(),
                "a removed rule's gauge is removed");
        assertTrue(syncs("success") >= 2);
    }

    @Test
    void aFailureMidwayKeepsTheLastGoodRulesAndIsCounted() throws Exception {
        sync(this::swap, FAST);
        await(sync.start());
        RuleSet good = inForce.get();
        RegistrySnapshot goodSnapshot = sync.status().snapshot();

        arm.rule("nginx").getJsonObject("properties").put("targetRepository", "hub/nginx");
        arm.faults.put(
                "cacheRules#3", new FakeArm.Status(500, "InternalServerError", "Encountered an error.", Map.of()));
        eventually("a failed sync is reported", () -> sync.status().result().equals("server-error"));
        SyncStatus failed = sync.status();
        assertSame(goodSnapshot, failed.snapshot(), "the last good snapshot stays in force");
        assertSame(good, inForce.get(), "nothing half-applied");
        assertTrue(
                failed.error().startsWith("server-error InternalServerError: ARM cacheRules page 3: HTTP 500"),
                failed.error());
        assertTrue(failed.lastAttempt().isAfter(failed.lastSuccess()));
        assertTrue(syncs("server-error") >= 1);
        assertFalse(failed.error().contains("eyJ"), "never a token in the error");

        arm.faults.clear();
        eventually("recovers on a later attempt", () -> sync.status().result().equals("success"));
        assertEquals("nginx:hub/nginx", target("nginx:1.27"));
        assertEquals(0, sync.status().consecutiveFailures());
    }

    @Test
    void retryAfterIsHonoured() {
        arm.faults.put(
                "*",
                new FakeArm.Status(
                        429, "TooManyRequests", "The request is being throttled.", Map.of("Retry-After", "2")));
        sync(this::swap, FAST);
        await(sync.start());
        SyncStatus throttled = sync.status();
        assertEquals("throttled", throttled.result());
        assertTrue(
                !throttled.nextAttempt().isBefore(throttled.lastAttempt().plusSeconds(2)),
                "next attempt " + throttled.nextAttempt() + " at least 2 s after " + throttled.lastAttempt());
        eventually("a second attempt", () -> arm.requests.size() >= 2);
        long gap = arm.arrivals.get(1) - arm.arrivals.get(0);
        assertTrue(
                gap >= Duration.ofSeconds(2).toNanos(),
                "the second request came " + gap / 1_000_000 + " ms after the 429, not before Retry-After (2 s),"
                        + " although the interval is 200 ms");
        arm.faults.clear();
        eventually(
                "the attempt after Retry-After succeeds",
                () -> sync.status().result().equals("success"));
    }

    @Test
    void theFirstSyncIsBoundedAndNeverFails() {
        arm.faults.put("*", new FakeArm.Slow(10_000));
        sync(this::swap, new RuleSync.Options(Duration.ofSeconds(60), 0.1, Duration.ofSeconds(10)));
        sync.start();
        Future<Void> first = sync.firstSync(Duration.ofMillis(300));
        await(first);
        assertTrue(first.succeeded());
        assertEquals("pending", sync.status().result(), "ready before ARM answered");
        eventually("the timeout is reported later", () -> sync.status().result().equals("timeout"));
        assertNull(inForce.get(), "no rules from ARM: the file's stay");
    }

    @Test
    void aRefusedSnapshotKeepsTheLastGoodOne() {
        AtomicReference<Boolean> refuse = new AtomicReference<>(false);
        sync(
                snapshot ->
                        refuse.get() ? ApplyResult.refused("rules[2]: both have the target 'nginx'") : swap(snapshot),
                FAST);
        await(sync.start());
        RegistrySnapshot good = sync.status().snapshot();
        refuse.set(true);
        eventually("refused", () -> sync.status().result().equals("refused"));
        assertSame(good, sync.status().snapshot());
        assertTrue(
                sync.status().error().contains("both have the target"),
                sync.status().error());
        assertTrue(syncs("refused") >= 1);
    }

    @Test
    void driftIsReportedWhenTheFileRulesStayInForce() throws Exception {
        RuleSet file = RuleSet.compile(
                List.of(
                        new CacheRule("rules[0]", "docker.io/nginx", "nginx"),
                        new CacheRule("rules[1]", "docker.io/*", "hub/*"),
                        new CacheRule("rules[2]", "gcr.io/*", "gcr/*")),
                HUBS);
        sync(
                snapshot -> {
                    RegistryRules.Result converted = RegistryRules.convert(snapshot, HUBS);
                    return ApplyResult.compared(converted, Drift.between(file, converted.ruleSet()));
                },
                FAST);
        await(sync.start());
        Drift drift = sync.status().drift();
        assertEquals(
                List.of("rules[2]"),
                drift.onlyInFile().stream().map(CacheRule::name).toList());
        assertEquals(
                List.of("quay", "mcr"),
                drift.onlyInRegistry().stream().map(CacheRule::name).toList());
        assertEquals(
                List.of("rules[1]/dockerhub"),
                drift.differentTargets().stream()
                        .map(m -> m.file().name() + "/" + m.registry().name())
                        .toList());
        Gauge onlyRegistry =
                meters.get(RuleSyncMetrics.DRIFT).tag("kind", "only_registry").gauge();
        assertEquals(2.0, onlyRegistry.value());
        assertEquals(
                1.0,
                meters.get(RuleSyncMetrics.DRIFT)
                        .tag("kind", "target_differs")
                        .gauge()
                        .value());
    }

    @Test
    void aTokenFailureIsCountedAsToken() {
        entra.override = FakeEntra.error(401, "invalid_client", 7000215, "Invalid client secret provided.");
        sync(this::swap, FAST);
        await(sync.start());
        assertEquals("token", sync.status().result());
        assertTrue(
                sync.status().error().contains("AADSTS7000215"), sync.status().error());
        assertTrue(syncs("token") >= 1);
    }
}
