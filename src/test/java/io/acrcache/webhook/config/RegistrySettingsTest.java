package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code registry.*} keys: defaults, checks naming the field, and the login server derived from the registry. */
class RegistrySettingsTest {
    private static final String ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
            + "/providers/Microsoft.ContainerRegistry/registries/MyRegistry";

    private static LoadedConfig parse(String text, Map<String, String> env) throws ConfigException {
        return SettingsLoader.parse(text, "config.yaml", env);
    }

    @Test
    void defaultsMeanNoRegistryAccess() throws Exception {
        Settings.Registry r = parse(null, Map.of()).settings().registry();
        assertEquals("", r.resourceId());
        assertFalse(r.configured());
        assertFalse(r.ruleSync());
        assertEquals(300, r.ruleSyncIntervalSeconds());
        assertEquals("https://management.azure.com", r.armEndpoint());
    }

    @Test
    void fromTheFileAndTheEnvironment() throws Exception {
        Settings s = parse("""
                        acrLoginServer: cache.example.io
                        registry:
                          resourceId: %s
                          ruleSync: true
                          armEndpoint: https://management.usgovcloudapi.net/
                        """.formatted(ID), Map.of("ACW_REGISTRY_RULE_SYNC_INTERVAL_SECONDS", "60"))
                .settings();
        assertEquals(ID, s.registry().resourceId());
        assertTrue(s.registry().ruleSync());
        assertEquals(60, s.registry().ruleSyncIntervalSeconds());
        assertEquals("https://management.usgovcloudapi.net", s.registry().armEndpoint(), "trailing slash dropped");
        assertEquals("cache.example.io", s.acrLoginServer(), "a given login server is kept");
    }

    @Test
    void aResourceIdThatIsNotARegistrysIsRefusedNamingTheField() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> parse(
                        "registry: {resourceId: /subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage"
                                + "/storageAccounts/x}",
                        Map.of()));
        assertTrue(
                e.errors().stream()
                        .anyMatch(m -> m.startsWith("registry.resourceId: ")
                                && m.contains("is not a container registry's resource ID")),
                e.errors().toString());
    }

    @Test
    void ruleSyncNeedsAResourceIdAndTheEndpointMustBeHttpsAllNamedAtOnce() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> parse(
                        "registry: {ruleSync: true, armEndpoint: 'http://management.azure.com',"
                                + " ruleSyncIntervalSeconds: 1}",
                        Map.of()));
        String all = String.join("\n", e.errors());
        assertTrue(all.contains("registry.ruleSync: true needs registry.resourceId"), all);
        assertTrue(all.contains("registry.armEndpoint: 'http://management.azure.com' must be an https URL"), all);
        assertTrue(all.contains("registry.ruleSyncIntervalSeconds: 1 is out of range"), all);
    }

    @Test
    void theLoginServerIsDerivedFromTheRegistryNameForAKnownCloud() throws Exception {
        assertEquals(
                "myregistry.azurecr.io",
                parse("registry: {resourceId: '" + ID + "'}", Map.of())
                        .settings()
                        .acrLoginServer());
        assertEquals(
                "myregistry.azurecr.cn",
                parse(
                                null,
                                Map.of(
                                        "ACW_REGISTRY_RESOURCE_ID",
                                        ID,
                                        "ACW_REGISTRY_ARM_ENDPOINT",
                                        "https://management.chinacloudapi.cn"))
                        .settings()
                        .acrLoginServer());
        assertEquals(
                "other.azurecr.io",
                parse("registry: {resourceId: '" + ID + "'}", Map.of("ACW_ACR_LOGIN_SERVER", "other.azurecr.io"))
                        .settings()
                        .acrLoginServer(),
                "the environment's login server wins");
    }

    @Test
    void theLoginServerIsNeverGuessedForAnUnknownCloud() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> parse("registry: {resourceId: '" + ID + "', armEndpoint: 'https://arm.local:8443'}", Map.of()));
        assertTrue(
                e.errors().stream()
                        .anyMatch(m -> m.startsWith("acrLoginServer: not set") && m.contains("https://arm.local:8443")),
                e.errors().toString());
    }

    @Test
    void whereTheRulesCameFrom() {
        assertEquals("defaults", source("rules", null, Map.of()));
        assertEquals("defaults", source("rules", "mode: audit", Map.of()));
        assertEquals("file", source("rules", "rules: []", Map.of()));
        assertEquals("file", source("rules", "[]", Map.of()));
        assertEquals("environment", source("rules", "rules: []", Map.of("ACW_RULES", "[]")));
    }

    /** The origin the merge records for {@code path}, as {@code GET /rules} names it. */
    private static String source(String path, String fileText, Map<String, String> env) {
        return Sources.merge(fileText, "file", env, new java.util.ArrayList<>())
                .origins()
                .get(path)
                .label();
    }
}
