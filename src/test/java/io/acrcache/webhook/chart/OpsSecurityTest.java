package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.SettingDef;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
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

    private static NetworkPolicy networkPolicy(Map<String, String> values) {
        return ChartRenderer.single(ChartRenderer.objects(values), NetworkPolicy.class);
    }

    /** "TCP/8443"-style names of a rule's ports. */
    private static List<String> ports(List<NetworkPolicyPort> ports) {
        return ports.stream()
                .map(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
                .collect(Collectors.toList());
    }

    private static List<String> namespacesSelected(List<NetworkPolicyPeer> peers) {
        return peers.stream()
                .map(p -> p.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                .collect(Collectors.toList());
    }

    @Test
    void theDefaultNetworkPolicyOpensAdmissionToAllOpsToMonitoringAndEgressToDnsAndHttps() {
        List<HasMetadata> objects = ChartRenderer.objects(values());
        NetworkPolicy policy = ChartRenderer.single(objects, NetworkPolicy.class);
        assertEquals(FULLNAME, policy.getMetadata().getName());
        assertEquals(NAMESPACE, policy.getMetadata().getNamespace());
        assertEquals(
                ChartRenderer.single(objects, Deployment.class)
                        .getSpec()
                        .getSelector()
                        .getMatchLabels(),
                policy.getSpec().getPodSelector().getMatchLabels());
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());

        List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
        assertEquals(2, ingress.size());
        assertEquals(List.of("TCP/8443"), ports(ingress.get(0).getPorts()));
        assertTrue(ingress.get(0).getFrom() == null || ingress.get(0).getFrom().isEmpty(), "from anywhere");
        assertEquals(List.of("TCP/9090"), ports(ingress.get(1).getPorts()));
        assertEquals(
                List.of("monitoring", "kube-system"),
                namespacesSelected(ingress.get(1).getFrom()));

        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        assertEquals(2, egress.size());
        assertEquals(List.of("UDP/53", "TCP/53"), ports(egress.get(0).getPorts()));
        assertEquals(List.of("TCP/443", "TCP/6443"), ports(egress.get(1).getPorts()));
        for (NetworkPolicyEgressRule rule : egress) {
            assertTrue(rule.getTo() == null || rule.getTo().isEmpty(), "to any address");
        }
    }

    @Test
    void theNetworkPolicyCanBeWidenedNarrowedOrLeftOut() {
        NetworkPolicy widened = networkPolicy(values(
                "networkPolicy.ops.from[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
                "observability",
                "networkPolicy.egress.httpsTo[0].ipBlock.cidr",
                "10.0.0.0/8",
                "networkPolicy.egress.extra[0].ports[0].protocol",
                "TCP",
                "networkPolicy.egress.extra[0].ports[0].port",
                "5000"));
        List<NetworkPolicyIngressRule> ingress = widened.getSpec().getIngress();
        assertEquals(List.of("observability"), namespacesSelected(ingress.get(1).getFrom()));
        List<NetworkPolicyEgressRule> egress = widened.getSpec().getEgress();
        assertEquals(3, egress.size());
        assertEquals("10.0.0.0/8", egress.get(1).getTo().get(0).getIpBlock().getCidr());
        assertEquals(List.of("TCP/5000"), ports(egress.get(2).getPorts()));

        // no peers: no ops rule at all (a rule without "from" would admit everyone)
        NetworkPolicy closed = networkPolicy(values("networkPolicy.ops.from", "null"));
        assertEquals(1, closed.getSpec().getIngress().size());
        assertEquals(
                List.of("TCP/8443"), ports(closed.getSpec().getIngress().get(0).getPorts()));

        assertEquals(
                List.of(),
                ChartRenderer.all(
                        ChartRenderer.objects(values("networkPolicy.enabled", "false")), NetworkPolicy.class));
    }
}
