package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.SettingDef;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.acrcache.webhook.chart.ChartRenderer.FULLNAME;
import static io.acrcache.webhook.chart.ChartRenderer.NAMESPACE;
import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    private static List<String> names(List<HasMetadata> objects, Class<? extends HasMetadata> type) {
        return ChartRenderer.all(objects, type).stream()
                .map(o -> o.getMetadata().getName())
                .sorted()
                .collect(Collectors.toList());
    }

    @Test
    void opsAuthLetsTheWebhookReviewTokensAndAccessAndNothingElse() {
        List<HasMetadata> objects = ChartRenderer.objects(values());
        ClusterRole role = ChartRenderer.named(objects, ClusterRole.class, FULLNAME + "-ops-auth");
        assertEquals(2, role.getRules().size());
        PolicyRule tokens = role.getRules().get(0);
        assertEquals(List.of("authentication.k8s.io"), tokens.getApiGroups());
        assertEquals(List.of("tokenreviews"), tokens.getResources());
        assertEquals(List.of("create"), tokens.getVerbs());
        PolicyRule access = role.getRules().get(1);
        assertEquals(List.of("authorization.k8s.io"), access.getApiGroups());
        assertEquals(List.of("subjectaccessreviews"), access.getResources());
        assertEquals(List.of("create"), access.getVerbs());

        ClusterRoleBinding binding = ChartRenderer.named(objects, ClusterRoleBinding.class, FULLNAME + "-ops-auth");
        assertEquals("ClusterRole", binding.getRoleRef().getKind());
        assertEquals(FULLNAME + "-ops-auth", binding.getRoleRef().getName());
        assertEquals(List.of(new Subject(null, "ServiceAccount", FULLNAME, NAMESPACE)), binding.getSubjects());

        // the reader role exists but binds no one by default
        assertEquals(List.of(FULLNAME + "-ops-auth", FULLNAME + "-ops-reader"), names(objects, ClusterRole.class));
        assertEquals(List.of(FULLNAME + "-ops-auth"), names(objects, ClusterRoleBinding.class));

        assertEquals(
                names(objects, ClusterRole.class),
                names(ChartRenderer.objects(values("ops.auth", "kubernetes")), ClusterRole.class));
        List<HasMetadata> none = ChartRenderer.objects(values("ops.auth", "none"));
        assertEquals(List.of(), names(none, ClusterRole.class));
        assertEquals(List.of(), names(none, ClusterRoleBinding.class));
    }

    @Test
    void theReaderRoleHasTheNameTheServersRefusalGivesAndOnlyGetOnTheOpsPaths() {
        // the server's 403 says "grant the ClusterRole acr-cache-webhook-ops-reader": the default full name
        List<HasMetadata> objects = ChartRenderer.load(ChartRenderer.render(values(), "acr-cache-webhook", NAMESPACE));
        ClusterRole reader = ChartRenderer.named(objects, ClusterRole.class, "acr-cache-webhook-ops-reader");
        assertEquals(1, reader.getRules().size());
        PolicyRule rule = reader.getRules().get(0);
        assertEquals(List.of("/pull-failures", "/rules", "/doctor", "/", "/metrics"), rule.getNonResourceURLs());
        assertEquals(List.of("get"), rule.getVerbs());
        assertTrue(rule.getResources() == null || rule.getResources().isEmpty());
        assertTrue(rule.getApiGroups() == null || rule.getApiGroups().isEmpty());
    }

    @Test
    void readersFromValuesAreBoundToTheReaderRole() {
        List<HasMetadata> objects = ChartRenderer.objects(values(
                "ops.readers[0].kind", "ServiceAccount",
                "ops.readers[0].name", "prometheus",
                "ops.readers[0].namespace", "monitoring",
                "ops.readers[1].kind", "Group",
                "ops.readers[1].name", "sre"));
        ClusterRoleBinding binding = ChartRenderer.named(objects, ClusterRoleBinding.class, FULLNAME + "-ops-reader");
        assertEquals(FULLNAME + "-ops-reader", binding.getRoleRef().getName());
        assertEquals(
                List.of(
                        new Subject(null, "ServiceAccount", "prometheus", "monitoring"),
                        new Subject("rbac.authorization.k8s.io", "Group", "sre", null)),
                binding.getSubjects());

        ChartRenderer.ChartRenderException e = assertThrows(
                ChartRenderer.ChartRenderException.class,
                () -> ChartRenderer.render(
                        values("ops.readers[0].kind", "ServiceAccount", "ops.readers[0].name", "prometheus")));
        assertTrue(e.getMessage().contains("needs a namespace"), e.getMessage());
    }

    @Test
    void theTokenIsMountedWhenTheWebhookTalksToTheApiServer() {
        for (String auth : List.of("auto", "kubernetes")) {
            List<HasMetadata> objects = ChartRenderer.objects(values("ops.auth", auth));
            assertEquals(true, automount(objects), auth);
            assertEquals(
                    true, ChartRenderer.single(objects, ServiceAccount.class).getAutomountServiceAccountToken());
        }
        assertEquals(true, automount(ChartRenderer.objects(values())), "default");
        List<HasMetadata> none = ChartRenderer.objects(values("ops.auth", "none"));
        assertFalse(automount(none));
        assertEquals(false, ChartRenderer.single(none, ServiceAccount.class).getAutomountServiceAccountToken());
        assertEquals(
                true, automount(ChartRenderer.objects(values("ops.auth", "none", "pullFailures.enabled", "true"))));
    }

    private static Boolean automount(List<HasMetadata> objects) {
        return ChartRenderer.single(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAutomountServiceAccountToken();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> scrapeEndpoint(Map<String, String> values) {
        GenericKubernetesResource monitor = ChartRenderer.custom(ChartRenderer.objects(values), "ServiceMonitor")
                .get(0);
        Map<String, Object> spec =
                (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        return (Map<String, Object>) ((List<?>) spec.get("endpoints")).get(0);
    }

    @Test
    void theServiceMonitorPresentsATokenOnlyWithMetricsAuth() {
        Map<String, Object> open = scrapeEndpoint(values("metrics.serviceMonitor.enabled", "true"));
        assertFalse(open.containsKey("bearerTokenFile"));
        assertFalse(open.containsKey("authorization"));

        Map<String, Object> file =
                scrapeEndpoint(values("metrics.serviceMonitor.enabled", "true", "ops.metricsAuth", "true"));
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount/token", file.get("bearerTokenFile"));
        assertFalse(file.containsKey("authorization"));

        Map<String, Object> secret = scrapeEndpoint(values(
                "metrics.serviceMonitor.enabled", "true",
                "ops.metricsAuth", "true",
                "metrics.serviceMonitor.bearerTokenSecret.name", "prometheus-token"));
        assertFalse(secret.containsKey("bearerTokenFile"));
        assertEquals(
                Map.of("type", "Bearer", "credentials", Map.of("name", "prometheus-token", "key", "token")),
                secret.get("authorization"));
    }
}
