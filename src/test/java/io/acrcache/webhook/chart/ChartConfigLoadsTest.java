package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.config.SettingsLoader;
import io.acrcache.webhook.rules.CacheRule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config.yaml the chart renders is accepted by the webhook's own loader, with the values given. */
class ChartConfigLoadsTest {
    private static LoadedConfig load(Map<String, String> values) throws Exception {
        return SettingsLoader.parse(ChartRenderer.renderConfigYaml(values), "chart config.yaml", Map.of());
    }

    @Test
    void defaultValues() throws Exception {
        LoadedConfig c = load(ChartRenderer.defaults());
        assertEquals(ChartRenderer.LOGIN_SERVER, c.settings().acrLoginServer());
        assertEquals(Mode.ENFORCE, c.settings().mode());
        assertEquals(
                List.of(new CacheRule("docker.io/*", "docker.io/*", "docker/*")),
                c.settings().rules());
        assertEquals(8443, c.settings().server().port());
        assertEquals(9090, c.settings().ops().port());
        assertTrue(c.settings().server().hasCertificate());
        assertTrue(c.settings().excludedNamespaces().containsAll(Set.of("kube-system", ChartRenderer.NAMESPACE)));
        assertTrue(c.warnings().isEmpty());
    }

    @Test
    void everyValueThatReachesTheConfig() throws Exception {
        LoadedConfig c = load(ChartRenderer.values(
                "mode",
                "audit",
                "rules[0].source",
                "docker.io/*",
                "rules[0].target",
                "hub/*",
                "rules[1].source",
                "ghcr.io/*",
                "rules[1].target",
                "ghcr/*",
                "excludedNamespaces[0]",
                "monitoring",
                "pullFailures.enabled",
                "true",
                "pullFailures.maxEntries",
                "50",
                "logging.format",
                "json",
                "shutdown.drainSeconds",
                "3"));
        assertEquals(Mode.AUDIT, c.settings().mode());
        assertEquals(2, c.ruleSet().size());
        assertEquals("hub/*", c.settings().rules().get(0).target());
        assertTrue(c.settings().excludedNamespaces().contains("monitoring"));
        assertTrue(c.settings().pullFailures().enabled());
        assertEquals(50, c.settings().pullFailures().maxEntries());
        assertEquals("json", c.settings().logging().format());
        assertEquals(3, c.settings().shutdown().drainSeconds());
    }
}
