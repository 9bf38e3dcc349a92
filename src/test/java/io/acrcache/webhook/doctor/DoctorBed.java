package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.AzureFakes;
import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.azure.FakeArm;
import io.acrcache.webhook.azure.FakeTls;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.TestConfigs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole artifact-cache chain in fakes, every link sound: Entra ID and ARM over TLS ({@link AzureFakes}), a registry
 * resource whose login server is a {@link FakeLoginServer}, a Docker Hub wildcard rule with a healthy credential set
 * whose identity reads the vault, and an AKS cluster whose kubelet identity holds AcrPull inherited from the registry's
 * resource group. Tests break one link each.
 */
final class DoctorBed implements AutoCloseable {
    static final String GROUP = FakeArm.SUBSCRIPTION + "/resourceGroups/myResourceGroup";
    static final String CLUSTER = FakeArm.SUBSCRIPTION
            + "/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/mycluster";
    static final String KUBELET = "5b6e2c1d-8f0a-4c3b-9e7d-1a2b3c4d5e6f";
    static final String SET_PRINCIPAL = "fa153151-b9fd-46f4-9088-5e6600f2689a";
    static final String SET_ID = FakeArm.REGISTRY_ID + "/credentialSets/dockerhub-creds";
    static final AzureHttp.Timeouts TIMEOUTS = new AzureHttp.Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(20));

    final AzureFakes azure;
    final FakeArm arm;
    final FakeLoginServer acr;
    final WebClient client;
    final JsonObject vault = FakeArm.vault("secrets-rg", "myvault");
    String rules = "[{name: dockerhub, source: 'docker.io/*', target: 'docker/*'}]";
    String extraConfig = "";

    DoctorBed(Path dir) throws Exception {
        azure = new AzureFakes(dir, TIMEOUTS);
        arm = azure.arm;
        acr = new FakeLoginServer(azure.vertx);
        client = AzureHttp.client(azure.vertx, TIMEOUTS, FakeTls.trust());
        arm.registry = FakeArm.registryResource(acr.login);
        arm.cacheRules(new JsonArray().add(cacheRule("dockerhub", "docker.io/*", "docker/*", SET_ID)));
        arm.credentialSets(new JsonArray().add(credentialSet("dockerhub-creds", "Healthy", null, null)));
        arm.resource(vault);
        arm.resource(FakeArm.managedCluster(CLUSTER, KUBELET));
        arm.roleAssignments.add(FakeArm.roleAssignment(GROUP, FakeArm.ACR_PULL, KUBELET));
        arm.roleAssignments.add(
                FakeArm.roleAssignment(vault.getString("id"), FakeArm.KEY_VAULT_SECRETS_USER, SET_PRINCIPAL));
    }

    static JsonObject cacheRule(String name, String source, String target, String credentialSet) {
        JsonObject p = new JsonObject()
                .put("sourceRepository", source)
                .put("targetRepository", target)
                .put("creationDate", "2025-05-01T09:00:00.0000000+00:00")
                .put("provisioningState", "Succeeded");
        if (credentialSet != null) {
            p.put("credentialSetResourceId", credentialSet);
        }
        return new JsonObject()
                .put("id", FakeArm.REGISTRY_ID + "/cacheRules/" + name)
                .put("name", name)
                .put("type", "Microsoft.ContainerRegistry/registries/cacheRules")
                .put("properties", p);
    }

    static JsonObject credentialSet(String name, String status, String errorCode, String errorMessage) {
        JsonObject health = new JsonObject().put("status", status);
        if (errorCode != null) {
            health.put("errorCode", errorCode).put("errorMessage", errorMessage);
        }
        return new JsonObject()
                .put("id", FakeArm.REGISTRY_ID + "/credentialSets/" + name)
                .put("name", name)
                .put("type", "Microsoft.ContainerRegistry/registries/credentialSets")
                .put(
                        "identity",
                        new JsonObject()
                                .put("type", "SystemAssigned")
                                .put("principalId", SET_PRINCIPAL)
                                .put("tenantId", "72f988bf-86f1-41af-91ab-2d7cd011db47"))
                .put(
                        "properties",
                        new JsonObject()
                                .put("loginServer", "docker.io")
                                .put(
                                        "authCredentials",
                                        new JsonArray()
                                                .add(new JsonObject()
                                                        .put("name", "Credential1")
                                                        .put(
                                                                "usernameSecretIdentifier",
                                                                "https://myvault.vault.azure.net/secrets/username")
                                                        .put(
                                                                "passwordSecretIdentifier",
                                                                "https://myvault.vault.azure.net/secrets/password")
                                                        .put("credentialHealth", health)))
                                .put("creationDate", "2025-05-01T08:00:00.0000000+00:00")
                                .put("provisioningState", "Succeeded"));
    }

    String configText() {
        return """
                acrLoginServer: '%s'
                rules: %s
                registry:
                  resourceId: %s
                  armEndpoint: %s
                %s""".formatted(acr.login, rules, FakeArm.REGISTRY_ID, arm.endpoint(), extraConfig);
    }

    LoadedConfig config() {
        return TestConfigs.yaml(configText());
    }

    Map<String, String> env() {
        return new HashMap<>(azure.entra.env());
    }

    Doctor doctor() {
        return new Doctor(azure.vertx, client, client, azure.tokens, env(), new Doctor.Options(TIMEOUTS, "http"));
    }

    DoctorReport run() throws Exception {
        return doctor().run(config(), CLUSTER)
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        acr.close();
        client.close();
        azure.close();
    }
}
