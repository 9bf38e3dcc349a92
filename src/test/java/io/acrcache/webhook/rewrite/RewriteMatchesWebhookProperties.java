package io.acrcache.webhook.rewrite;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.Gen;
import io.acrcache.webhook.testing.Gen.Case;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oracle is the webhook itself: a Pod written in many YAML shapes, rewritten by {@code rewrite}, is the same Pod as
 * the one the admission handler's patch makes of it (applied by Parsson).
 */
class RewriteMatchesWebhookProperties {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final LoadedConfig CONFIG = TestConfigs.defaults();
    private static final AdmissionReviewHandler WEBHOOK = new AdmissionReviewHandler(() -> CONFIG);
    private static final List<String> IMAGES = List.of(
            "nginx:1.27",
            "busybox",
            "docker.io/library/redis@sha256:" + "ab".repeat(32),
            "index.docker.io/bitnami/redis:7.2",
            "fluent/fluent-bit:3.1@sha256:" + "0c".repeat(32),
            "ghcr.io/stefanprodan/podinfo:6.7.0",
            "myacr.azurecr.io/docker/library/nginx:1.27",
            "localhost:5000/tool:1",
            "NGINX:latest",
            "nginx:");

    @ParameterizedTest(name = "{0}")
    @MethodSource("pods")
    void rewriteGivesThePodTheWebhookGives(Case<String> c) {
        c.check(yaml -> {
            Pod input = Reviews.K8S.unmarshal(yaml, Pod.class);
            byte[] review = Reviews.create(input).getBytes(StandardCharsets.UTF_8);
            AdmissionResult result = WEBHOOK.handle(review, null);
            AdmissionResponse response = Reviews.answer(result.body()).getResponse();
            Pod viaWebhook = response.getPatch() == null ? input : Reviews.apply(input, response.getPatch());

            ManifestRewriter.Result rewritten = new ManifestRewriter(CONFIG).rewrite("pod.yaml", yaml);
            Pod viaRewrite = Reviews.K8S.unmarshal(rewritten.text(), Pod.class);

            // as trees: the order of keys in a map (where the annotation went) means nothing
            JsonNode expected = JSON.readTree(Reviews.K8S.asJson(viaWebhook));
            JsonNode actual = JSON.readTree(Reviews.K8S.asJson(viaRewrite));
            assertTrue(expected.equals(actual), yaml + "\n=>\n" + rewritten.text() + "\n" + expected + "\n" + actual);
            assertTrue(
                    rewritten.changed().stream().noneMatch(ManifestRewriter.ChangedDocument::reserialized),
                    "every shape generated here is edited in place: " + yaml);
            if (response.getPatch() == null) {
                assertEquals(yaml, rewritten.text(), "nothing to change: byte for byte");
            }
        });
    }

    /** Pods in many YAML shapes, each all of its seed's making: no fixed edge cases. */
    static Stream<Case<String>> pods() {
        return Gen.cases(300, RewriteMatchesWebhookProperties::pod);
    }

    private static String pod(RandomGenerator r) {
        String indent = r.nextBoolean() ? "" : "  "; // list items at the key's column, or indented
        StringBuilder sb = new StringBuilder("apiVersion: v1\nkind: Pod\n");
        String namespace = switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> "kube-system";
            default -> "team-a";
        };
        String annotations = switch (r.nextInt(7)) {
            case 0 -> null;
            case 1 -> "{}";
            case 2 -> "{team: a}";
            case 3 -> "\n    team.example.com/owner: platform";
            case 4 -> "\n    acr-cache-webhook.io/skip: \"true\"";
            case 5 -> "\n    acr-cache-webhook.io/original-images: '{\"containers/c0\":\"nginx:1.25\"}'";
            default -> "\n    acr-cache-webhook.io/skip: \"false\"";
        };
        switch (r.nextInt(5)) {
            case 0 -> {} // no metadata at all
            case 1 ->
                sb.append("metadata: {name: p")
                        .append(namespace == null ? "" : ", namespace: " + namespace)
                        .append(
                                annotations == null || annotations.startsWith("\n")
                                        ? ""
                                        : ", annotations: " + annotations)
                        .append("}\n");
            default -> {
                sb.append("metadata:\n  name: p # the name\n");
                if (namespace != null) {
                    sb.append("  namespace: ").append(namespace).append('\n');
                }
                if (annotations != null) {
                    sb.append("  annotations:")
                            .append(annotations.startsWith("\n") ? "" : " ")
                            .append(annotations)
                            .append('\n');
                }
            }
        }
        sb.append("spec:\n");
        for (String list : List.of("initContainers", "containers")) {
            int n = list.equals("containers") ? 1 + r.nextInt(3) : r.nextInt(3);
            if (n == 0) {
                continue;
            }
            sb.append("  ").append(list).append(":\n");
            for (int i = 0; i < n; i++) {
                String name = (list.equals("containers") ? "c" : "i") + i;
                String image = quoted(r, IMAGES.get(r.nextInt(IMAGES.size())));
                String policy = switch (r.nextInt(5)) {
                    case 0 -> "Never";
                    case 1 -> "Always";
                    default -> null;
                };
                if (r.nextInt(4) == 0) {
                    sb.append("  ")
                            .append(indent)
                            .append("- {name: ")
                            .append(name)
                            .append(", image: ")
                            .append(image);
                    sb.append(policy == null ? "" : ", imagePullPolicy: " + policy)
                            .append("}\n");
                } else {
                    sb.append("  ")
                            .append(indent)
                            .append("- name: ")
                            .append(name)
                            .append('\n');
                    sb.append("  ")
                            .append(indent)
                            .append("  image: ")
                            .append(image)
                            .append("   # was here\n");
                    if (policy != null) {
                        sb.append("  ")
                                .append(indent)
                                .append("  imagePullPolicy: ")
                                .append(policy)
                                .append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String quoted(RandomGenerator r, String image) {
        return switch (r.nextInt(3)) {
            case 0 -> "'" + image + "'";
            case 1 -> "\"" + image + "\"";
            default -> image.endsWith(":") ? "'" + image + "'" : image;
        };
    }
}
