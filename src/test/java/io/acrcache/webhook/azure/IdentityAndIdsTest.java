package io.acrcache.webhook.azure;

import io.acrcache.webhook.cloud.LoginServers;
import io.acrcache.webhook.cloud.RegistryResourceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Workload identity from the environment, registry resource IDs and login servers. */
class IdentityAndIdsTest {
    private static final Map<String, String> AKS = Map.of(
            "AZURE_CLIENT_ID", "5a1d0e8c-7b3f-4c55-9c1d-3b2e9f0a7d64",
            "AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/azure-identity-token",
            "AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/");

    @Test
    void readsWhatTheAksWebhookInjects() {
        WorkloadIdentity id = WorkloadIdentity.fromEnv(AKS);
        assertEquals("5a1d0e8c-7b3f-4c55-9c1d-3b2e9f0a7d64", id.clientId());
        assertEquals(Path.of("/var/run/secrets/azure/tokens/azure-identity-token"), id.federatedTokenFile());
        assertEquals(
                URI.create("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"),
                id.tokenEndpoint());
        assertTrue(WorkloadIdentity.present(AKS));
        assertFalse(WorkloadIdentity.present(Map.of("HOME", "/root")));
    }

    @Test
    void anAuthorityWithoutTrailingSlashAndADefaultAuthority() {
        var env = new java.util.HashMap<>(AKS);
        env.put("AZURE_AUTHORITY_HOST", "https://login.chinacloudapi.cn");
        assertEquals(
                "https://login.chinacloudapi.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
                WorkloadIdentity.fromEnv(env).tokenEndpoint().toString());
        env.remove("AZURE_AUTHORITY_HOST");
        assertEquals(
                URI.create(WorkloadIdentity.PUBLIC_CLOUD_AUTHORITY),
                WorkloadIdentity.fromEnv(env).authorityHost());
    }

    @Test
    void everyMissingVariableIsNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> WorkloadIdentity.fromEnv(Map.of("AZURE_AUTHORITY_HOST", "http://login.example/")));
        String m = e.getMessage();
        assertTrue(m.contains("AZURE_CLIENT_ID: is not set"), m);
        assertTrue(m.contains("AZURE_TENANT_ID: is not set"), m);
        assertTrue(m.contains("AZURE_FEDERATED_TOKEN_FILE: is not set"), m);
        assertTrue(m.contains("AZURE_AUTHORITY_HOST: 'http://login.example/' must be an https URL"), m);
    }

    @Test
    void parsesARegistryResourceIdCaseInsensitively() {
        RegistryResourceId id = RegistryResourceId.parse("/subscriptions/00000000-0000-0000-0000-000000000000"
                + "/resourcegroups/rg-platform.prod/providers/microsoft.containerregistry/registries/myacr01");
        assertEquals("00000000-0000-0000-0000-000000000000", id.subscriptionId());
        assertEquals("rg-platform.prod", id.resourceGroup());
        assertEquals("myacr01", id.registryName());
        assertEquals(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform.prod"
                        + "/providers/Microsoft.ContainerRegistry/registries/myacr01",
                id.path());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "myacr",
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg",
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage"
                        + "/storageAccounts/myacr",
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
                        + "/Microsoft.ContainerRegistry/registries/myacr/cacheRules/x",
                "myacr.azurecr.io"
            })
    void refusesWhatIsNotARegistryNamingTheField(String value) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RegistryResourceId.parse(value));
        assertTrue(
                e.getMessage()
                        .startsWith("registry.resourceId: '" + value + "' is not a container registry's resource ID"
                                + " (expected /subscriptions/"),
                e.getMessage());
    }

    @Test
    void problemsForConfigValidation() {
        assertEquals(java.util.List.of(), RegistryResourceId.problems("registry.resourceId", FakeArm.REGISTRY_ID));
        assertEquals(
                java.util.List.of("registry.resourceId: is empty (expected /subscriptions/<subscription>/resourceGroups"
                        + "/<group>/providers/Microsoft.ContainerRegistry/registries/<name>)"),
                RegistryResourceId.problems("registry.resourceId", ""));
    }

    @Test
    void refusesBadPartsNamingThem() {
        String m = assertThrows(
                        IllegalArgumentException.class,
                        () -> RegistryResourceId.parse("/subscriptions/00000000-0000-0000-0000-000000000000"
                                + "/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/my-acr"))
                .getMessage();
        assertTrue(m.contains("registry name 'my-acr' must be 5-50 letters and digits"), m);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryResourceId.parse(" "))
                .getMessage()
                .startsWith("registry.resourceId: is empty"));
    }

    @ParameterizedTest
    @CsvSource({
        "MyAcr, https://management.azure.com, myacr.azurecr.io",
        "myacr, https://management.azure.com/, myacr.azurecr.io",
        "myacr, https://management.chinacloudapi.cn, myacr.azurecr.cn",
        "myacr, https://management.usgovcloudapi.net, myacr.azurecr.us",
    })
    void loginServerFromTheRegistryName(String name, String arm, String expected) {
        assertEquals(Optional.of(expected), LoginServers.fromRegistry(name, arm));
    }

    @Test
    void loginServerIsNeverGuessedForUnknownClouds() {
        assertEquals(Optional.empty(), LoginServers.fromRegistry("myacr", "https://localhost:8443"));
        assertEquals(
                Optional.empty(), LoginServers.fromRegistry("myacr", "https://management.local.azurestack.external"));
        assertEquals(Optional.empty(), LoginServers.fromRegistry(null, "https://management.azure.com"));
    }
}
