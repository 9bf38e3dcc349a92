package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.Mode;
import tools.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;

/**
 * What one review says about itself, read once, and the named answers to it. Every answer allows the Pod (this webhook
 * fails open); they differ in the patch, the warnings and the {@link Outcome} reported to metrics and logs.
 *
 * @param operation the request's operation (CREATE, UPDATE, ...), "unknown" when unreadable
 * @param podName the Pod's name, {@code generateName*}, or the request's name; "" when none
 * @param pod the Pod under review, null when the object is not one
 * @param ephemeral whether this is an update of the {@code ephemeralcontainers} subresource, where metadata must not
 *     change
 */
public record ReviewContext(
        String uid,
        String operation,
        Mode mode,
        boolean dryRun,
        String namespace,
        String podName,
        PodView pod,
        boolean ephemeral) {

    static final String INTERNAL_ERROR_WARNING =
            "acr-cache-webhook: internal error, Pod admitted with its images unchanged";

    /** Out of scope (another kind or operation, or a Pod-level skip): admitted as it is. */
    public AdmissionResult skipped(List<ImageDecision> decisions) {
        return answer(null, List.of(), Outcome.SKIPPED, decisions, null);
    }

    /** In scope, nothing changed; {@code warnings} say what audit mode would have done. */
    public AdmissionResult unchanged(List<ImageDecision> decisions, List<String> warnings) {
        return answer(null, warnings, Outcome.UNCHANGED, decisions, null);
    }

    /** Admitted with {@code patch} (RFC 6902, UTF-8 JSON) applied. */
    public AdmissionResult patched(List<ImageDecision> decisions, byte[] patch, List<String> warnings) {
        return answer(patch, warnings, Outcome.PATCHED, decisions, null);
    }

    /** An internal failure: admitted unchanged, with a warning, and {@code error} kept for the log. */
    public AdmissionResult errored(Throwable error) {
        return answer(null, List.of(INTERNAL_ERROR_WARNING), Outcome.ERROR, List.of(), error);
    }

    /** A new AdmissionReview holding only the response (the request is never echoed back). */
    private AdmissionResult answer(
            byte[] patch, List<String> warnings, Outcome outcome, List<ImageDecision> decisions, Throwable error) {
        // sized for the whole answer (envelope, Base64 of the patch, warnings with room for escapes): no regrowth
        int size = 192 + (uid == null ? 0 : uid.length()) + (patch == null ? 0 : (patch.length + 2) / 3 * 4);
        for (String w : warnings) {
            size += w.length() + w.length() / 8 + 4;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        try (JsonGenerator g = AdmissionJson.generator(out)) {
            g.writeStartObject();
            g.writeStringProperty("apiVersion", AdmissionReviewHandler.API_VERSION);
            g.writeStringProperty("kind", "AdmissionReview");
            g.writeObjectPropertyStart("response");
            g.writeStringProperty("uid", uid);
            g.writeBooleanProperty("allowed", true);
            if (patch != null) {
                g.writeStringProperty("patchType", "JSONPatch");
                // RFC 4648's standard alphabet with padding and no line feeds, as Kubernetes decodes it. The JDK's
                // encoder (a CPU intrinsic) rather than Jackson's byte loop; its output needs no escaping, so it goes
                // in quoted as it is
                byte[] base64 = Base64.getEncoder().encode(patch);
                g.writeName("patch");
                g.writeRawUTF8String(base64, 0, base64.length);
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
        return new AdmissionResult(out.toByteArray(), outcome, this, decisions, error);
    }
}
