package io.acrcache.webhook.azure;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry sync wired from the Pod's workload identity: one web client (JDK trust), one Entra token source (which
 * the pull guard can share for the ACR scope), the ARM client and the sync loop. For the composition root.
 */
public record AzureRegistrySync(WebClient client, EntraTokenSource tokens, ArmRegistryClient arm, RuleSync sync)
        implements AutoCloseable {

    /**
     * @param env the process environment ({@code System.getenv()}); workload identity variables are required
     * @param resourceId {@code registry.resourceId}
     * @param armEndpoint {@code registry.armEndpoint}
     * @param interval {@code registry.ruleSyncIntervalSeconds}
     * @param apply validates and swaps (or compares) the registry's rules; called on a Vert.x event loop
     * @throws IllegalArgumentException naming the missing variables or the bad field
     */
    public static AzureRegistrySync create(
            Vertx vertx,
            Map<String, String> env,
            String resourceId,
            String armEndpoint,
            Duration interval,
            Function<RegistrySnapshot, ApplyResult> apply,
            MeterRegistry meters) {
        // every problem at once, as configuration errors are reported
        List<String> errors = new ArrayList<>();
        RegistryResourceId id = null;
        WorkloadIdentity identity = null;
        try {
            id = RegistryResourceId.parse(resourceId);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        try {
            ArmRegistryClient.checkEndpoint(armEndpoint);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        try {
            identity = WorkloadIdentity.fromEnv(env);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        WebClient client = AzureHttp.client(vertx, AzureHttp.Timeouts.DEFAULT);
        EntraTokenSource tokens = new EntraTokenSource(vertx, client, identity);
        tokens.bindMetrics(meters);
        ArmRegistryClient arm =
                new ArmRegistryClient(client, tokens, id, armEndpoint, AzureHttp.Timeouts.DEFAULT, Clock.systemUTC());
        RuleSync sync = new RuleSync(vertx, arm, apply, RuleSync.Options.every(interval), meters, Clock.systemUTC());
        return new AzureRegistrySync(client, tokens, arm, sync);
    }

    @Override
    public void close() {
        sync.close();
        tokens.close();
        client.close();
    }
}
