package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.ArmRegistryClient;
import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.cloud.ArmEndpoint;
import io.acrcache.webhook.cloud.RegistryResourceId;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The registry sync for the composition root: the ARM client and the sync loop, on a web client and a token source the
 * root owns and shares (the pull guard asks the same token source for the ACR scope).
 */
public record AzureRegistrySync(ArmRegistryClient arm, RuleSync sync) implements AutoCloseable {

    /**
     * @param client the shared Azure web client ({@link AzureHttp#client})
     * @param tokens the shared Entra token source, or {@link AccessTokenSource#unavailable} without workload identity
     * @param resourceId {@code registry.resourceId}
     * @param armEndpoint {@code registry.armEndpoint}
     * @param interval {@code registry.ruleSyncIntervalSeconds}
     * @param apply validates and swaps (or compares) the registry's rules; called on a Vert.x event loop
     * @throws IllegalArgumentException naming every bad field at once
     */
    public static AzureRegistrySync create(
            Vertx vertx,
            WebClient client,
            AccessTokenSource tokens,
            String resourceId,
            String armEndpoint,
            Duration interval,
            Function<RegistrySnapshot, ApplyResult> apply,
            MeterRegistry meters) {
        // every problem at once, as configuration errors are reported
        List<String> errors = new ArrayList<>();
        RegistryResourceId id = null;
        try {
            id = RegistryResourceId.parse(resourceId);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        try {
            ArmEndpoint.check(armEndpoint);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        ArmRegistryClient arm =
                new ArmRegistryClient(client, tokens, id, armEndpoint, AzureHttp.Timeouts.DEFAULT, Clock.systemUTC());
        RuleSync sync = new RuleSync(vertx, arm, apply, RuleSync.Options.every(interval), meters, Clock.systemUTC());
        return new AzureRegistrySync(arm, sync);
    }

    /** Stops the loop; the client and the token source belong to the caller. */
    @Override
    public void close() {
        sync.close();
    }
}
