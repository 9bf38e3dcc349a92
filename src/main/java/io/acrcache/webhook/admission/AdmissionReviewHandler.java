package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Mode;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * AdmissionReview in, AdmissionReview out; no transport. A well-formed review always gets an answer: any failure past
 * the envelope is admitted unchanged with a warning (this webhook fails open, it must never be the reason a Pod cannot
 * start).
 */
public final class AdmissionReviewHandler {
    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String ORIGINAL_IMAGES_ANNOTATION = "acr-cache-webhook.io/original-images";
    static final int MAX_WARNINGS = 10;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Supplier<LoadedConfig> config;

    public AdmissionReviewHandler(Supplier<LoadedConfig> config) {
        this.config = config;
    }

    /** @param forcedMode {@link Mode#AUDIT} for the audit endpoint; null to use the configured mode */
    public AdmissionResult handle(byte[] body, Mode forcedMode) throws MalformedReviewException {
        LoadedConfig cfg = config.get();
        ReviewReader.Request request = ReviewReader.read(body, cfg.settings().optOutAnnotation());
        String uid = request.uid();
        Mode mode = forcedMode != null ? forcedMode : cfg.settings().mode();
        String operation = request.operation() == null ? "unknown" : request.operation();
        String namespace = request.namespace();
        boolean dryRun = request.dryRun();
        String podName = null;
        try {
            PodView pod = request.object();
            podName = podName(pod, request);
            boolean isPod =
                    "Pod".equals(request.kindKind()) && request.kindGroup().isEmpty();
            if (!isPod || pod == null) {
                return answer(
                        uid,
                        null,
                        List.of(),
                        Outcome.SKIPPED,
                        operation,
                        mode,
                        dryRun,
                        namespace,
                        podName,
                        List.of(),
                        null);
            }
            String subResource = request.subResource() == null ? "" : request.subResource();
            PodPlan plan;
            boolean ephemeral = false;
            if ("CREATE".equals(operation) && subResource.isEmpty()) {
                plan = PodRewriter.forCreate(cfg, namespace, pod);
            } else if ("UPDATE".equals(operation) && "ephemeralcontainers".equals(subResource)) {
                plan = PodRewriter.forEphemeralUpdate(cfg, namespace, pod, request.oldObject());
                ephemeral = true;
            } else {
                return answer(
                        uid,
                        null,
                        List.of(),
                        Outcome.SKIPPED,
                        operation,
                        mode,
                        dryRun,
                        namespace,
                        podName,
                        List.of(),
                        null);
            }
            if (plan.podSkip() != null) {
                return answer(
                        uid,
                        null,
                        List.of(),
                        Outcome.SKIPPED,
                        operation,
                        mode,
                        dryRun,
                        namespace,
                        podName,
                        plan.decisions(),
                        null);
            }
            if (!plan.hasRewrites()) {
                return answer(
                        uid,
                        null,
                        List.of(),
                        Outcome.UNCHANGED,
                        operation,
                        mode,
                        dryRun,
                        namespace,
                        podName,
                        plan.decisions(),
                        null);
            }
            List<String> warnings = warnings(plan, mode);
            if (mode == Mode.AUDIT) {
                return answer(
                        uid,
                        null,
                        warnings,
                        Outcome.UNCHANGED,
                        operation,
                        mode,
                        dryRun,
                        namespace,
                        podName,
                        plan.decisions(),
                        null);
            }
            byte[] patch = PatchBuilder.build(plan, pod, ORIGINAL_IMAGES_ANNOTATION, !ephemeral);
            return answer(
                    uid,
                    patch,
                    warnings,
                    Outcome.PATCHED,
                    operation,
                    mode,
                    dryRun,
                    namespace,
                    podName,
                    plan.decisions(),
                    null);
        } catch (RuntimeException | StackOverflowError e) {
            return answer(
                    uid,
                    null,
                    List.of("acr-cache-webhook: internal error, Pod admitted with its images unchanged"),
                    Outcome.ERROR,
                    operation,
                    mode,
                    dryRun,
                    namespace,
                    podName,
                    List.of(),
                    e);
        }
    }

    private static String podName(PodView pod, ReviewReader.Request request) {
        if (pod != null && !pod.name().isEmpty()) {
            return pod.name();
        }
        if (pod != null && !pod.generateName().isEmpty()) {
            return pod.generateName() + "*";
        }
        return request.name() == null ? "" : request.name();
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
                        + d.kind().field() + " \"" + d.container() + "\" image " + d.original() + " -> "
                        + d.rewritten());
            }
        }
        if (rewrites > MAX_WARNINGS) {
            out.add("acr-cache-webhook: " + (rewrites - MAX_WARNINGS) + " more images "
                    + (mode == Mode.AUDIT ? "would be " : "") + "rewritten, see annotation "
                    + ORIGINAL_IMAGES_ANNOTATION);
        }
        return out;
    }

    /** A new AdmissionReview holding only the response (the request is never echoed back). */
    private static AdmissionResult answer(
            String uid,
            byte[] patch,
            List<String> warnings,
            Outcome outcome,
            String operation,
            Mode mode,
            boolean dryRun,
            String namespace,
            String podName,
            List<ImageDecision> decisions,
            Throwable error) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(patch == null ? 160 : 256 + patch.length * 4 / 3);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("apiVersion", API_VERSION);
            g.writeStringProperty("kind", "AdmissionReview");
            g.writeObjectPropertyStart("response");
            g.writeStringProperty("uid", uid);
            g.writeBooleanProperty("allowed", true);
            if (patch != null) {
                g.writeStringProperty("patchType", "JSONPatch");
                g.writeStringProperty("patch", Base64.getEncoder().encodeToString(patch));
            }
            if (!warnings.isEmpty()) {
                g.writeArrayPropertyStart("warnings");
                for (String w : warnings) {
                    g.writeString(w);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        return new AdmissionResult(
                out.toByteArray(), outcome, operation, mode, dryRun, namespace, podName, decisions, error);
    }
}
