package io.acrcache.webhook.rewrite;

import com.marcnuri.helm.Helm;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A chart rendered by the real Helm (helm-java), piped through {@code rewrite} as a post-renderer would: every Docker
 * Hub image is rewritten, and nothing else changes.
 */
class RewriteHelmChartTest {
    private static final Path CHART = Path.of("src/test/resources/rewrite/demo-chart");
    private static final Map<String, String> REWRITTEN = Map.of(
            "nginx:1.27", "myacr.azurecr.io/docker/library/nginx:1.27",
            "docker.io/library/redis:7.2", "myacr.azurecr.io/docker/library/redis:7.2",
            "busybox:1.36", "myacr.azurecr.io/docker/library/busybox:1.36");
    private static final String UNTOUCHED = "ghcr.io/stefanprodan/podinfo:6.7.0";

    @Test
    void everyDockerHubImageOfARenderedChartIsRewrittenAndNothingElseChanges() throws Exception {
        String rendered = new Helm(CHART)
                .template()
                .withName("demo")
                .withNamespace("apps")
                .call();
        RewriteCommandTest.Run run = RewriteCommandTest.run(rendered, "-f", "-");
        assertEquals(0, run.code(), run.err());

        List<JsonNode> before = documents(rendered);
        List<JsonNode> after = documents(run.out());
        assertEquals(5, before.size(), rendered);
        assertEquals(before.size(), after.size());
        int images = 0;
        for (int i = 0; i < before.size(); i++) {
            images += undoRewrites(after.get(i), before.get(i));
            assertEquals(before.get(i), after.get(i), "document " + (i + 1) + " apart from images and annotation");
        }
        assertEquals(4, images, "the Deployment's init and web containers, the StatefulSet's, the CronJob's");
        assertTrue(run.out().contains("  # an image-looking string outside a Pod spec is not an image\n"));
        assertTrue(run.out().contains("image: " + UNTOUCHED + "\n"));
    }

    /**
     * Puts back every rewritten image of {@code after} (checking it is the expected rewrite and recorded in the Pod
     * template's annotation) and removes the annotation.
     *
     * @return how many images were rewritten
     */
    private static int undoRewrites(JsonNode after, JsonNode before) {
        List<ObjectNode> templates = new ArrayList<>();
        String kind = after.path("kind").asString("");
        switch (kind) {
            case "Deployment", "StatefulSet" ->
                templates.add((ObjectNode) after.get("spec").get("template"));
            case "CronJob" ->
                templates.add((ObjectNode)
                        after.get("spec").get("jobTemplate").get("spec").get("template"));
            default -> {
                return 0;
            }
        }
        int count = 0;
        for (ObjectNode template : templates) {
            ObjectNode annotations = (ObjectNode) template.get("metadata").get("annotations");
            JsonNode recorded = new YAMLMapper()
                    .readTree(annotations
                            .remove(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION)
                            .stringValue());
            ObjectNode metadata = (ObjectNode) template.get("metadata");
            if (annotations.isEmpty()) {
                metadata.remove("annotations");
            }
            if (metadata.isEmpty()) {
                template.remove("metadata"); // added for the annotation (this chart has no empty metadata)
            }
            for (String list : List.of("initContainers", "containers")) {
                for (JsonNode c : template.get("spec").path(list)) {
                    String image = c.get("image").stringValue();
                    if (image.equals(UNTOUCHED)) {
                        continue;
                    }
                    String original = recorded.get(list + "/" + c.get("name").stringValue())
                            .stringValue();
                    assertEquals(REWRITTEN.get(original), image);
                    ((ObjectNode) c).put("image", original);
                    count++;
                }
            }
        }
        return count;
    }

    private static List<JsonNode> documents(String yaml) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (var it = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode n = (JsonNode) it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    out.add(n);
                }
            }
        }
        return out;
    }
}
