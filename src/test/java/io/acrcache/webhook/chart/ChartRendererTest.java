package io.acrcache.webhook.chart;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test helper itself: it must really refuse what the typed model does not know. */
class ChartRendererTest {

    private static final String DEPLOYMENT = """
      # Source: some/template.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: demo
      spec:
        replicas: 2
        selector:
          matchLabels: {app: demo}
        template:
          metadata:
            labels: {app: demo}
          spec:
            containers:
              - name: app
                image: nginx:1.25
                %s
      """;

    @Test
    void loadsKnownFieldsIntoTypedModels() {
        List<HasMetadata> objects =
                ChartRenderer.load("---\n" + DEPLOYMENT.formatted("imagePullPolicy: Always") + "---\n");

        Deployment deployment = ChartRenderer.single(objects, Deployment.class);
        assertEquals(2, deployment.getSpec().getReplicas());
        assertEquals(
                "Always",
                deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImagePullPolicy());
    }

    @Test
    void refusesAMisspelledFieldAndNamesItsPath() {
        String yaml = DEPLOYMENT.formatted("imagePullPolice: Always");

        ChartRenderer.UnknownFieldException e =
                assertThrows(ChartRenderer.UnknownFieldException.class, () -> ChartRenderer.load(yaml));

        assertEquals(
                List.of("Deployment/demo.spec.template.spec.containers[0]: unknown field(s) [imagePullPolice]"),
                e.problems());
    }

    @Test
    void refusesUnknownFieldsAtTheTopOfAnObjectToo() {
        String yaml = """
        apiVersion: v1
        kind: Service
        metadata:
          name: demo
          labelz: {a: b}
        spec:
          ports: [{port: 443}]
        """;

        ChartRenderer.UnknownFieldException e =
                assertThrows(ChartRenderer.UnknownFieldException.class, () -> ChartRenderer.load(yaml));

        assertEquals(List.of("Service/demo.metadata: unknown field(s) [labelz]"), e.problems());
    }

    @Test
    void loadsCustomResourcesAsGenericAndStillChecksTheirMetadata() {
        String monitor = """
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata:
          name: demo
        spec:
          endpoints: [{port: ops}]
        """;
        HasMetadata loaded = ChartRenderer.load(monitor).get(0);
        assertInstanceOf(GenericKubernetesResource.class, loaded);
        assertEquals(1, ChartRenderer.custom(List.of(loaded), "ServiceMonitor").size());

        ChartRenderer.UnknownFieldException e = assertThrows(
                ChartRenderer.UnknownFieldException.class,
                () -> ChartRenderer.load(monitor.replace("  name: demo", "  name: demo\n  nam: x")));
        assertTrue(e.problems().get(0).contains("[nam]"), e.getMessage());
    }
}
