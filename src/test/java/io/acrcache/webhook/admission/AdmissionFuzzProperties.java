package io.acrcache.webhook.admission;

import io.acrcache.webhook.testing.Gen;
import io.acrcache.webhook.testing.Gen.Case;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import jakarta.json.Json;
import jakarta.json.JsonStructure;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated reviews: the handler answers a valid AdmissionReview with the request's uid or refuses the body as
 * malformed (a 400) — never anything else — and every patch it answers applies to the object it was made for (checked
 * with Parsson, not our code). Each case is named by its seed (see {@link Gen}).
 */
public class AdmissionFuzzProperties {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String BASE = base();
    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(TestConfigs::defaults);

    private static String base() {
        try {
            return Files.readString(Path.of("docs/examples/review-nginx.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutatedReviews")
    void answersOrRefusesNeverAnythingElse(Case<byte[]> c) {
        c.check(body -> {
            AdmissionResult result;
            try {
                result = handler.handle(body, null);
            } catch (MalformedReviewException refused) {
                assertNotNull(refused.getMessage());
                return;
            }
            AdmissionReview answer = Reviews.answer(result.body());
            assertEquals("admission.k8s.io/v1", answer.getApiVersion());
            AdmissionResponse response = answer.getResponse();
            JsonNode request = JSON.readTree(body).get("request");
            assertEquals(request.get("uid").stringValue(), response.getUid());
            assertTrue(response.getAllowed());
            if (response.getPatch() != null) {
                assertEquals("JSONPatch", response.getPatchType());
                JsonNode object = request.get("object");
                String patch = new String(Base64.getDecoder().decode(response.getPatch()), StandardCharsets.UTF_8);
                JsonStructure target = Json.createReader(new StringReader(JSON.writeValueAsString(object)))
                        .read();
                JsonStructure patched = Json.createPatch(
                                Json.createReader(new StringReader(patch)).readArray())
                        .apply(target);
                if (decodesAsPod(JSON.writeValueAsString(object))) {
                    // an object that was a valid Pod is still one after the patch
                    Pod pod = Reviews.K8S.unmarshal(patched.toString(), Pod.class);
                    assertEquals("Pod", pod.getKind());
                }
            } else {
                assertEquals(null, response.getPatchType());
            }
        });
    }

    private static boolean decodesAsPod(String json) {
        try {
            return "Pod".equals(Reviews.K8S.unmarshal(json, Pod.class).getKind());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Each review all of its seed's making: no fixed edge cases. */
    static Stream<Case<byte[]>> mutatedReviews() {
        return Gen.cases(4000, AdmissionFuzzProperties::mutate);
    }

    /** One or more mutations of a realistic review, picked by the seed. */
    public static byte[] mutate(RandomGenerator rnd) {
        ObjectNode review = (ObjectNode) JSON.readTree(BASE);
        ObjectNode pod = (ObjectNode) review.get("request").get("object");
        int kind = rnd.nextInt(12);
        switch (kind) {
            case 0 -> { // truncated JSON
                byte[] all = BASE.getBytes(StandardCharsets.UTF_8);
                return java.util.Arrays.copyOf(all, rnd.nextInt(all.length));
            }
            case 1 -> replaceRandomNode(review, rnd);
            case 2 -> removeRandomField(review, rnd);
            case 3 -> { // many containers with assorted images
                ArrayNode containers = (ArrayNode) pod.get("spec").get("containers");
                int n = 1 + rnd.nextInt(1000);
                for (int i = 0; i < n; i++) {
                    containers.addObject().put("name", "c" + i).put("image", randomImage(rnd));
                }
            }
            case 4 -> { // unicode and control characters in images, names and annotations
                ObjectNode c = (ObjectNode) pod.get("spec").get("containers").get(0);
                c.put("image", randomImage(rnd) + (char) rnd.nextInt(0x20) + "\u00e9\u4e2d\ud83d\ude00");
                c.put("name", "n\u0000\u202e" + rnd.nextInt());
                ((ObjectNode) pod.get("metadata")).putObject("annotations").put("k/\u2603~1", "\u0001\u0002");
            }
            case 5 -> { // huge strings
                ((ObjectNode) pod.get("metadata"))
                        .putObject("annotations")
                        .put("big", "x".repeat(200_000 + rnd.nextInt(300_000)));
                ((ObjectNode) pod.get("spec").get("containers").get(0))
                        .put("image", "a/" + "b".repeat(rnd.nextInt(2000)));
            }
            case 6 -> { // duplicate keys, at the top or deep inside
                String text = BASE.replaceFirst("\"name\": \"nginx\"", "\"name\": \"nginx\", \"name\": \"other\"");
                return (rnd.nextBoolean() ? text : BASE.replaceFirst("\\{", "{\"kind\":\"AdmissionReview\","))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 7 -> { // deep nesting
                StringBuilder deep = new StringBuilder();
                int depth = 100 + rnd.nextInt(5000);
                deep.append("[".repeat(depth)).append("]".repeat(depth));
                return BASE.replace("\"dryRun\": false", "\"dryRun\": false, \"deep\": " + deep)
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 8 -> { // other operations and subresources, with or without an old object
                ObjectNode request = (ObjectNode) review.get("request");
                request.put(
                        "operation",
                        List.of("UPDATE", "DELETE", "CONNECT", "CREATE", "").get(rnd.nextInt(5)));
                request.put(
                        "subResource",
                        List.of("ephemeralcontainers", "status", "", "exec").get(rnd.nextInt(4)));
                if (rnd.nextBoolean()) {
                    request.set("oldObject", pod.deepCopy());
                }
                ((ArrayNode) ((ObjectNode) pod.get("spec")).withArray("ephemeralContainers"))
                        .addObject()
                        .put("name", "dbg")
                        .put("image", randomImage(rnd));
            }
            case 9 -> { // containers and annotations of the wrong types
                ((ObjectNode) pod.get("spec"))
                        .set(
                                "initContainers",
                                List.of(
                                                NODES.stringNode("x"),
                                                NODES.objectNode(),
                                                NODES.numberNode(1),
                                                NODES.arrayNode().addObject().put("image", 7))
                                        .get(rnd.nextInt(4)));
                ((ObjectNode) pod.get("metadata"))
                        .set(
                                "annotations",
                                List.of(
                                                NODES.nullNode(),
                                                NODES.stringNode("a"),
                                                NODES.arrayNode(),
                                                NODES.objectNode()
                                                        .put(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION, "{bad"))
                                        .get(rnd.nextInt(4)));
            }
            case 10 -> { // no metadata, or metadata not an object
                if (rnd.nextBoolean()) {
                    pod.remove("metadata");
                } else {
                    pod.put("metadata", "nope");
                }
            }
            default -> { // random bytes
                byte[] noise = new byte[rnd.nextInt(512)];
                rnd.nextBytes(noise);
                return noise;
            }
        }
        if (rnd.nextInt(4) == 0) {
            removeRandomField(review, rnd);
        }
        return JSON.writeValueAsBytes(review);
    }

    private static String randomImage(RandomGenerator rnd) {
        String[] images = {
            "nginx",
            "nginx:1.25",
            "bitnami/redis:7",
            "ghcr.io/x/y",
            "Bad:Image",
            "",
            "localhost:5000/a",
            "redis@sha256:" + "a".repeat(64),
            "docker.io/library/nginx:1.25@sha256:" + "b".repeat(64),
            "myacr.azurecr.io/docker/library/nginx",
            "a".repeat(300),
            "x//y",
            "index.docker.io/busybox"
        };
        return images[rnd.nextInt(images.length)];
    }

    private static List<JsonNode> containersOf(JsonNode root) {
        List<JsonNode> all = new ArrayList<>();
        collect(root, all);
        return all;
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isObject() || node.isArray()) {
            out.add(node);
            for (JsonNode child : node.values()) {
                collect(child, out);
            }
        }
    }

    private static void replaceRandomNode(ObjectNode root, RandomGenerator rnd) {
        List<JsonNode> containers = containersOf(root);
        JsonNode target = containers.get(rnd.nextInt(containers.size()));
        JsonNode value = List.of(
                        NODES.nullNode(),
                        NODES.numberNode(rnd.nextInt()),
                        NODES.booleanNode(true),
                        NODES.stringNode("s"),
                        NODES.arrayNode(),
                        NODES.objectNode(),
                        NODES.numberNode(1.5e300))
                .get(rnd.nextInt(7));
        if (target instanceof ObjectNode obj && !obj.isEmpty()) {
            List<String> names = new ArrayList<>(obj.propertyNames());
            obj.set(names.get(rnd.nextInt(names.size())), value);
        } else if (target instanceof ArrayNode arr && !arr.isEmpty()) {
            arr.set(rnd.nextInt(arr.size()), value);
        }
    }

    private static void removeRandomField(ObjectNode root, RandomGenerator rnd) {
        List<JsonNode> containers = containersOf(root);
        JsonNode target = containers.get(rnd.nextInt(containers.size()));
        if (target instanceof ObjectNode obj && !obj.isEmpty()) {
            List<String> names = new ArrayList<>(obj.propertyNames());
            obj.remove(names.get(rnd.nextInt(names.size())));
        } else if (target instanceof ArrayNode arr && !arr.isEmpty()) {
            arr.remove(rnd.nextInt(arr.size()));
        }
    }
}
