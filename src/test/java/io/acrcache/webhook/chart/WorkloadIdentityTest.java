package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.config.SettingsLoader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Azure workload identity in the chart (ServiceAccount annotations, the Pod label the AKS webhook selects on, no
 * automounted token for it) and the {@code registry.*} values reaching config.yaml, with real Helm.
 */
class WorkloadIdentityTest {
    private static final String CLIENT = "5a1d0e8c-7b3f-4c55-9c1d-3b2e9f0a7d64";
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
            + "/providers/Microsoft.ContainerRegistry/registries/myacr";
    private static final String USE = "azure.workload.identity/use";

    @Test
    void offByDefault() {
        List<HasMetadata> objects = ChartRenderer.objects(values());
        ServiceAccount sa = ChartRenderer.single(objects, ServiceAccount.class);
        assertTrue(sa.getMetadata().getAnnotations().isEmpty(), "no annotations rendered");
        Deployment d = ChartRenderer.single(objects, Deployment.class);
        assertFalse(d.getSpec().getTemplate().getMetadata().getLabels().containsKey(USE));
    }

    @Test
    void clientAndTenantIdAnnotateTheServiceAccountAndLabelThePod() {
        List<HasMetadata> objects = ChartRenderer.objects(values(
                "azure.workloadIdentity.clientId",
                CLIENT,
                "azure.workloadIdentity.tenantId",
                TENANT,
                "serviceAccount.annotations.team",
                "platform",
                // ops.auth (default auto) mounts the token for its own reviews: OpsSecurityTest
                "ops.auth",
                "none"));
        ServiceAccount sa = ChartRenderer.single(objects, ServiceAccount.class);
        assertEquals(
                Map.of(
                        "azure.workload.identity/client-id", CLIENT,
                        "azure.workload.identity/tenant-id", TENANT,
                        "team", "platform"),
                sa.getMetadata().getAnnotations());
        Deployment d = ChartRenderer.single(objects, Deployment.class);
        assertEquals("true", d.getSpec().getTemplate().getMetadata().getLabels().get(USE));
        // the AKS webhook projects its own token volume: no API-server token is mounted for it
        assertEquals(false, sa.getAutomountServiceAccountToken());
        assertEquals(false, d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken());
    }

    @Test
    void registryValuesReachTheConfigAndLoad() throws Exception {
        String yaml = ChartRenderer.renderConfigYaml(values(
                "registry.resourceId",
                ID,
                "registry.ruleSync",
                "true",
                "registry.ruleSyncIntervalSeconds",
                "120",
                "registry.armEndpoint",
                "https://management.usgovcloudapi.net"));
        LoadedConfig c = SettingsLoader.parse(yaml, "chart config.yaml", Map.of());
        assertEquals(
                new Settings.Registry(ID, true, 120, "https://management.usgovcloudapi.net"),
                c.settings().registry());
        assertEquals(ChartRenderer.LOGIN_SERVER, c.settings().acrLoginServer(), "acr.loginServer is kept");
    }

    @Test
    void badRegistryAndIdentityValuesAreRefusedByTheSchema() {
        assertRefused(values("registry.resourceId", "myacr"), "at '/registry/resourceId'");
        assertRefused(values("registry.ruleSync", "true"), "at '/registry/resourceId': minLength: got 0, want 1");
        assertRefused(values("registry.armEndpoint", "http://management.azure.com"), "at '/registry/armEndpoint'");
        assertRefused(values("registry.ruleSyncIntervalSeconds", "1"), "at '/registry/ruleSyncIntervalSeconds'");
        assertRefused(
                values("azure.workloadIdentity.clientId", "my-identity"), "at '/azure/workloadIdentity/clientId'");
    }

    private static void assertRefused(Map<String, String> values, String message) {
        ChartRenderer.ChartRenderException e =
                assertThrows(ChartRenderer.ChartRenderException.class, () -> ChartRenderer.objects(values));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
