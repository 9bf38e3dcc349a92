package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.cloud.RegistryResourceId;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import tools.jackson.databind.JsonNode;

import java.util.Map;

/**
 * What every check of one doctor run reads (configuration, identity, clients) and what earlier links found that later
 * ones build on (the token worked, the registry resource, the rules and credential sets). Checks run one after another,
 * so the mutable fields need no locking.
 */
final class Chain {
    final Vertx vertx;
    final LoadedConfig config;
    final Settings settings;
    final Map<String, String> env;
    final AccessTokenSource tokens;
    final WebClient azureClient;
    final WebClient registryClient;
    final Doctor.Options options;
    /** Null without {@code registry.resourceId}. */
    final RegistryResourceId registry;
    /** Null without {@code --aks-resource-id} / {@code ACW_REGISTRY_CLUSTER_RESOURCE_ID}. */
    final String clusterId;
    /** Null without a registry. */
    final ArmReader arm;

    boolean armToken;
    JsonNode registryResource;
    RegistrySnapshot snapshot;

    Chain(
            Vertx vertx,
            LoadedConfig config,
            Map<String, String> env,
            AccessTokenSource tokens,
            WebClient azureClient,
            WebClient registryClient,
            Doctor.Options options,
            String clusterId) {
        this.vertx = vertx;
        this.config = config;
        this.settings = config.settings();
        this.env = env;
        this.tokens = tokens;
        this.azureClient = azureClient;
        this.registryClient = registryClient;
        this.options = options;
        this.registry = settings.registry().configured()
                ? RegistryResourceId.parse(settings.registry().resourceId())
                : null;
        this.clusterId = clusterId == null || clusterId.isBlank() ? null : clusterId.trim();
        this.arm = registry == null
                ? null
                : new ArmReader(
                        azureClient,
                        tokens,
                        settings.registry().armEndpoint(),
                        options.timeouts().response());
    }

    String login() {
        return settings.acrLoginServer();
    }

    /** The registry's name for {@code az acr ... -n}, or a placeholder without a resource id. */
    String registryName() {
        return registry == null ? "<registry>" : registry.registryName();
    }

    String registryIdOrPlaceholder() {
        return registry == null ? "<registry resource id>" : registry.path();
    }

    /** The webhook identity's client id for {@code az role assignment create --assignee}, or a placeholder. */
    String clientId() {
        String id = env.get(WorkloadIdentity.CLIENT_ID);
        return id == null || id.isBlank() ? "<webhook identity client id>" : id.trim();
    }
}
