package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.acrcache.webhook.rulesync.RegistryRules.SkippedRule;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The documented field names of the registry part of {@code /rules}. */
class SyncStatusJsonTest {
    @Test
    void writesTheDocumentedFields() {
        RegistrySnapshot snapshot = RegistryRulesTest.fixtureSnapshot();
        CacheRule file = new CacheRule("rules[0]", "docker.io/nginx", "nginx");
        CacheRule registry = new CacheRule("nginx", "docker.io/library/nginx", "hub/nginx");
        SyncStatus status = new SyncStatus(
                Instant.parse("2026-12-02T04:05:00Z"),
                Instant.parse("2026-12-02T04:00:00Z"),
                "forbidden",
                "forbidden AuthorizationFailed: ARM cacheRules page 1: HTTP 403: no access",
                snapshot,
                List.of(new SkippedRule("ghcr-new", "provisioningState is Creating, not Succeeded")),
                List.of(new RuleCredential("quay", "quay-creds", "Unhealthy", "KeyVaultSecretNotFound", "gone")),
                new Drift(List.of(), List.of(), List.of(new Drift.TargetMismatch(file, registry))),
                Instant.parse("2026-12-02T04:05:20Z"),
                1);
        JsonNode json = JsonMapper.builder()
                .build()
                .readTree(SyncStatusJson.write(status).toString());
        assertEquals("forbidden", json.at("/sync/result").stringValue());
        assertEquals("2026-12-02T04:00:00Z", json.at("/sync/lastSuccess").stringValue());
        assertEquals("2026-12-02T04:00:00Z", json.at("/sync/registryRulesAsOf").stringValue());
        assertTrue(json.at("/sync/error").stringValue().contains("AuthorizationFailed"));
        assertEquals(1, json.at("/sync/consecutiveFailures").asInt());
        assertEquals("ghcr-new", json.at("/sync/skipped/0/name").stringValue());
        assertEquals(
                "KeyVaultSecretNotFound", json.at("/credentials/0/errorCode").stringValue());
        assertEquals("quay-creds", json.at("/credentials/0/credentialSet").stringValue());
        assertEquals(
                "hub/nginx", json.at("/drift/differentTargets/0/registryTarget").stringValue());
        assertEquals("rules[0]", json.at("/drift/differentTargets/0/fileRule").stringValue());
        assertTrue(json.at("/drift/onlyInFile").isArray());

        JsonNode pending = JsonMapper.builder()
                .build()
                .readTree(SyncStatusJson.write(SyncStatus.PENDING).toString());
        assertEquals("pending", pending.at("/sync/result").stringValue());
        assertTrue(pending.at("/sync/lastSuccess").isNull());
        assertTrue(pending.at("/drift").isNull());
    }
}
