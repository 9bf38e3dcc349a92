package io.acrcache.webhook.chart;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.acrcache.webhook.chart.ChartRenderer.LOGIN_SERVER;
import static io.acrcache.webhook.chart.ChartRenderer.NAMESPACE;
import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** config.yaml, the file the server reads, as rendered from values. */
class ConfigMapTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    private static JsonNode config(List<HasMetadata> objects) {
        JsonNode config = YAML.readTree(ChartRenderer.configYaml(objects));
        assertEquals(true, config.isObject(), "config.yaml is a YAML mapping");
        return config;
    }

    private static List<String> strings(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.values().forEach(n -> result.add(n.stringValue()));
        return result;
    }

    @Test
    void hasExactlyTheServersTopLevelKeys() {
        JsonNode config = config(ChartRenderer.objects(values()));
        assertEquals(
                new TreeSet<>(Set.of(
                        "acrLoginServer",
                        "mode",
                        "dockerHubHosts",
                        "excludedNamespaces",
                        "registry",
                        "excludeImages",
                        "optOutAnnotation",
                        "rules",
                        "server",
                        "ops",
                        "pullFailures",
                        "guard",
                        "logging",
                        "shutdown")),
                new TreeSet<>(config.propertyNames()));
    }

    @Test
    void defaultsMatchTheServersDefaults() {
        JsonNode config = config(ChartRenderer.objects(values()));
        assertEquals(LOGIN_SERVER, config.get("acrLoginServer").stringValue());
        assertEquals("enforce", config.get("mode").stringValue());
        assertEquals(
                List.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"),
                strings(config.get("dockerHubHosts")));
        assertEquals("acr-cache-webhook.io/skip", config.get("optOutAnnotation").stringValue());
        assertEquals(1, config.get("rules").size());
        assertEquals("docker.io/*", config.get("rules").get(0).get("source").stringValue());
        assertEquals("docker/*", config.get("rules").get(0).get("target").stringValue());
        assertEquals(4194304, config.get("server").get("maxBodyBytes").asInt());
        JsonNode pullFailures = config.get("pullFailures");
        assertEquals(false, pullFailures.get("enabled").asBoolean());
        assertEquals(0, pullFailures.get("namespaces").size());
        assertEquals(1000, pullFailures.get("maxEntries").asInt());
        assertEquals(1440, pullFailures.get("retentionMinutes").asInt());
        assertEquals("text", config.get("logging").get("format").stringValue());
        assertEquals("info", config.get("logging").get("level").stringValue());
        assertEquals(10, config.get("shutdown").get("drainSeconds").asInt());
    }

    @Test
    void valuesFlowIntoTheFile() {
        JsonNode config = config(ChartRenderer.objects(values(
                "acr.loginServer", "other.azurecr.io",
                "mode", "audit",
                "rules[0].source", "docker.io/*",
                "rules[0].target", "hub/*",
                "rules[1].source", "docker.io/library/ubuntu",
                "rules[1].target", "ubuntu",
                "dockerHubHosts[0]", "docker.io",
                "optOutAnnotation", "example.com/no-cache",
                "server.maxBodyBytes", "1048576",
                "pullFailures.enabled", "true",
                "pullFailures.namespaces[0]", "team-a",
                "pullFailures.maxEntries", "50",
                "pullFailures.retentionMinutes", "60",
                "logging.format", "json",
                "logging.level", "debug",
                "shutdown.drainSeconds", "3")));
        assertEquals("other.azurecr.io", config.get("acrLoginServer").stringValue());
        assertEquals("audit", config.get("mode").stringValue());
        assertEquals(2, config.get("rules").size());
        assertEquals("hub/*", config.get("rules").get(0).get("target").stringValue());
        assertEquals(
                "docker.io/library/ubuntu",
                config.get("rules").get(1).get("source").stringValue());
        assertEquals("ubuntu", config.get("rules").get(1).get("target").stringValue());
        assertEquals(List.of("docker.io"), strings(config.get("dockerHubHosts")));
        assertEquals("example.com/no-cache", config.get("optOutAnnotation").stringValue());
        assertEquals(1048576, config.get("server").get("maxBodyBytes").asInt());
        assertEquals(true, config.get("pullFailures").get("enabled").asBoolean());
        assertEquals(List.of("team-a"), strings(config.get("pullFailures").get("namespaces")));
        assertEquals(50, config.get("pullFailures").get("maxEntries").asInt());
        assertEquals(60, config.get("pullFailures").get("retentionMinutes").asInt());
        assertEquals("json", config.get("logging").get("format").stringValue());
        assertEquals("debug", config.get("logging").get("level").stringValue());
        assertEquals(3, config.get("shutdown").get("drainSeconds").asInt());
    }

    @Test
    void chartOwnedKeysAgreeWithTheDeployment() {
        List<HasMetadata> objects = ChartRenderer.objects(values());
        JsonNode config = config(objects);
        Container container = ChartRenderer.single(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        Map<String, Integer> ports = new java.util.HashMap<>();
        for (ContainerPort port : container.getPorts()) {
            ports.put(port.getName(), port.getContainerPort());
        }
        assertEquals(ports.get("admission"), config.get("server").get("port").asInt());
        assertEquals(ports.get("ops"), config.get("ops").get("port").asInt());

        String tlsDir = container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals("tls"))
                .map(VolumeMount::getMountPath)
                .findFirst()
                .orElseThrow();
        assertEquals(
                tlsDir + "/tls.crt", config.get("server").get("tlsCertFile").stringValue());
        assertEquals(tlsDir + "/tls.key", config.get("server").get("tlsKeyFile").stringValue());
    }

    @Test
    void excludedNamespacesAreTheSameListTheApiServerUses() {
        List<HasMetadata> objects = ChartRenderer.objects(values("excludedNamespaces[0]", "gatekeeper-system"));
        List<String> inConfig = strings(config(objects).get("excludedNamespaces"));
        assertEquals(List.of("kube-system", NAMESPACE, "gatekeeper-system"), inConfig);

        for (MutatingWebhook webhook : ChartRenderer.single(objects, MutatingWebhookConfiguration.class)
                .getWebhooks()) {
            List<String> inSelector = webhook.getNamespaceSelector().getMatchExpressions().stream()
                    .filter(r -> r.getKey().equals("kubernetes.io/metadata.name"))
                    .findFirst()
                    .orElseThrow()
                    .getValues();
            assertEquals(inConfig, inSelector, webhook.getName());
        }
    }
}
