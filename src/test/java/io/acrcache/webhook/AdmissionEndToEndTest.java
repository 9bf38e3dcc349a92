package io.acrcache.webhook;

import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TlsClients;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every manifest in {@code test-manifests/} and the fixtures beside {@code src/test/resources/manifests/expected.yaml},
 * sent as the Pod a controller would create, through the real HTTPS server (TLS verified against the generated CA,
 * hostname checked), with the returned patch applied by Parsson and the result compared with {@code expected.yaml}.
 */
class AdmissionEndToEndTest {
    /** What the webhook must do to each manifest; its {@code file} entries are relative to the repository root. */
    static final Path EXPECTED = Path.of("src/test/resources/manifests/expected.yaml");
    /** The README's curl example. */
    static final Path README_REVIEW = Path.of("docs/examples/review-nginx.json");

    private static final String BASE_CONFIG = "server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: 0}\n";

    @TempDir
    static Path certs;

    static WebhookApp app;
    static HttpClient http1;
    static HttpClient http2;

    @BeforeAll
    static void start() throws Exception {
        app = WebhookApp.start(
                TestConfigs.yaml(BASE_CONFIG),
                new WebhookApp.Options(null, java.util.Map.of(), certs, 2, java.time.Duration.ofSeconds(2)));
        http1 = TlsClients.client(certs.resolve("ca.crt"), HttpClient.Version.HTTP_1_1);
        http2 = TlsClients.client(certs.resolve("ca.crt"), HttpClient.Version.HTTP_2);
    }

    @AfterAll
    static void stop() {
        app.stop(java.time.Duration.ZERO);
    }

    static HttpResponse<String> post(HttpClient client, String path, String body) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + app.admissionPort() + path + "?timeout=10s"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @TestFactory
    List<DynamicTest> everyTestManifestComesBackAsExpected() throws Exception {
        JsonNode expected = new YAMLMapper().readTree(Files.readString(EXPECTED));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode entry : expected) {
            String file = entry.get("file").stringValue();
            String rules = entry.has("rules")
                    ? "rules:\n  - {source: docker.io/*, target: docker/*}\n" + entryRules(entry.get("rules"))
                    : "";
            Map<String, String> images = new HashMap<>();
            entry.get("images")
                    .properties()
                    .forEach(e -> images.put(e.getKey(), e.getValue().stringValue()));
            tests.add(DynamicTest.dynamicTest(
                    file + (rules.isEmpty() ? "" : " with extra rules"), () -> check(file, rules, images)));
        }
        assertEquals(9, tests.size(), "one check per entry of expected.yaml");
        return tests;
    }

    private static String entryRules(JsonNode rules) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode r : rules) {
            sb.append("  - {source: '")
                    .append(r.get("source").stringValue())
                    .append("', target: '")
                    .append(r.get("target").stringValue())
                    .append("'}\n");
        }
        return sb.toString();
    }

    private void check(String file, String rules, Map<String, String> expected) throws Exception {
        app.config().set(TestConfigs.yaml(BASE_CONFIG + rules));
        try {
            Pod pod = podFrom(Reviews.K8S.unmarshal(Files.readString(Path.of(file))));
            String review = Reviews.create(pod);
            HttpResponse<String> answer = post(http2, "/mutate", review);
            assertEquals(200, answer.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, answer.version(), "ALPN offers h2 as kube-apiserver uses it");
            AdmissionResponse response = Reviews.answer(answer.body().getBytes(StandardCharsets.UTF_8))
                    .getResponse();
            assertEquals(Reviews.uid(review), response.getUid());
            assertTrue(response.getAllowed());
            Pod result = response.getPatch() == null ? pod : Reviews.apply(pod, response.getPatch());
            assertEquals(expected.isEmpty(), response.getPatch() == null, "a patch exactly when something changes");
            assertEquals(
                    expected.size(),
                    response.getWarnings() == null ? 0 : response.getWarnings().size());
            compare(
                    "containers",
                    pod.getSpec().getContainers(),
                    result.getSpec().getContainers(),
                    expected);
            compare(
                    "initContainers",
                    pod.getSpec().getInitContainers(),
                    result.getSpec().getInitContainers(),
                    expected);
            // the patched Pod is still the same Pod in every other respect
            Pod withoutImages = new PodBuilder(result)
                    .editMetadata()
                    .removeFromAnnotations(
                            io.acrcache.webhook.admission.AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION)
                    .endMetadata()
                    .build();
            for (int i = 0; i < pod.getSpec().getContainers().size(); i++) {
                withoutImages
                        .getSpec()
                        .getContainers()
                        .get(i)
                        .setImage(pod.getSpec().getContainers().get(i).getImage());
            }
            for (int i = 0; i < pod.getSpec().getInitContainers().size(); i++) {
                withoutImages
                        .getSpec()
                        .getInitContainers()
                        .get(i)
                        .setImage(pod.getSpec().getInitContainers().get(i).getImage());
            }
            if (pod.getMetadata().getAnnotations() == null
                    || pod.getMetadata().getAnnotations().isEmpty()) {
                withoutImages.getMetadata().setAnnotations(pod.getMetadata().getAnnotations());
            }
            assertEquals(Reviews.K8S.asJson(pod), Reviews.K8S.asJson(withoutImages));
        } finally {
            app.config().set(TestConfigs.yaml(BASE_CONFIG));
        }
    }

    private static void compare(
            String kind, List<Container> before, List<Container> after, Map<String, String> expected) {
        for (int i = 0; i < before.size(); i++) {
            String key = kind + "/" + before.get(i).getName();
            assertEquals(
                    expected.getOrDefault(key, before.get(i).getImage()),
                    after.get(i).getImage(),
                    key);
        }
    }

    /** A bare Pod as it is, or the Pod a Deployment's ReplicaSet would create from its template. */
    static Pod podFrom(HasMetadata object) {
        if (object instanceof Pod pod) {
            return pod;
        }
        Deployment d = (Deployment) object;
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder(d.getSpec().getTemplate().getMetadata())
                        .withGenerateName(d.getMetadata().getName() + "-7d9c8b6f5d-")
                        .withNamespace(d.getMetadata().getNamespace())
                        .addToLabels("pod-template-hash", "7d9c8b6f5d")
                        .withOwnerReferences(new OwnerReferenceBuilder()
                                .withApiVersion("apps/v1")
                                .withKind("ReplicaSet")
                                .withName(d.getMetadata().getName() + "-7d9c8b6f5d")
                                .withUid("3f1c2d4e-0000-4000-8000-000000000001")
                                .withController(true)
                                .withBlockOwnerDeletion(true)
                                .build())
                        .build())
                .withSpec(d.getSpec().getTemplate().getSpec())
                .build();
    }

    @Test
    void readmeCurlExample() throws Exception {
        String review = Files.readString(README_REVIEW);
        HttpResponse<String> answer = post(http1, "/mutate", review);
        assertEquals(200, answer.statusCode());
        AdmissionResponse response =
                Reviews.answer(answer.body().getBytes(StandardCharsets.UTF_8)).getResponse();
        assertEquals("705ab4f5-6393-11e8-b7cc-42010a800002", response.getUid());
        // the exact patch the README shows
        assertEquals(
                "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"myacr.azurecr.io/docker/library/nginx:1.27\"},"
                        + "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"acr-cache-webhook.io/original-images\":"
                        + "\"{\\\"containers/nginx\\\":\\\"nginx:1.27\\\"}\"}}]",
                Reviews.decodePatch(response.getPatch()));
        Pod manifest = Reviews.K8S.unmarshal(Files.readString(Path.of("test-manifests/02-nginx-official.yaml")));
        Pod inReview = Reviews.answer(review.getBytes(StandardCharsets.UTF_8))
                                .getRequest()
                                .getObject()
                        instanceof Pod p
                ? p
                : null;
        assertEquals(
                Reviews.K8S.asJson(manifest),
                Reviews.K8S.asJson(inReview),
                "review-nginx.json carries 02-nginx-official.yaml");
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("--data @" + README_REVIEW + " "), "README's curl command names this file");
        assertTrue(readme.contains("[`test-manifests/02-nginx-official.yaml`](test-manifests/02-nginx-official.yaml)"));
    }

    @Test
    void auditEndpointNeverPatches() throws Exception {
        HttpResponse<String> answer = post(http1, "/mutate/audit", Files.readString(README_REVIEW));
        AdmissionResponse response =
                Reviews.answer(answer.body().getBytes(StandardCharsets.UTF_8)).getResponse();
        assertNull(response.getPatch());
        assertEquals(1, response.getWarnings().size());
    }

    @Test
    void malformedBodiesGetA400WithAJsonError() throws Exception {
        HttpResponse<String> answer = post(http1, "/mutate", "{\"kind\":\"Pod\"}");
        assertEquals(400, answer.statusCode());
        assertEquals(
                "application/json", answer.headers().firstValue("content-type").orElse(""));
        assertEquals(
                "apiVersion must be admission.k8s.io/v1",
                Reviews.K8S.unmarshal(answer.body(), Map.class).get("error"));
        assertEquals(400, post(http1, "/mutate", "").statusCode());
    }

    @Test
    void bodiesOverTheLimitGetA413() throws Exception {
        String huge = "{\"pad\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}";
        assertEquals(413, post(http1, "/mutate", huge).statusCode());
    }

    @Test
    void healthOnBothListeners() throws Exception {
        HttpResponse<String> tls = http1.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + app.admissionPort() + "/healthz"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, tls.statusCode());
        HttpResponse<String> ready = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.opsPort() + "/readyz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode());
        assertEquals("{\"status\":\"ready\"}", ready.body());
    }
}
