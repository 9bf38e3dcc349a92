package io.acrcache.webhook.rewrite;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code test-manifests/} and the fixtures through {@code rewrite} give exactly the images {@code expected.yaml} says
 * the webhook gives (the same file {@code AdmissionEndToEndTest} checks the running webhook against).
 */
class RewriteManifestsTest {
    private static final Path EXPECTED = Path.of("src/test/resources/manifests/expected.yaml");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String LOGIN = "acrLoginServer: myacr.azurecr.io\n";
    private static final String DEFAULT_RULE = "rules:\n  - {source: docker.io/*, target: docker/*}\n";

    @TempDir
    static Path dir;

    @TestFactory
    List<DynamicTest> everyManifestGivesTheExpectedImages() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        int n = 0;
        for (JsonNode entry : YAML.readTree(Files.readString(EXPECTED))) {
            String file = entry.get("file").stringValue();
            StringBuilder config = new StringBuilder(LOGIN + DEFAULT_RULE);
            for (JsonNode r : entry.path("rules")) {
                config.append("  - {source: '")
                        .append(r.get("source").stringValue())
                        .append("', target: '")
                        .append(r.get("target").stringValue())
                        .append("'}\n");
            }
            Path configFile = Files.writeString(dir.resolve("config-" + n++ + ".yaml"), config);
            Map<String, String> images = new HashMap<>();
            entry.get("images")
                    .properties()
                    .forEach(e -> images.put(e.getKey(), e.getValue().stringValue()));
            tests.add(DynamicTest.dynamicTest(
                    file + (entry.has("rules") ? " with extra rules" : ""), () -> check(file, configFile, images)));
        }
        assertEquals(9, tests.size());
        return tests;
    }

    private static void check(String file, Path config, Map<String, String> expected) throws Exception {
        String input = Files.readString(Path.of(file));
        RewriteCommandTest.Run run = RewriteCommandTest.run("", Map.of(), "--config", config.toString(), "-f", file);
        assertEquals(0, run.code(), run.err());
        if (expected.isEmpty()) {
            assertEquals(input, run.out(), "nothing to rewrite: byte for byte");
        }
        JsonNode before = YAML.readTree(input);
        JsonNode after = YAML.readTree(run.out());
        ObjectNode template = template(after);
        Map<String, String> originals = new HashMap<>();
        for (String list : List.of("containers", "initContainers")) {
            JsonNode was = template(before).get("spec").path(list);
            JsonNode now = template.get("spec").path(list);
            for (int i = 0; i < was.size(); i++) {
                String key = list + "/" + was.get(i).get("name").stringValue();
                String original = was.get(i).get("image").stringValue();
                assertEquals(
                        expected.getOrDefault(key, original),
                        now.get(i).get("image").stringValue(),
                        key);
                if (expected.containsKey(key)) {
                    originals.put(key, original);
                }
                ((ObjectNode) now.get(i)).put("image", original);
            }
        }
        JsonNode annotations = template.path("metadata").path("annotations");
        String recorded = annotations
                .path(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION)
                .asString(null);
        if (expected.isEmpty()) {
            assertEquals(null, recorded);
        } else {
            assertEquals(YAML.valueToTree(originals), YAML.readTree(recorded), "the original-images annotation");
            ((ObjectNode) annotations).remove(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION);
            if (annotations.isEmpty()) {
                ((ObjectNode) template.get("metadata")).remove("annotations");
            }
        }
        assertEquals(before, after, "apart from the images and the annotation, the same object");
        assertTrue(input.lines().filter(l -> l.startsWith("#")).allMatch(run.out()::contains), "comments are kept");
    }

    /** The Pod, or the Pod template of a Deployment. */
    private static ObjectNode template(JsonNode object) {
        return (ObjectNode)
                (object.get("kind").stringValue().equals("Pod")
                        ? object
                        : object.get("spec").get("template"));
    }

    @Test
    void checkOverTheWholeFolderListsEveryExpectedRewrite() {
        RewriteCommandTest.Run run = RewriteCommandTest.run("", "--check", "-f", "test-manifests");
        assertEquals(1, run.code());
        assertEquals(
                List.of(
                        "test-manifests/01-webapp-network-tester.yaml: document 1: Deployment/webapp-network-tester: containers/webapp: jannemattila/webapp-network-tester:1.0.75 -> myacr.azurecr.io/docker/jannemattila/webapp-network-tester:1.0.75",
                        "test-manifests/02-nginx-official.yaml: document 1: Pod/nginx: containers/nginx: nginx:1.27 -> myacr.azurecr.io/docker/library/nginx:1.27",
                        "test-manifests/03-digest-pinned.yaml: document 1: Pod/digest-pinned: containers/busybox: busybox@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662 -> myacr.azurecr.io/docker/library/busybox@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662",
                        "test-manifests/03-digest-pinned.yaml: document 1: Pod/digest-pinned: containers/nginx: docker.io/library/nginx:1.27-alpine@sha256:65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10 -> myacr.azurecr.io/docker/library/nginx:1.27-alpine@sha256:65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10",
                        "test-manifests/04-init-and-sidecar.yaml: document 1: Pod/init-and-sidecar: containers/app: index.docker.io/library/redis:7.2 -> myacr.azurecr.io/docker/library/redis:7.2",
                        "test-manifests/04-init-and-sidecar.yaml: document 1: Pod/init-and-sidecar: initContainers/prepare: busybox:1.36 -> myacr.azurecr.io/docker/library/busybox:1.36",
                        "test-manifests/04-init-and-sidecar.yaml: document 1: Pod/init-and-sidecar: initContainers/log-shipper: fluent/fluent-bit:3.1 -> myacr.azurecr.io/docker/fluent/fluent-bit:3.1"),
                run.out().lines().toList());
    }
}
