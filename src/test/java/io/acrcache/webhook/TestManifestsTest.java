package io.acrcache.webhook;

import io.acrcache.webhook.testing.Reviews;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code test-manifests/} is what a user applies with {@code kubectl apply -f test-manifests/}: only served kinds, one
 * namespace that the folder creates itself, nothing that cannot start on a real cluster, and every manifest checked by
 * {@code expected.yaml}.
 */
class TestManifestsTest {
    private static final Path FOLDER = Path.of("test-manifests");
    private static final String NAMESPACE = "acw-demo";

    static List<Path> files() throws Exception {
        try (Stream<Path> list = Files.list(FOLDER)) {
            return list.sorted().toList();
        }
    }

    @Test
    void onlyManifestsOfServedKindsInOneNamespaceTheFolderCreates() throws Exception {
        List<Path> files = files();
        assertEquals("00-namespace.yaml", files.get(0).getFileName().toString(), "kubectl applies files in name order");
        Namespace ns = assertInstanceOf(Namespace.class, Reviews.K8S.unmarshal(Files.readString(files.get(0))));
        assertEquals(NAMESPACE, ns.getMetadata().getName());
        for (Path file : files.subList(1, files.size())) {
            assertTrue(file.toString().endsWith(".yaml"), file + ": only manifests belong here");
            HasMetadata object = Reviews.K8S.unmarshal(Files.readString(file));
            assertTrue(object instanceof Pod || object instanceof Deployment, file + ": " + object.getKind());
            assertEquals(NAMESPACE, object.getMetadata().getNamespace(), file.toString());
        }
    }

    @Test
    void everyPodCanStartOnARealCluster() throws Exception {
        for (Path file : files()) {
            HasMetadata object = Reviews.K8S.unmarshal(Files.readString(file));
            PodSpec spec = object instanceof Pod p
                    ? p.getSpec()
                    : object instanceof Deployment d ? d.getSpec().getTemplate().getSpec() : null;
            if (spec == null) {
                continue;
            }
            List<Container> all = new ArrayList<>(spec.getInitContainers());
            all.addAll(spec.getContainers());
            for (Container c : all) {
                String where = file + " " + c.getName();
                assertNotEquals("Never", c.getImagePullPolicy(), where + ": the image is not on the node");
                assertFalse(c.getImage().startsWith("myacr.azurecr.io/"), where + ": a placeholder registry");
                String afterSlash = c.getImage().substring(c.getImage().lastIndexOf('/') + 1);
                assertTrue(
                        afterSlash.contains(":") || afterSlash.contains("@"),
                        where + ": a real tag or digest, never an implicit latest");
                if (c.getImage().contains("@")) {
                    assertTrue(c.getImage().matches(".*@sha256:[0-9a-f]{64}"), where);
                }
                String command = String.join(" ", c.getCommand() == null ? List.of() : c.getCommand());
                assertFalse(command.contains("until "), where + ": an init container must finish on its own");
            }
        }
    }

    @Test
    void everyManifestIsCheckedByExpectedYaml() throws Exception {
        Set<String> listed = new TreeSet<>();
        for (JsonNode entry : new YAMLMapper().readTree(Files.readString(AdmissionEndToEndTest.EXPECTED))) {
            String file = entry.get("file").stringValue();
            assertTrue(Files.isRegularFile(Path.of(file)), file);
            listed.add(file);
        }
        for (Path file : files().subList(1, files().size())) {
            assertTrue(listed.contains(file.toString()), file + " missing from expected.yaml");
        }
    }

    @Test
    void theReadmeAppliesTheFolderAndUsesItsNamespace() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("kubectl apply -f test-manifests/"));
        assertFalse(readme.contains("-n demo ") || readme.contains("namespace demo"), "one namespace: " + NAMESPACE);
        int apply = readme.indexOf("kubectl apply -f test-manifests/");
        int firstUse = readme.indexOf("-n " + NAMESPACE);
        assertTrue(firstUse < 0 || apply < firstUse, "the folder creates the namespace before it is used");
    }
}
