package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.azure.FakeArm;
import io.acrcache.webhook.cloud.ArmEndpoint;
import io.acrcache.webhook.outbound.RetryAfter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.acrcache.webhook.azure.FakeTls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wiring refuses bad input at start, naming it; Retry-After in both of its forms. */
class AzureRegistrySyncTest {
    private static final AccessTokenSource NO_TOKENS = AccessTokenSource.unavailable("no workload identity in test");
    private final Vertx vertx = Vertx.vertx();
    private final WebClient client = AzureHttp.client(vertx, AzureHttp.Timeouts.DEFAULT);

    @AfterEach
    void stop() {
        await(vertx.close());
    }

    /** What creating the sync with this resource id and ARM endpoint refuses. */
    private IllegalArgumentException refused(String resourceId, String armEndpoint) {
        return assertThrows(
                IllegalArgumentException.class,
                () -> AzureRegistrySync.create(
                        vertx,
                        client,
                        NO_TOKENS,
                        resourceId,
                        armEndpoint,
                        Duration.ofMinutes(5),
                        s -> ApplyResult.refused("unused"),
                        new SimpleMeterRegistry()));
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        IllegalArgumentException e = refused("myacr", "management.azure.com");
        assertTrue(e.getMessage().contains("registry.resourceId: 'myacr'"), e.getMessage());
        assertTrue(e.getMessage().contains("registry.armEndpoint: 'management.azure.com'"), e.getMessage());
    }

    @Test
    void aBadResourceIdIsRefusedNamingTheField() {
        IllegalArgumentException e = refused("myacr.azurecr.io", ArmEndpoint.DEFAULT);
        assertTrue(e.getMessage().startsWith("registry.resourceId: "), e.getMessage());
    }

    @Test
    void aPlainHttpArmEndpointIsRefused() {
        IllegalArgumentException e = refused(FakeArm.REGISTRY_ID, "http://localhost:8080");
        assertTrue(e.getMessage().startsWith("registry.armEndpoint: "), e.getMessage());
    }

    @Test
    void withoutWorkloadIdentityTheSyncStartsAndReportsWhy() {
        AzureRegistrySync sync = AzureRegistrySync.create(
                vertx,
                client,
                AccessTokenSource.unavailable("AZURE_CLIENT_ID: is not set"),
                FakeArm.REGISTRY_ID,
                ArmEndpoint.DEFAULT,
                Duration.ofMinutes(5),
                s -> ApplyResult.refused("unused"),
                new SimpleMeterRegistry());
        try {
            await(sync.sync().start());
            SyncStatus status = sync.sync().status();
            assertEquals("token", status.result());
            assertTrue(status.error().contains("AZURE_CLIENT_ID: is not set"), status.error());
        } finally {
            sync.close();
        }
    }

    @Test
    void retryAfterAsSecondsOrHttpDate() {
        Instant now = Instant.parse("2026-12-02T04:00:00Z");
        assertEquals(120, RetryAfter.seconds("120", now));
        assertEquals(30, RetryAfter.seconds("Wed, 02 Dec 2026 04:00:30 GMT", now));
        assertEquals(-1, RetryAfter.seconds(null, now));
        assertEquals(-1, RetryAfter.seconds("soon", now));
    }
}
