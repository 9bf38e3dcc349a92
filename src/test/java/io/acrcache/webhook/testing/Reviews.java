package io.acrcache.webhook.testing;

import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.GroupVersionResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequestBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonPatch;
import jakarta.json.JsonStructure;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * Builds AdmissionReviews from typed Fabric8 objects, as kube-apiserver would send them, and applies answers with
 * Jakarta JSON-P (Parsson): an RFC 6902 implementation independent of the code that built the patch.
 */
public final class Reviews {
    public static final KubernetesSerialization K8S = new KubernetesSerialization();

    private Reviews() {}

    public static String create(Pod pod) {
        return review(pod, null, "CREATE", null, false);
    }

    public static String review(Pod pod, Pod oldPod, String operation, String subResource, boolean dryRun) {
        String namespace = pod.getMetadata() == null ? null : pod.getMetadata().getNamespace();
        AdmissionReview review = new AdmissionReviewBuilder()
                .withApiVersion("admission.k8s.io/v1")
                .withKind("AdmissionReview")
                .withRequest(new AdmissionRequestBuilder()
                        .withUid(UUID.randomUUID().toString())
                        .withKind(new GroupVersionKind("", "Pod", "v1"))
                        .withResource(new GroupVersionResource("", "pods", "v1"))
                        .withRequestKind(new GroupVersionKind("", "Pod", "v1"))
                        .withSubResource(subResource)
                        .withNamespace(namespace)
                        .withName(
                                pod.getMetadata() == null
                                        ? null
                                        : pod.getMetadata().getName())
                        .withOperation(operation)
                        .withObject(pod)
                        .withOldObject(oldPod)
                        .withDryRun(dryRun)
                        .build())
                .build();
        return K8S.asJson(review);
    }

    public static AdmissionReview answer(byte[] body) {
        return K8S.unmarshal(new String(body, StandardCharsets.UTF_8), AdmissionReview.class);
    }

    public static String uid(String reviewJson) {
        return K8S.unmarshal(reviewJson, AdmissionReview.class).getRequest().getUid();
    }

    /** Applies a base64 JSONPatch to a Pod with Parsson and reads the result back as a typed Pod. */
    public static Pod apply(Pod pod, String base64Patch) {
        String patchJson = new String(Base64.getDecoder().decode(base64Patch), StandardCharsets.UTF_8);
        JsonArray ops = Json.createReader(new StringReader(patchJson)).readArray();
        JsonPatch patch = Json.createPatch(ops);
        JsonStructure target =
                Json.createReader(new StringReader(K8S.asJson(pod))).read();
        JsonStructure result = patch.apply(target);
        return K8S.unmarshal(result.toString(), Pod.class);
    }

    public static String decodePatch(String base64Patch) {
        return new String(Base64.getDecoder().decode(base64Patch), StandardCharsets.UTF_8);
    }
}
