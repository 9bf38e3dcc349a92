package io.acrcache.webhook.chart;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.acrcache.webhook.chart.ChartRenderer.FULLNAME;
import static io.acrcache.webhook.chart.ChartRenderer.NAMESPACE;
import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadTest {

    private static Deployment deployment(Map<String, String> values) {
        return ChartRenderer.single(ChartRenderer.objects(values), Deployment.class);
    }

    private static PodSpec pod(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec();
    }

    private static Container container(Deployment deployment) {
        List<Container> containers = pod(deployment).getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private static Map<String, Integer> ports(Container container) {
        return container.getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    }

    @Test
    void twoReplicasSpreadAcrossNodes() {
        Deployment deployment = deployment(values());
        assertEquals(2, deployment.getSpec().getReplicas());

        List<TopologySpreadConstraint> spread = pod(deployment).getTopologySpreadConstraints();
        assertEquals(1, spread.size());
        TopologySpreadConstraint constraint = spread.get(0);
        assertEquals("kubernetes.io/hostname", constraint.getTopologyKey());
        assertEquals(1, constraint.getMaxSkew());
        assertEquals("ScheduleAnyway", constraint.getWhenUnsatisfiable());
        assertEquals(
                deployment.getSpec().getSelector().getMatchLabels(),
                constraint.getLabelSelector().getMatchLabels());
    }

    @Test
    void spreadCanBeMadeStrictOrTurnedOff() {
        assertEquals(
                "DoNotSchedule",
                pod(deployment(values("topologySpread.whenUnsatisfiable", "DoNotSchedule")))
                        .getTopologySpreadConstraints()
                        .get(0)
                        .getWhenUnsatisfiable());
        List<TopologySpreadConstraint> off =
                pod(deployment(values("topologySpread.enabled", "false"))).getTopologySpreadConstraints();
        assertTrue(off == null || off.isEmpty());
    }

    @Test
    void podDisruptionBudgetKeepsOnePodAvailable() {
        List<HasMetadata> objects = ChartRenderer.objects(values());
        PodDisruptionBudget pdb = ChartRenderer.single(objects, PodDisruptionBudget.class);
        assertEquals(new IntOrString(1), pdb.getSpec().getMinAvailable());
        assertEquals(
                ChartRenderer.single(objects, Deployment.class)
                        .getSpec()
                        .getSelector()
                        .getMatchLabels(),
                pdb.getSpec().getSelector().getMatchLabels());

        assertTrue(ChartRenderer.all(
                        ChartRenderer.objects(values("podDisruptionBudget.enabled", "false")),
                        PodDisruptionBudget.class)
                .isEmpty());
    }

    @Test
    void probesUseTheOpsPort() {
        Container container = container(deployment(values()));
        assertEquals(Map.of("admission", 8443, "ops", 9090), ports(container));

        Probe liveness = container.getLivenessProbe();
        assertEquals("/healthz", liveness.getHttpGet().getPath());
        assertEquals(new IntOrString("ops"), liveness.getHttpGet().getPort());
        Probe readiness = container.getReadinessProbe();
        assertEquals("/readyz", readiness.getHttpGet().getPath());
        assertEquals(new IntOrString("ops"), readiness.getHttpGet().getPort());
        Probe startup = container.getStartupProbe();
        assertEquals("/healthz", startup.getHttpGet().getPath());
        assertEquals(new IntOrString("ops"), startup.getHttpGet().getPort());
    }

    @Test
    void restrictedSecurityContext() {
        Deployment deployment = deployment(values());
        PodSecurityContext podContext = pod(deployment).getSecurityContext();
        assertEquals(true, podContext.getRunAsNonRoot());
        assertEquals(65532L, podContext.getRunAsUser());
        assertEquals("RuntimeDefault", podContext.getSeccompProfile().getType());

        SecurityContext context = container(deployment).getSecurityContext();
        assertEquals(true, context.getRunAsNonRoot());
        assertEquals(false, context.getAllowPrivilegeEscalation());
        assertEquals(true, context.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), context.getCapabilities().getDrop());
        assertTrue(context.getCapabilities().getAdd() == null
                || context.getCapabilities().getAdd().isEmpty());
        assertEquals("RuntimeDefault", context.getSeccompProfile().getType());
        assertNull(context.getPrivileged());
    }

    @Test
    void resourcesHaveRequestsAndLimits() {
        Container container = container(deployment(values("resources.limits.cpu", "2")));
        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertEquals(new Quantity("100m"), requests.get("cpu"));
        assertEquals(new Quantity("256Mi"), requests.get("memory"));
        assertEquals(new Quantity("2"), limits.get("cpu"));
        assertEquals(new Quantity("256Mi"), limits.get("memory"));
    }

    @Test
    void runsTheContractCommandLineWithConfigTlsAndTmpMounts() {
        Deployment deployment = deployment(values());
        Container container = container(deployment);
        assertEquals(List.of("--config", "/etc/acr-cache-webhook/config.yaml"), container.getArgs());
        assertTrue(
                container.getCommand() == null || container.getCommand().isEmpty(),
                "the image's ENTRYPOINT runs java -jar");

        Map<String, String> mounts = container.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getName, VolumeMount::getMountPath));
        assertEquals(
                Map.of("config", "/etc/acr-cache-webhook", "tls", "/etc/acr-cache-webhook/tls", "tmp", "/tmp"), mounts);
        for (VolumeMount mount : container.getVolumeMounts()) {
            assertNull(mount.getSubPath(), "subPath mounts never see updates: " + mount.getName());
        }

        var volumes = pod(deployment).getVolumes();
        var config = volumes.stream()
                .filter(v -> v.getName().equals("config"))
                .findFirst()
                .orElseThrow();
        assertEquals(FULLNAME + "-config", config.getConfigMap().getName());
        var tmp = volumes.stream()
                .filter(v -> v.getName().equals("tmp"))
                .findFirst()
                .orElseThrow();
        assertNotNull(tmp.getEmptyDir());
    }

    /** The image runs with the chart's flags, and builds the class-data archive they name with its own JDK and jar. */
    @Test
    void theImageHasTheChartsJvmFlagsAndTheArchiveTheyName() throws Exception {
        String dockerfile = java.nio.file.Files.readString(java.nio.file.Path.of("Dockerfile"));
        String chartDefault = container(deployment(values())).getEnv().get(0).getValue();
        java.util.regex.Matcher env = java.util.regex.Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"$")
                .matcher(dockerfile);
        assertTrue(env.find(), "Dockerfile sets JAVA_TOOL_OPTIONS");
        assertEquals(chartDefault, env.group(1));

        java.util.regex.Matcher archive =
                java.util.regex.Pattern.compile("-XX:SharedArchiveFile=(\\S+)").matcher(chartDefault);
        assertTrue(archive.find(), chartDefault);
        assertTrue(
                dockerfile.contains("RUN [\"java\", \"-XX:ArchiveClassesAtExit=" + archive.group(1) + "\""),
                "the Dockerfile's training run writes " + archive.group(1));
        assertTrue(
                dockerfile.indexOf("-XX:ArchiveClassesAtExit=") > dockerfile.indexOf("COPY --from=build"),
                "trained on the runtime image's JDK, with the jar in place");
        assertTrue(dockerfile.contains("\"-jar\", \"/app/acr-cache-webhook.jar\", \"train\"]"));
    }

    @Test
    void jvmOptionsComeFromValues() {
        EnvVar defaults = container(deployment(values())).getEnv().get(0);
        assertEquals("JAVA_TOOL_OPTIONS", defaults.getName());
        assertEquals(
                "-XX:SharedArchiveFile=/app/acr-cache-webhook.jsa -XX:MaxRAMPercentage=75 -XX:+UseSerialGC -Xmn32m -XX:+ExitOnOutOfMemoryError",
                defaults.getValue());

        assertEquals(
                "-Xmx100m",
                container(deployment(values("javaToolOptions", "-Xmx100m")))
                        .getEnv()
                        .get(0)
                        .getValue());
    }

    @Test
    void terminationGraceCoversTheDrainAndTheLastAdmissionCall() {
        assertEquals(10 + 5 + 5, pod(deployment(values())).getTerminationGracePeriodSeconds());
        long grace = pod(deployment(values("shutdown.drainSeconds", "40", "webhook.timeoutSeconds", "10")))
                .getTerminationGracePeriodSeconds();
        assertEquals(40 + 10 + 5, grace);
    }

    @Test
    void imageDefaultsToTheAcrAndTheAppVersion() {
        Container container = container(deployment(values()));
        assertEquals("myacr.azurecr.io/acr-cache-webhook:0.1.0", container.getImage());
        assertEquals("IfNotPresent", container.getImagePullPolicy());

        Container custom = container(deployment(values(
                "image.registry", "ghcr.io",
                "image.repository", "example/acr-cache-webhook",
                "image.tag", "0.2.0-rc.1",
                "image.pullPolicy", "Always")));
        assertEquals("ghcr.io/example/acr-cache-webhook:0.2.0-rc.1", custom.getImage());
        assertEquals("Always", custom.getImagePullPolicy());
    }

    @Test
    void schedulingAndPodMetadataValuesAreApplied() {
        Deployment deployment = deployment(values(
                "priorityClassName", "system-cluster-critical",
                "nodeSelector.agentpool", "system",
                "tolerations[0].key", "CriticalAddonsOnly",
                "tolerations[0].operator", "Exists",
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key",
                        "kubernetes.azure.com/mode",
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator",
                        "In",
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]",
                        "system",
                "podAnnotations.example\\.com/team", "platform",
                "podLabels.team", "platform"));
        PodSpec pod = pod(deployment);
        assertEquals("system-cluster-critical", pod.getPriorityClassName());
        assertEquals(Map.of("kubernetes.io/os", "linux", "agentpool", "system"), pod.getNodeSelector());
        Toleration toleration = pod.getTolerations().get(0);
        assertEquals("CriticalAddonsOnly", toleration.getKey());
        assertEquals("Exists", toleration.getOperator());
        var term = pod.getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .get(0)
                .getMatchExpressions()
                .get(0);
        assertEquals("kubernetes.azure.com/mode", term.getKey());
        assertEquals(List.of("system"), term.getValues());

        var metadata = deployment.getSpec().getTemplate().getMetadata();
        assertEquals("platform", metadata.getAnnotations().get("example.com/team"));
        assertEquals("platform", metadata.getLabels().get("team"));
        assertTrue(metadata.getAnnotations().containsKey("checksum/config"));
    }

    @Test
    void podLabelsCannotChangeTheSelectorLabels() {
        Deployment deployment =
                deployment(values("podLabels.app\\.kubernetes\\.io/name", "other", "podLabels.team", "a"));
        Map<String, String> labels =
                deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("acr-cache-webhook", labels.get("app.kubernetes.io/name"));
        assertEquals("a", labels.get("team"));
        assertEquals(
                deployment.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/name"),
                labels.get("app.kubernetes.io/name"));
    }

    @Test
    void noPriorityClassTolerationsOrAffinityByDefault() {
        PodSpec pod = pod(deployment(values()));
        assertNull(pod.getPriorityClassName());
        assertTrue(pod.getTolerations() == null || pod.getTolerations().isEmpty());
        assertNull(pod.getAffinity());
        assertEquals(Map.of("kubernetes.io/os", "linux"), pod.getNodeSelector());
    }

    @Test
    void configChecksumFollowsTheConfigOnly() {
        String defaults = checksum(values());
        assertEquals(defaults, checksum(values()), "same values, same checksum (certificates differ)");
        assertNotEquals(defaults, checksum(values("rules[0].source", "docker.io/*", "rules[0].target", "hub/*")));
        assertNotEquals(defaults, checksum(values("logging.level", "debug")));
        assertEquals(defaults, checksum(values("replicaCount", "3")), "not a config.yaml change");
    }

    private static String checksum(Map<String, String> values) {
        return deployment(values)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get("checksum/config");
    }

    @Test
    void serviceAccountTokenOnlyWithPullFailuresOrOpsAuth() {
        // ops.auth (default auto) mounts it too: OpsSecurityTest
        List<HasMetadata> off = ChartRenderer.objects(values("ops.auth", "none"));
        assertEquals(false, ChartRenderer.single(off, ServiceAccount.class).getAutomountServiceAccountToken());
        assertEquals(false, pod(ChartRenderer.single(off, Deployment.class)).getAutomountServiceAccountToken());
        assertEquals(FULLNAME, pod(ChartRenderer.single(off, Deployment.class)).getServiceAccountName());

        List<HasMetadata> on = ChartRenderer.objects(values("pullFailures.enabled", "true", "ops.auth", "none"));
        assertEquals(true, ChartRenderer.single(on, ServiceAccount.class).getAutomountServiceAccountToken());
        assertEquals(true, pod(ChartRenderer.single(on, Deployment.class)).getAutomountServiceAccountToken());
    }

    @Test
    void anExistingServiceAccountCanBeUsed() {
        List<HasMetadata> objects =
                ChartRenderer.objects(values("serviceAccount.create", "false", "serviceAccount.name", "webhook-sa"));
        assertTrue(ChartRenderer.all(objects, ServiceAccount.class).isEmpty());
        assertEquals(
                "webhook-sa",
                pod(ChartRenderer.single(objects, Deployment.class)).getServiceAccountName());
    }

    @Test
    void webhookServiceMaps443ToTheAdmissionPortAndOpsServiceIsScrapable() {
        List<HasMetadata> objects = ChartRenderer.objects(values());
        Deployment deployment = ChartRenderer.single(objects, Deployment.class);
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();

        Service webhook = ChartRenderer.named(objects, Service.class, FULLNAME);
        assertEquals(NAMESPACE, webhook.getMetadata().getNamespace());
        assertEquals(selector, webhook.getSpec().getSelector());
        ServicePort https = webhook.getSpec().getPorts().get(0);
        assertEquals(1, webhook.getSpec().getPorts().size());
        assertEquals(443, https.getPort());
        assertEquals(
                8443, ports(container(deployment)).get(https.getTargetPort().getStrVal()));

        Service ops = ChartRenderer.named(objects, Service.class, FULLNAME + "-ops");
        assertEquals(selector, ops.getSpec().getSelector());
        ServicePort opsPort = ops.getSpec().getPorts().get(0);
        assertEquals(9090, opsPort.getPort());
        assertEquals(
                9090, ports(container(deployment)).get(opsPort.getTargetPort().getStrVal()));
        assertEquals(
                Map.of("prometheus.io/scrape", "true", "prometheus.io/port", "9090", "prometheus.io/path", "/metrics"),
                ops.getMetadata().getAnnotations());

        Service quiet = ChartRenderer.named(
                ChartRenderer.objects(values("metrics.scrapeAnnotations", "false")), Service.class, FULLNAME + "-ops");
        assertTrue(quiet.getMetadata().getAnnotations() == null
                || quiet.getMetadata().getAnnotations().isEmpty());
    }

    @Test
    void everyNamespacedObjectIsInTheReleaseNamespace() {
        List<HasMetadata> objects = ChartRenderer.objects(values(
                "pullFailures.enabled", "true",
                "autoscaling.enabled", "true",
                "metrics.serviceMonitor.enabled", "true",
                "metrics.prometheusRule.enabled", "true"));
        List<String> clusterScoped = List.of("MutatingWebhookConfiguration", "ClusterRole", "ClusterRoleBinding");
        for (HasMetadata object : objects) {
            if (clusterScoped.contains(object.getKind())) {
                assertNull(object.getMetadata().getNamespace(), object.getKind());
            } else {
                assertEquals(
                        NAMESPACE,
                        object.getMetadata().getNamespace(),
                        object.getKind() + "/" + object.getMetadata().getName());
            }
            assertEquals("Helm", object.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        }
        assertFalse(objects.isEmpty());
    }
}
