package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.SettingDef;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who can reach and read the ops port: ops.auth and ops.metricsAuth, the RBAC they need, the NetworkPolicy. */
class OpsSecurityTest {

    private static Map<String, String> env(Map<String, String> values) {
        Deployment deployment = ChartRenderer.single(ChartRenderer.objects(values), Deployment.class);
        List<EnvVar> env = deployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv();
        return env.stream().collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
    }

    @Test
    void opsAuthReachesTheServerAsTheEnvironmentVariablesItsLoaderReads() {
        // the names the loader derives from the keys (SettingDef.env), whether or not the catalogue has them yet
        String auth = SettingDef.choice("ops.auth", "auto", List.of("auto", "kubernetes", "none"), "")
                .env();
        String metricsAuth = SettingDef.bool("ops.metricsAuth", false, "").env();
        assertEquals("ACW_OPS_AUTH", auth);
        assertEquals("ACW_OPS_METRICS_AUTH", metricsAuth);

        Map<String, String> defaults = env(values());
        assertEquals("auto", defaults.get(auth));
        assertEquals("false", defaults.get(metricsAuth));

        Map<String, String> set = env(values("ops.auth", "kubernetes", "ops.metricsAuth", "true"));
        assertEquals("kubernetes", set.get(auth));
        assertEquals("true", set.get(metricsAuth));
        assertEquals("none", env(values("ops.auth", "none")).get(auth));
    }

    @Test
    void metricsAuthWithoutAuthIsRefused() {
        ChartRenderer.ChartRenderException e = assertThrows(
                ChartRenderer.ChartRenderException.class,
                () -> ChartRenderer.render(values("ops.auth", "none", "ops.metricsAuth", "true")));
        assertTrue(e.getMessage().contains("ops.metricsAuth needs ops.auth auto or kubernetes"), e.getMessage());
        assertThrows(
                ChartRenderer.ChartRenderException.class,
                () -> ChartRenderer.render(values("ops.auth", "basic")),
                "the schema's enum");
    }
}
