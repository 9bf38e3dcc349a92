package io.acrcache.webhook.azure;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static io.acrcache.webhook.azure.FakeTls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wiring refuses bad input at start, naming it; Retry-After in both of its forms. */
class AzureRegistrySyncTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        await(vertx.close());
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AzureRegistrySync.create(
                        vertx,
                        Map.of(),
                        "myacr",
                        "management.azure.com",
                        Duration.ofMinutes(5),
                        s -> ApplyResult.refused("unused"),
                        new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("registry.resourceId: 'myacr'"), e.getMessage());
        assertTrue(e.getMessage().contains("registry.armEndpoint: 'management.azure.com'"), e.getMessage());
        assertTrue(e.getMessage().contains("AZURE_TENANT_ID: is not set"), e.getMessage());
    }

    @Test
    void aBadResourceIdIsRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AzureRegistrySync.create(
                        vertx,
                        Map.of(),
                        "myacr.azurecr.io",
                        ArmRegistryClient.DEFAULT_ARM_ENDPOINT,
                        Duration.ofMinutes(5),
                        s -> ApplyResult.refused("unused"),
                        new SimpleMeterRegistry()));
        assertTrue(e.getMessage().startsWith("registry.resourceId: "), e.getMessage());
    }

    @Test
    void aPodWithoutWorkloadIdentityIsRefusedNamingTheVariables() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AzureRegistrySync.create(
                        vertx,
                        Map.of(),
                        FakeArm.REGISTRY_ID,
                        ArmRegistryClient.DEFAULT_ARM_ENDPOINT,
                        Duration.ofMinutes(5),
                        s -> ApplyResult.refused("unused"),
                        new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("AZURE_CLIENT_ID: is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("AZURE_FEDERATED_TOKEN_FILE: is not set"), e.getMessage());
    }

    @Test
    void aPlainHttpArmEndpointIsRefused() {
        Map<String, String> env =
                Map.of("AZURE_CLIENT_ID", "c", "AZURE_TENANT_ID", "t", "AZURE_FEDERATED_TOKEN_FILE", "/tmp/none");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AzureRegistrySync.create(
                        vertx,
                        env,
                        FakeArm.REGISTRY_ID,
                        "http://localhost:8080",
                        Duration.ofMinutes(5),
                        s -> ApplyResult.refused("unused"),
                        new SimpleMeterRegistry()));
        assertTrue(e.getMessage().startsWith("registry.armEndpoint: "), e.getMessage());
    }

    @Test
    void retryAfterAsSecondsOrHttpDate() {
        Instant now = Instant.parse("2026-12-02T04:00:00Z");
        assertEquals(120, AzureHttp.retryAfterSeconds("120", now));
        assertEquals(30, AzureHttp.retryAfterSeconds("Wed, 02 Dec 2026 04:00:30 GMT", now));
        assertEquals(-1, AzureHttp.retryAfterSeconds(null, now));
        assertEquals(-1, AzureHttp.retryAfterSeconds("soon", now));
    }
}
