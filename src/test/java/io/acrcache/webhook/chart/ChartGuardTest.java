package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chart's {@code guard.*} values, rendered by real Helm and read by the webhook's own loader. */
class ChartGuardTest {
    private static LoadedConfig load(Map<String, String> values) throws Exception {
        return SettingsLoader.parse(ChartRenderer.renderConfigYaml(values), "chart config.yaml", Map.of());
    }

    @Test
    void autoStaysOffWithoutAWayToAuthenticate() throws Exception {
        LoadedConfig c = load(ChartRenderer.defaults());
        assertFalse(c.settings().guard().enabled(), "workload-identity without a client ID: off");
        assertEquals("workload-identity", c.settings().guard().auth().label());
        assertEquals(750, c.settings().guard().inlineBudgetMillis());
        assertEquals(Map.of(), c.settings().guard().canaries());
    }

    @Test
    void autoTurnsOnWithAnonymousPulls() throws Exception {
        LoadedConfig c = load(ChartRenderer.values("guard.auth", "anonymous"));
        assertTrue(c.settings().guard().enabled());
        assertEquals("anonymous", c.settings().guard().auth().label());
    }

    @Test
    void explicitTrueOrFalseWins() throws Exception {
        assertTrue(load(ChartRenderer.values("guard.enabled", "true"))
                .settings()
                .guard()
                .enabled());
        assertFalse(load(ChartRenderer.values("guard.enabled", "false", "guard.auth", "anonymous"))
                .settings()
                .guard()
                .enabled());
    }

    @Test
    void everyGuardValueReachesTheConfig() throws Exception {
        LoadedConfig c = load(ChartRenderer.values(
                "guard.enabled",
                "true",
                "guard.inlineBudgetMillis",
                "400",
                "guard.unknownPolicy",
                "rewrite-if-rule-healthy",
                "guard.tagTtlSeconds",
                "120",
                "guard.digestTtlSeconds",
                "3600",
                "guard.notFoundTtlSeconds",
                "30",
                "guard.maxInflightProbes",
                "8",
                "guard.canaries.docker-hub",
                "docker.io/library/busybox:1.36"));
        assertEquals(400, c.settings().guard().inlineBudgetMillis());
        assertEquals(
                "rewrite-if-rule-healthy", c.settings().guard().unknownPolicy().label());
        assertEquals(120, c.settings().guard().tagTtlSeconds());
        assertEquals(3600, c.settings().guard().digestTtlSeconds());
        assertEquals(30, c.settings().guard().notFoundTtlSeconds());
        assertEquals(8, c.settings().guard().maxInflightProbes());
        assertEquals(
                Map.of("docker-hub", "docker.io/library/busybox:1.36"),
                c.settings().guard().canaries());
    }

    @Test
    void theSchemaRefusesWhatTheWebhookWouldRefuse() {
        assertThrows(
                RuntimeException.class, () -> ChartRenderer.render(ChartRenderer.values("guard.enabled", "maybe")));
        assertThrows(RuntimeException.class, () -> ChartRenderer.render(ChartRenderer.values("guard.auth", "basic")));
        assertThrows(
                RuntimeException.class,
                () -> ChartRenderer.render(ChartRenderer.values("guard.inlineBudgetMillis", "-1")));
    }
}
