package io.acrcache.webhook.chart;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.acrcache.webhook.chart.ChartRenderer.FULLNAME;
import static io.acrcache.webhook.chart.ChartRenderer.NAMESPACE;
import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionalResourcesTest {

    @Test
    void noRbacAtAllWithoutPullFailuresAndOpsAuth() {
        List<HasMetadata> objects = ChartRenderer.objects(values("ops.auth", "none"));
        assertTrue(ChartRenderer.all(objects, ClusterRole.class).isEmpty());
        assertTrue(ChartRenderer.all(objects, ClusterRoleBinding.class).isEmpty());
        assertTrue(ChartRenderer.all(objects, Role.class).isEmpty());
        assertTrue(ChartRenderer.all(objects, RoleBinding.class).isEmpty());
    }

    @Test
    void pullFailuresGrantReadOnlyEventsAndGetOnPodsAndNothingElse() {
        List<HasMetadata> objects = ChartRenderer.objects(values("pullFailures.enabled", "true", "ops.auth", "none"));

        ClusterRole role = ChartRenderer.single(objects, ClusterRole.class);
        assertEquals(2, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of("", "events.k8s.io"), rule.getApiGroups());
        assertEquals(List.of("events"), rule.getResources());
        assertEquals(List.of("get", "list", "watch"), rule.getVerbs());
        assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());

        PolicyRule pods = role.getRules().get(1);
        assertEquals(List.of(""), pods.getApiGroups());
        assertEquals(List.of("pods"), pods.getResources());
        assertEquals(List.of("get"), pods.getVerbs(), "the Pod an Event names, never a list or watch");

        ClusterRoleBinding binding = ChartRenderer.single(objects, ClusterRoleBinding.class);
        assertEquals("ClusterRole", binding.getRoleRef().getKind());
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals(1, binding.getSubjects().size());
        Subject subject = binding.getSubjects().get(0);
        assertEquals("ServiceAccount", subject.getKind());
        assertEquals(FULLNAME, subject.getName());
        assertEquals(NAMESPACE, subject.getNamespace());
        assertEquals(
                subject.getName(),
                ChartRenderer.single(objects, Deployment.class)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getServiceAccountName());
    }

    @Test
    void noMonitoringObjectsByDefault() {
        List<HasMetadata> objects = ChartRenderer.objects(values());
        assertTrue(ChartRenderer.custom(objects, "ServiceMonitor").isEmpty());
        assertTrue(ChartRenderer.custom(objects, "PrometheusRule").isEmpty());
        assertTrue(ChartRenderer.all(objects, HorizontalPodAutoscaler.class).isEmpty());
    }

    @Test
    void serviceMonitorScrapesTheOpsService() {
        List<HasMetadata> objects = ChartRenderer.objects(
                values("metrics.serviceMonitor.enabled", "true", "metrics.serviceMonitor.labels.release", "prom"));
        GenericKubernetesResource monitor =
                ChartRenderer.custom(objects, "ServiceMonitor").get(0);
        assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
        assertEquals("prom", monitor.getMetadata().getLabels().get("release"));

        Map<String, Object> spec = map(monitor.getAdditionalProperties().get("spec"));
        Map<String, Object> selector = map(map(spec.get("selector")).get("matchLabels"));
        List<Service> selected = ChartRenderer.all(objects, Service.class).stream()
                .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .collect(Collectors.toList());
        assertEquals(1, selected.size(), "selects exactly one Service");
        assertEquals(FULLNAME + "-ops", selected.get(0).getMetadata().getName());

        Map<String, Object> endpoint = map(((List<?>) spec.get("endpoints")).get(0));
        assertEquals("ops", endpoint.get("port"));
        assertEquals("ops", selected.get(0).getSpec().getPorts().get(0).getName());
        assertEquals("/metrics", endpoint.get("path"));
        assertEquals(true, endpoint.get("honorLabels"));
        assertEquals("30s", endpoint.get("interval"));
        assertEquals(List.of(NAMESPACE), map(spec.get("namespaceSelector")).get("matchNames"));
    }

    @Test
    void prometheusRuleAlertsOnRateLimitedPullsOnceAcrossReplicasAndOnAdmissionErrors() {
        List<HasMetadata> objects = ChartRenderer.objects(values(
                "metrics.prometheusRule.enabled", "true",
                "metrics.prometheusRule.rateLimitedPulls.severity", "critical"));
        GenericKubernetesResource rule =
                ChartRenderer.custom(objects, "PrometheusRule").get(0);
        assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());

        Map<String, Object> group =
                map(((List<?>) map(rule.getAdditionalProperties().get("spec")).get("groups")).get(0));
        Map<String, Map<String, Object>> alerts = ((List<?>) group.get("rules"))
                .stream()
                        .map(OptionalResourcesTest::map)
                        .collect(Collectors.toMap(r -> (String) r.get("alert"), r -> r));
        assertEquals(
                java.util.Set.of(
                        "AcrCacheWebhookRateLimitedPulls",
                        "AcrCacheWebhookAdmissionErrors",
                        "AcrCacheWebhookBreakerOpen",
                        "AcrCacheWebhookCredentialSetUnhealthy",
                        "AcrCacheWebhookRuleSyncStale",
                        "AcrCacheWebhookThrottledDespiteCache",
                        "AcrCacheWebhookFailingOpen"),
                alerts.keySet());
        for (Map.Entry<String, Map<String, Object>> a : alerts.entrySet()) {
            Object runbook = map(a.getValue().get("annotations")).get("runbook");
            assertTrue(runbook instanceof String s && !s.isBlank(), a.getKey() + " has a runbook line");
        }
        assertEquals("10m", alerts.get("AcrCacheWebhookBreakerOpen").get("for"));

        Map<String, Object> rateLimited = alerts.get("AcrCacheWebhookRateLimitedPulls");
        String expr = squash((String) rateLimited.get("expr"));
        assertEquals(
                "max by (namespace, registry, category) ( increase(acw_pull_failures_rate_limited_total[15m]) ) > 0",
                expr);
        assertEquals("critical", map(rateLimited.get("labels")).get("severity"));
        String description = (String) map(rateLimited.get("annotations")).get("description");
        assertTrue(description.contains("{{ $labels.namespace }}"), description);

        Map<String, Object> errors = alerts.get("AcrCacheWebhookAdmissionErrors");
        assertTrue(
                squash((String) errors.get("expr")).contains("acw_admission_requests_total{outcome=\"error\"}"),
                (String) errors.get("expr"));
        assertEquals("10m", errors.get("for"));
        assertEquals("warning", map(errors.get("labels")).get("severity"));
    }

    @Test
    void horizontalPodAutoscalerTakesOverTheReplicaCount() {
        List<HasMetadata> objects = ChartRenderer.objects(
                values("autoscaling.enabled", "true", "autoscaling.minReplicas", "3", "autoscaling.maxReplicas", "6"));
        HorizontalPodAutoscaler hpa = ChartRenderer.single(objects, HorizontalPodAutoscaler.class);
        assertEquals("autoscaling/v2", hpa.getApiVersion());
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(FULLNAME, hpa.getSpec().getScaleTargetRef().getName());
        assertEquals(3, hpa.getSpec().getMinReplicas());
        assertEquals(6, hpa.getSpec().getMaxReplicas());
        MetricSpec cpu = hpa.getSpec().getMetrics().get(0);
        assertEquals("cpu", cpu.getResource().getName());
        assertEquals("Utilization", cpu.getResource().getTarget().getType());
        assertEquals(75, cpu.getResource().getTarget().getAverageUtilization());

        assertNull(ChartRenderer.single(objects, Deployment.class).getSpec().getReplicas());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static String squash(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }
}
