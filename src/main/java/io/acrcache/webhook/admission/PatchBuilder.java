package io.acrcache.webhook.admission;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the RFC 6902 patch for a plan: one {@code replace} per rewritten image, and one key-level
 * {@code add} of the annotation that records the original images. The annotation never replaces the
 * annotations map when one exists: other annotations must survive.
 */
public final class PatchBuilder {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PatchBuilder() {
    }

    /**
     * @param recordOriginals false for the ephemeral-containers subresource, where only ephemeral
     *                        containers may change and metadata edits are not allowed
     */
    public static ArrayNode build(PodPlan plan, JsonNode pod, String annotationKey, boolean recordOriginals,
                                  ObjectMapper json) {
        ArrayNode patch = NODES.arrayNode();
        Map<String, String> originals = new TreeMap<>();
        for (ImageDecision d : plan.decisions()) {
            if (d.isRewrite()) {
                patch.addObject()
                        .put("op", "replace")
                        .put("path", "/spec/" + d.kind().field() + "/" + d.index() + "/image")
                        .put("value", d.rewritten());
                originals.put(d.annotationKey(), d.original());
            }
        }
        if (recordOriginals && !originals.isEmpty()) {
            addAnnotation(patch, pod, annotationKey, originals, json);
        }
        return patch;
    }

    private static void addAnnotation(ArrayNode patch, JsonNode pod, String key, Map<String, String> originals,
                                      ObjectMapper json) {
        JsonNode metadata = pod.get("metadata");
        JsonNode annotations = metadata == null ? null : metadata.get("annotations");
        Map<String, String> merged = new TreeMap<>(originals);
        if (annotations != null && annotations.isObject() && annotations.has(key)) {
            // a second rewrite (reinvocation after another webhook): the first original wins
            merged.putAll(previous(annotations.get(key), json));
        }
        String value = json.writeValueAsString(merged);
        if (metadata == null || !metadata.isObject()) {
            ObjectNode m = NODES.objectNode();
            m.putObject("annotations").put(key, value);
            patch.addObject().put("op", "add").put("path", "/metadata").set("value", m);
        } else if (annotations == null || annotations.isNull()) {
            ObjectNode a = NODES.objectNode();
            a.put(key, value);
            patch.addObject().put("op", "add").put("path", "/metadata/annotations").set("value", a);
        } else if (annotations.isObject()) {
            patch.addObject().put("op", "add")
                    .put("path", "/metadata/annotations/" + JsonPointer.escape(key))
                    .put("value", value);
        }
        // annotations of another type would make the Pod invalid anyway; leave them alone
    }

    private static Map<String, String> previous(JsonNode node, ObjectMapper json) {
        Map<String, String> out = new TreeMap<>();
        if (node == null || !node.isString()) {
            return out;
        }
        try {
            JsonNode parsed = json.readTree(node.stringValue());
            if (parsed != null && parsed.isObject()) {
                for (Map.Entry<String, JsonNode> e : parsed.properties()) {
                    if (e.getValue().isString()) {
                        out.put(e.getKey(), e.getValue().stringValue());
                    }
                }
            }
        } catch (JacksonException e) {
            // not ours or damaged: replaced by a fresh record
        }
        return out;
    }
}
