package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static io.acrcache.webhook.pullfailures.TestFixtures.DOCKER_429;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureExplainerTest {
    private final LoadedConfig config = TestConfigs.yaml(TestFixtures.CONFIG);

    /** image, namespace → category, registry label, rule (empty: none). */
    @ParameterizedTest(name = "{0} in {1} → {2}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            nginx:1.25                                 | shop        | not-rewritten | docker.io | dockerhub
            bitnami/redis:7                            | shop        | not-rewritten | docker.io | dockerhub
            docker.io/library/ubuntu:24.04             | shop        | not-rewritten | docker.io | ubuntu
            registry-1.docker.io/library/nginx:1.25    | shop        | not-rewritten | docker.io | dockerhub
            quay.io/prometheus/node-exporter:v1.8.0    | monitoring  | not-rewritten | quay.io   | quay
            nginx:1.25                                 | legacy      | not-rewritten | docker.io | dockerhub
            ghcr.io/acme/tool:v9                       | shop        | not-covered   | other     | -
            Not:A:Valid/Image                          | shop        | not-covered   | other     | -
            myacr.azurecr.io/docker/library/nginx:1.25 | shop        | registry-throttled | docker.io | dockerhub
            myacr.azurecr.io/ubuntu:24.04              | shop        | registry-throttled | docker.io | ubuntu
            myacr.azurecr.io/private/app:1             | shop        | registry-throttled | unknown   | -
            """)
    void categories(String image, String namespace, String category, String registry, String rule) {
        Explanation e = FailureExplainer.explain(image, namespace, "Failed to pull image: " + DOCKER_429, config);

        assertEquals(category, e.category().label(), "category");
        assertEquals(registry, e.registry(), "registry");
        assertEquals(rule, e.rule(), "rule");
        assertTrue(
                e.suggestion() != null
                        && !e.suggestion().isBlank()
                        && !e.suggestion().contains("\n"),
                "one-line suggestion: " + e.suggestion());
    }

    @Test
    void noRuleCoversIt_suggestsAddingOne() {
        Explanation e =
                FailureExplainer.explain("nginx:1.25", "shop", DOCKER_429, TestConfigs.yaml(TestFixtures.NO_RULES));

        assertEquals(FailureCategory.NOT_COVERED, e.category());
        assertEquals("docker.io", e.registry(), "Docker Hub stays a label even without rules");
        assertNull(e.rule());
        assertTrue(e.suggestion().contains("docker.io/library/nginx"), e.suggestion());
        assertTrue(e.suggestion().contains("cache rule"), e.suggestion());
    }

    @Test
    void notRewritten_namesTheRewriteAndTheLikelyCause() {
        Explanation e = FailureExplainer.explain("nginx:1.25", "shop", DOCKER_429, config);

        assertTrue(e.suggestion().contains("myacr.azurecr.io/docker/library/nginx:1.25"), e.suggestion());
        assertTrue(e.suggestion().contains("acr-cache-webhook.io/skip"), "mentions the opt-out: " + e.suggestion());
        assertTrue(e.suggestion().contains("rollout restart"), e.suggestion());
    }

    @Test
    void notRewritten_inAnExcludedNamespace_saysSo() {
        Explanation e = FailureExplainer.explain("nginx:1.25", "legacy", DOCKER_429, config);

        assertEquals(FailureCategory.NOT_REWRITTEN, e.category());
        assertTrue(e.suggestion().contains("'legacy' is in excludedNamespaces"), e.suggestion());
        assertTrue(e.suggestion().contains("myacr.azurecr.io/docker/library/nginx:1.25"), e.suggestion());
    }

    @Test
    void notRewritten_inAuditMode_saysSo() {
        LoadedConfig audit = TestConfigs.yaml(TestFixtures.CONFIG, Map.of("ACW_MODE", "audit"));

        Explanation e = FailureExplainer.explain("nginx:1.25", "shop", DOCKER_429, audit);

        assertEquals(FailureCategory.NOT_REWRITTEN, e.category());
        assertTrue(e.suggestion().contains("audit mode"), e.suggestion());
    }

    @Test
    void cacheRuleThrottledAtItsSource_findsTheRuleByItsAcrName() {
        Explanation e = FailureExplainer.explain(
                "myacr.azurecr.io/docker/library/nginx:1.25", "shop", TestFixtures.ACR_SOURCE_THROTTLED, config);

        assertEquals(FailureCategory.CACHE_UPSTREAM_THROTTLED, e.category());
        assertEquals("docker.io", e.registry());
        assertEquals("dockerhub", e.rule());
        assertTrue(e.suggestion().contains("cache rule 'dockerhub'"), e.suggestion());
        assertTrue(e.suggestion().contains("credential set"), e.suggestion());
    }

    @Test
    void cacheRuleThrottled_ruleUnknownToTheWebhook_keepsTheAcrName() {
        Explanation e = FailureExplainer.explain(
                "myacr.azurecr.io/docker/library/nginx:1.25",
                "shop",
                "toomanyrequests: Too Many Requests To Source Registry for cache rule 'hub-legacy'",
                config);

        assertEquals(FailureCategory.CACHE_UPSTREAM_THROTTLED, e.category(), "wording matched case-insensitively");
        assertEquals("hub-legacy", e.rule());
        assertEquals("unknown", e.registry());
    }

    @Test
    void cacheRuleThrottled_withoutARuleName_findsTheRuleByTarget() {
        Explanation e = FailureExplainer.explain(
                "myacr.azurecr.io/quay/prometheus/node-exporter:v1.8.0",
                "shop",
                "toomanyrequests: too many requests to source registry",
                config);

        assertEquals(FailureCategory.CACHE_UPSTREAM_THROTTLED, e.category());
        assertEquals("quay", e.rule());
        assertEquals("quay.io", e.registry());
    }

    @Test
    void registryThrottled_loginServerComparedWithoutCase() {
        Explanation e = FailureExplainer.explain(
                "MyAcr.AzureCR.io/docker/library/nginx:1.25", "shop", "429 Too Many Requests", config);

        assertEquals(FailureCategory.REGISTRY_THROTTLED, e.category());
        assertTrue(e.suggestion().contains("myacr.azurecr.io itself answered 429"), e.suggestion());
    }

    @Test
    void readsTheConfigurationItIsGiven() {
        // the same image is not covered under one configuration and covered after a reload
        assertEquals(
                FailureCategory.NOT_COVERED,
                FailureExplainer.explain("nginx:1.25", "shop", DOCKER_429, TestConfigs.yaml(TestFixtures.NO_RULES))
                        .category());
        assertEquals(
                FailureCategory.NOT_REWRITTEN,
                FailureExplainer.explain("nginx:1.25", "shop", DOCKER_429, config)
                        .category());
    }
}
