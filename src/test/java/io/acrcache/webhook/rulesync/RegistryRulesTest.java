package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.ArmRegistryClient;
import io.acrcache.webhook.azure.FakeArm;
import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.azure.RegistrySnapshot.CacheRuleResource;
import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReferenceParser;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.acrcache.webhook.rulesync.RegistryRules.SkippedRule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ARM snapshot → rules: the same validation as a file, rule by rule. */
class RegistryRulesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DockerHubHosts HUBS = DockerHubHosts.defaults();

    /** The fixture pages parsed by the client's own item parsers. */
    static RegistrySnapshot fixtureSnapshot() {
        return snapshot(FakeArm.fixture("azure/cache-rules.json"), FakeArm.fixture("azure/credential-sets.json"));
    }

    static RegistrySnapshot snapshot(JsonArray rules, JsonArray sets) {
        List<CacheRuleResource> r = new ArrayList<>();
        for (Object o : rules) {
            r.add(ArmRegistryClient.cacheRule(node((JsonObject) o)));
        }
        List<RegistrySnapshot.CredentialSetResource> s = new ArrayList<>();
        for (Object o : sets) {
            s.add(ArmRegistryClient.credentialSet(node((JsonObject) o)));
        }
        return new RegistrySnapshot(r, s, Instant.parse("2026-12-02T04:00:00Z"));
    }

    private static JsonNode node(JsonObject o) {
        return JSON.readTree(o.encode());
    }

    @Test
    void notSucceededAndInvalidRulesAreSkippedAndNamedWhileTheRestApply() throws Exception {
        RegistryRules.Result result = RegistryRules.convert(fixtureSnapshot(), HUBS);
        assertEquals(
                List.of(
                        new CacheRule("dockerhub", "docker.io/*", "docker/*"),
                        new CacheRule("nginx", "docker.io/library/nginx", "nginx"),
                        new CacheRule("quay", "quay.io/*", "quay/*"),
                        new CacheRule("mcr", "mcr.microsoft.com/*", "mcr/*")),
                result.rules());
        assertEquals(
                List.of("ghcr-new", "redis-tagged"),
                result.skipped().stream().map(SkippedRule::name).toList());
        assertEquals(
                "provisioningState is Creating, not Succeeded",
                result.skipped().get(0).reason());
        assertTrue(
                result.skipped().get(1).reason().contains("must be a repository without tag or digest"),
                result.skipped().get(1).reason());
        ImageReferenceParser parser = new ImageReferenceParser(HUBS);
        assertEquals(
                "nginx",
                result.ruleSet().match(parser.parse("nginx:1.27")).orElseThrow().targetRepository());
        assertEquals(
                "docker/bitnami/redis",
                result.ruleSet()
                        .match(parser.parse("bitnami/redis:7"))
                        .orElseThrow()
                        .targetRepository());
    }

    @Test
    void eachRuleCarriesItsCredentialSetsHealthJoinedByCaseInsensitiveId() {
        RegistryRules.Result result = RegistryRules.convert(fixtureSnapshot(), HUBS);
        assertEquals(
                List.of(
                        new RuleCredential("dockerhub", "dockerhub-creds", "Healthy", null, null),
                        new RuleCredential("nginx", "dockerhub-creds", "Healthy", null, null),
                        new RuleCredential(
                                "quay",
                                "quay-creds",
                                "Unhealthy",
                                "KeyVaultSecretNotFound",
                                "The secret https://myvault.vault.azure.net/secrets/quay-password was not found.")),
                result.credentials(),
                "mcr uses no credential set, so it has no entry");
    }

    @Test
    void aCredentialSetMissingFromTheRegistryIsReported() {
        JsonArray rules = FakeArm.fixture("azure/cache-rules.json");
        RegistryRules.Result result = RegistryRules.convert(snapshot(rules, new JsonArray()), HUBS);
        RuleCredential quay = result.credentials().stream()
                .filter(c -> c.rule().equals("quay"))
                .findFirst()
                .orElseThrow();
        assertEquals("Missing", quay.status());
        assertEquals("quay-creds", quay.credentialSet());
    }

    @Test
    void conflictingRulesKeepTheFirstAndNameTheOther() {
        JsonArray rules = new JsonArray()
                .add(rule("hub", "docker.io/*", "docker/*"))
                .add(rule("hub-again", "docker.io/library/*", "library/*"))
                .add(rule("alpine", "docker.io/library/alpine", "alpine"));
        RegistryRules.Result result = RegistryRules.convert(snapshot(rules, new JsonArray()), HUBS);
        assertEquals(
                List.of("hub", "alpine"),
                result.rules().stream().map(CacheRule::name).toList());
        assertEquals("hub-again", result.skipped().get(0).name());
        assertTrue(
                result.skipped().get(0).reason().contains("overlap"),
                result.skipped().get(0).reason());
    }

    static JsonObject rule(String name, String source, String target) {
        return new JsonObject()
                .put("id", FakeArm.REGISTRY_ID + "/cacheRules/" + name)
                .put("name", name)
                .put("type", "Microsoft.ContainerRegistry/registries/cacheRules")
                .put(
                        "properties",
                        new JsonObject()
                                .put("sourceRepository", source)
                                .put("targetRepository", target)
                                .put("provisioningState", "Succeeded"));
    }
}
