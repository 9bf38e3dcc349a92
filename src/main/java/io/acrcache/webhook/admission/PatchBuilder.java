package io.acrcache.webhook.admission;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the RFC 6902 patch for a plan: one {@code replace} per rewritten image, and one key-level {@code add} of the
 * annotation that records the original images. The annotation never replaces the annotations map when one exists: other
 * annotations must survive. Written straight to bytes with a JSON generator, so every string is escaped by Jackson and
 * nothing is assembled by hand.
 */
public final class PatchBuilder {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PatchBuilder() {}

    /**
     * @param recordOriginals false for the ephemeral-containers subresource, where only ephemeral containers may change
     *     and metadata edits are not allowed
     * @return the patch as UTF-8 JSON, or null when there is nothing to change
     */
    public static byte[] build(PodPlan plan, PodView pod, String annotationKey, boolean recordOriginals) {
        Map<String, String> originals = null;
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (ImageDecision d : plan.decisions()) {
                if (d.isRewrite()) {
                    g.writeStartObject();
                    g.writeStringProperty("op", "replace");
                    g.writeStringProperty("path", "/spec/" + d.kind().field() + "/" + d.index() + "/image");
                    g.writeStringProperty("value", d.rewritten());
                    g.writeEndObject();
                    if (originals == null) {
                        originals = new TreeMap<>();
                    }
                    originals.put(d.annotationKey(), d.original());
                }
            }
            if (originals == null) {
                return null;
            }
            if (recordOriginals) {
                addAnnotation(g, pod, annotationKey, originals);
            }
            g.writeEndArray();
        }
        return out.toByteArray();
    }

    /**
     * The value of the original-images annotation after the plan's rewrites, as {@link #build} writes it (an earlier
     * record's entries win); null when the plan rewrites nothing. For callers that edit a manifest rather than a Pod.
     */
    public static String originalImages(PodPlan plan, PodView.Annotations annotations) {
        Map<String, String> originals = new TreeMap<>();
        for (ImageDecision d : plan.decisions()) {
            if (d.isRewrite()) {
                originals.put(d.annotationKey(), d.original());
            }
        }
        if (originals.isEmpty()) {
            return null;
        }
        if (annotations.hasOriginalImages()) {
            originals.putAll(previous(annotations.originalImages()));
        }
        return toJson(originals);
    }

    private static void addAnnotation(JsonGenerator g, PodView pod, String key, Map<String, String> originals) {
        Map<String, String> merged = originals;
        PodView.Annotations annotations = pod.metadata().annotations();
        if (annotations.hasOriginalImages()) {
            // a second rewrite (reinvocation after another webhook): the first original wins
            merged.putAll(previous(annotations.originalImages()));
        }
        String value = toJson(merged);
        switch (pod.metadata().shape()) {
            case ABSENT, NULL, OTHER -> {
                g.writeStartObject();
                g.writeStringProperty("op", "add");
                g.writeStringProperty("path", "/metadata");
                g.writeObjectPropertyStart("value");
                g.writeObjectPropertyStart("annotations");
                g.writeStringProperty(key, value);
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }
            case OBJECT -> {
                if (annotations.shape() == PodView.Shape.OTHER) {
                    return; // annotations of another type make the Pod invalid anyway; leave them alone
                }
                g.writeStartObject();
                g.writeStringProperty("op", "add");
                if (annotations.shape() == PodView.Shape.OBJECT) {
                    g.writeStringProperty("path", "/metadata/annotations/" + JsonPointer.escape(key));
                    g.writeStringProperty("value", value);
                } else {
                    g.writeStringProperty("path", "/metadata/annotations");
                    g.writeObjectPropertyStart("value");
                    g.writeStringProperty(key, value);
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
        }
    }

    private static String toJson(Map<String, String> map) {
        StringWriter w = new StringWriter(64);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            for (Map.Entry<String, String> e : map.entrySet()) {
                g.writeStringProperty(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        return w.toString();
    }

    /** The entries of an earlier record; a value that is not such a record is replaced by a fresh one. */
    private static Map<String, String> previous(String recorded) {
        Map<String, String> out = new TreeMap<>();
        if (recorded == null) {
            return out;
        }
        try (JsonParser p = JSON.createParser(recorded)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return out;
            }
            String name;
            while ((name = p.nextName()) != null) {
                if (p.nextToken() == JsonToken.VALUE_STRING) {
                    out.put(name, p.getString());
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            out.clear();
        }
        return out;
    }
}
