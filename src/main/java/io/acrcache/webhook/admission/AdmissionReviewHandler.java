package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Mode;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * AdmissionReview in, AdmissionReview out; no transport. A well-formed review always gets an
 * answer: any failure past the envelope is admitted unchanged with a warning (this webhook fails
 * open, it must never be the reason a Pod cannot start).
 */
public final class AdmissionReviewHandler {
    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String ORIGINAL_IMAGES_ANNOTATION = "acr-cache-webhook.io/original-images";
    static final int MAX_WARNINGS = 10;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // duplicate keys are refused: an object read two ways by two parsers is how patches go wrong
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Supplier<LoadedConfig> config;

    public AdmissionReviewHandler(Supplier<LoadedConfig> config) {
        this.config = config;
    }

    /**
     * @param forcedMode {@link Mode#AUDIT} for the audit endpoint; null to use the configured mode
     */
    public AdmissionResult handle(byte[] body, Mode forcedMode) throws MalformedReviewException {
        JsonNode review;
        try {
            review = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedReviewException("body is not valid JSON: " + firstLine(e.getOriginalMessage()));
        }
        JsonNode request = envelope(review);
        String uid = request.get("uid").stringValue();
        LoadedConfig cfg = config.get();
        Mode mode = forcedMode != null ? forcedMode : cfg.settings().mode();
        String operation = text(request, "operation", "unknown");
        String namespace = text(request, "namespace", null);
        boolean dryRun = request.path("dryRun").asBoolean(false);
        String podName = null;
        try {
            JsonNode pod = request.path("object");
            podName = podName(pod, request);
            if (!isPod(request) || !pod.isObject()) {
                return answer(uid, null, List.of(), Outcome.SKIPPED, operation, mode, dryRun, namespace, podName,
                        List.of(), null);
            }
            String subResource = text(request, "subResource", "");
            PodPlan plan;
            boolean ephemeral = false;
            if ("CREATE".equals(operation) && subResource.isEmpty()) {
                plan = PodRewriter.forCreate(cfg, namespace, pod);
            } else if ("UPDATE".equals(operation) && "ephemeralcontainers".equals(subResource)) {
                plan = PodRewriter.forEphemeralUpdate(cfg, namespace, pod, request.path("oldObject"));
                ephemeral = true;
            } else {
                return answer(uid, null, List.of(), Outcome.SKIPPED, operation, mode, dryRun, namespace, podName,
                        List.of(), null);
            }
            if (plan.podSkip() != null) {
                return answer(uid, null, List.of(), Outcome.SKIPPED, operation, mode, dryRun, namespace, podName,
                        plan.decisions(), null);
            }
            if (!plan.hasRewrites()) {
                return answer(uid, null, List.of(), Outcome.UNCHANGED, operation, mode, dryRun, namespace, podName,
                        plan.decisions(), null);
            }
            List<String> warnings = warnings(plan, mode);
            if (mode == Mode.AUDIT) {
                return answer(uid, null, warnings, Outcome.UNCHANGED, operation, mode, dryRun, namespace, podName,
                        plan.decisions(), null);
            }
            ArrayNode patch = PatchBuilder.build(plan, pod, ORIGINAL_IMAGES_ANNOTATION, !ephemeral, JSON);
            return answer(uid, patch, warnings, Outcome.PATCHED, operation, mode, dryRun, namespace, podName,
                    plan.decisions(), null);
        } catch (RuntimeException | StackOverflowError e) {
            return answer(uid, null, List.of("acr-cache-webhook: internal error, Pod admitted with its images unchanged"),
                    Outcome.ERROR, operation, mode, dryRun, namespace, podName, List.of(), e);
        }
    }

    /** The answer for a well-formed review whose handling failed outside {@link #handle}. */
    public static byte[] failOpen(String uid, String warning) {
        ObjectNode response = NODES.objectNode();
        response.put("uid", uid).put("allowed", true).putArray("warnings").add(warning);
        return serialize(response);
    }

    private static JsonNode envelope(JsonNode review) throws MalformedReviewException {
        if (review == null || !review.isObject()) {
            throw new MalformedReviewException("body must be a JSON object (an AdmissionReview)");
        }
        if (!API_VERSION.equals(review.path("apiVersion").asString(null))) {
            throw new MalformedReviewException("apiVersion must be " + API_VERSION);
        }
        if (!"AdmissionReview".equals(review.path("kind").asString(null))) {
            throw new MalformedReviewException("kind must be AdmissionReview");
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            throw new MalformedReviewException("request must be an object");
        }
        JsonNode uid = request.get("uid");
        if (uid == null || !uid.isString() || uid.stringValue().isEmpty()) {
            throw new MalformedReviewException("request.uid must be a non-empty string");
        }
        return request;
    }

    private static boolean isPod(JsonNode request) {
        JsonNode kind = request.path("kind");
        return "Pod".equals(kind.path("kind").asString(null)) && kind.path("group").asString("").isEmpty();
    }

    private static String podName(JsonNode pod, JsonNode request) {
        String name = pod.path("metadata").path("name").asString("");
        if (!name.isEmpty()) {
            return name;
        }
        String generate = pod.path("metadata").path("generateName").asString("");
        if (!generate.isEmpty()) {
            return generate + "*";
        }
        return text(request, "name", "");
    }

    private static List<String> warnings(PodPlan plan, Mode mode) {
        List<String> out = new ArrayList<>();
        int rewrites = 0;
        for (ImageDecision d : plan.decisions()) {
            if (!d.isRewrite()) {
                continue;
            }
            rewrites++;
            if (out.size() < MAX_WARNINGS) {
                out.add((mode == Mode.AUDIT ? "acr-cache-webhook (audit, not applied): " : "acr-cache-webhook: ")
                        + d.kind().field() + " \"" + d.container() + "\" image " + d.original() + " -> " + d.rewritten());
            }
        }
        if (rewrites > MAX_WARNINGS) {
            out.add("acr-cache-webhook: " + (rewrites - MAX_WARNINGS) + " more images "
                    + (mode == Mode.AUDIT ? "would be " : "") + "rewritten, see annotation " + ORIGINAL_IMAGES_ANNOTATION);
        }
        return out;
    }

    private AdmissionResult answer(String uid, ArrayNode patch, List<String> warnings, Outcome outcome,
                                   String operation, Mode mode, boolean dryRun, String namespace, String podName,
                                   List<ImageDecision> decisions, Throwable error) {
        ObjectNode response = NODES.objectNode();
        response.put("uid", uid).put("allowed", true);
        if (patch != null && !patch.isEmpty()) {
            response.put("patchType", "JSONPatch");
            response.put("patch", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(patch)));
        }
        if (!warnings.isEmpty()) {
            ArrayNode w = response.putArray("warnings");
            warnings.forEach(w::add);
        }
        return new AdmissionResult(serialize(response), outcome, operation, mode, dryRun, namespace, podName,
                decisions, error);
    }

    private static byte[] serialize(ObjectNode response) {
        ObjectNode review = NODES.objectNode();
        review.put("apiVersion", API_VERSION).put("kind", "AdmissionReview").set("response", response);
        return JSON.writeValueAsBytes(review);
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.get(field);
        return v != null && v.isString() ? v.stringValue() : fallback;
    }

    private static String firstLine(String msg) {
        if (msg == null) {
            return "";
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
