package io.acrcache.webhook.admission;

import tools.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the RFC 6902 patch for a plan: one {@code replace} per rewritten image, and one key-level {@code add} of the
 * annotation that records the original images. The annotation never replaces the annotations map when one exists: other
 * annotations must survive. Written straight to bytes with a JSON generator, so every string is escaped by Jackson and
 * nothing is assembled by hand.
 */
public final class PatchBuilder {

    private PatchBuilder() {}

    /**
     * @param recordOriginals false for the ephemeral-containers subresource, where only ephemeral containers may change
     *     and metadata edits are not allowed
     * @return the patch as UTF-8 JSON, or null when there is nothing to change
     */
    public static byte[] build(PodPlan plan, PodView pod, String annotationKey, boolean recordOriginals) {
        return build(plan, pod, annotationKey, null, recordOriginals);
    }

    /**
     * As {@link #build(PodPlan, PodView, String, boolean)}, and when {@code guardKey} is set, one more key-level
     * {@code add}: the registry guard's state for each image it left alone, e.g.
     * {@code {"containers/app":"unverified"}}. A plan whose only news is the guard's gets a patch with that annotation
     * alone, so the Pod says why.
     *
     * @param guardKey the guard annotation's key; null when the guard did not look at this Pod
     * @param recordMetadata false for the ephemeral-containers subresource (no annotation at all)
     */
    public static byte[] build(
            PodPlan plan, PodView pod, String annotationKey, String guardKey, boolean recordMetadata) {
        Map<String, String> originals = null;
        Map<String, String> guarded = null;
        for (ImageDecision d : plan.decisions()) {
            if (d.isRewrite()) {
                if (originals == null) {
                    originals = new TreeMap<>();
                }
                originals.put(d.annotationKey(), d.original());
            } else if (guardKey != null && d.skipReason().guardState() != null) {
                if (guarded == null) {
                    guarded = new TreeMap<>();
                }
                guarded.put(d.annotationKey(), d.skipReason().guardState());
            }
        }
        boolean correct = recordMetadata && plan.correctsRecord();
        if (originals == null && !correct && (guarded == null || !recordMetadata)) {
            return null;
        }
        // the annotations' values first: one generator at a time, so each finds the thread's recycled buffers free
        String originalsJson = null;
        String guardedJson = null;
        if (recordMetadata) {
            if (originals != null || correct) {
                // "{}" when none of what the Pod brought holds: the truth, and the same edit the rewrite command makes
                originalsJson = toJson(recorded(plan, originals));
            }
            guardedJson = guarded == null ? null : toJson(guarded);
        }
        // sized for the whole patch (each op's fixed text, the values, room for the annotations' escaped quotes): a
        // buffer that regrows copies the patch at every doubling
        int size = 96 + lengthWithEscapes(originalsJson) + lengthWithEscapes(guardedJson);
        for (ImageDecision d : plan.decisions()) {
            if (d.isRewrite()) {
                size += 64 + d.rewritten().length();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        try (JsonGenerator g = AdmissionJson.generator(out)) {
            g.writeStartArray();
            for (ImageDecision d : plan.decisions()) {
                if (d.isRewrite()) {
                    g.writeStartObject();
                    g.writeStringProperty("op", "replace");
                    g.writeStringProperty("path", "/spec/" + d.kind().field() + "/" + d.index() + "/image");
                    g.writeStringProperty("value", d.rewritten());
                    g.writeEndObject();
                }
            }
            if (recordMetadata) {
                addAnnotations(
                        g,
                        pod,
                        originalsJson == null ? null : annotationKey,
                        originalsJson,
                        guarded == null ? null : guardKey,
                        guardedJson);
            }
            g.writeEndArray();
        }
        return out.toByteArray();
    }

    /**
     * The value of the original-images annotation after the plan, as {@link #build} writes it (what held of the record
     * the Pod brought, then the plan's rewrites); null when neither the images nor the record change. For callers that
     * edit a manifest rather than a Pod.
     */
    public static String originalImages(PodPlan plan) {
        Map<String, String> originals = null;
        for (ImageDecision d : plan.decisions()) {
            if (d.isRewrite()) {
                if (originals == null) {
                    originals = new TreeMap<>();
                }
                originals.put(d.annotationKey(), d.original());
            }
        }
        if (originals == null && !plan.correctsRecord()) {
            return null;
        }
        return toJson(recorded(plan, originals));
    }

    /**
     * The record after this plan: what held of the Pod's own record, then this plan's rewrites (the truth wins over
     * what the Pod brought).
     */
    private static Map<String, String> recorded(PodPlan plan, Map<String, String> rewrites) {
        Map<String, String> all = new TreeMap<>();
        if (plan.brought() != null) {
            all.putAll(plan.brought().kept());
        }
        if (rewrites != null) {
            all.putAll(rewrites);
        }
        return all;
    }

    /**
     * Adds each annotation by its own key, or the whole map when the Pod has none yet. A null key is skipped (two
     * parameters rather than a map: the plain rewrite path allocates nothing for the guard's sake).
     */
    private static void addAnnotations(
            JsonGenerator g, PodView pod, String key1, String value1, String key2, String value2) {
        PodView.Annotations annotations = pod.metadata().annotations();
        switch (pod.metadata().shape()) {
            case ABSENT, NULL, OTHER -> {
                g.writeStartObject();
                g.writeStringProperty("op", "add");
                g.writeStringProperty("path", "/metadata");
                g.writeObjectPropertyStart("value");
                g.writeObjectPropertyStart("annotations");
                writeEntries(g, key1, value1, key2, value2);
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }
            case OBJECT -> {
                if (annotations.shape() == PodView.Shape.OTHER) {
                    return; // annotations of another type make the Pod invalid anyway; leave them alone
                }
                if (annotations.shape() == PodView.Shape.OBJECT) {
                    addKey(g, key1, value1);
                    addKey(g, key2, value2);
                } else {
                    g.writeStartObject();
                    g.writeStringProperty("op", "add");
                    g.writeStringProperty("path", "/metadata/annotations");
                    g.writeObjectPropertyStart("value");
                    writeEntries(g, key1, value1, key2, value2);
                    g.writeEndObject();
                    g.writeEndObject();
                }
            }
        }
    }

    private static int lengthWithEscapes(String json) {
        return json == null ? 0 : 80 + json.length() + json.length() / 4;
    }

    private static void addKey(JsonGenerator g, String key, String value) {
        if (key != null) {
            g.writeStartObject();
            g.writeStringProperty("op", "add");
            g.writeStringProperty("path", "/metadata/annotations/" + JsonPointer.escape(key));
            g.writeStringProperty("value", value);
            g.writeEndObject();
        }
    }

    private static void writeEntries(JsonGenerator g, String key1, String value1, String key2, String value2) {
        if (key1 != null) {
            g.writeStringProperty(key1, value1);
        }
        if (key2 != null) {
            g.writeStringProperty(key2, value2);
        }
    }

    private static String toJson(Map<String, String> map) {
        // the UTF-8 generator, as for the patch: its buffers are the recycled ones (a Writer-based one allocates its
        // own)
        ByteArrayOutputStream w = new ByteArrayOutputStream(64 + 64 * map.size());
        try (JsonGenerator g = AdmissionJson.generator(w)) {
            g.writeStartObject();
            for (Map.Entry<String, String> e : map.entrySet()) {
                g.writeStringProperty(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        return w.toString(StandardCharsets.UTF_8);
    }
}
