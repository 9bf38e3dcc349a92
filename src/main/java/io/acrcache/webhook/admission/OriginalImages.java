package io.acrcache.webhook.admission;

import io.acrcache.webhook.rules.ImagePlanner;
import io.acrcache.webhook.rules.ImageTarget;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

import java.util.Map;
import java.util.TreeMap;

/**
 * The original-images record a Pod brought with it, checked against the Pod itself. The record is ours, but a Pod's
 * author can pre-set it to lie about where an image came from, and policy engines read it. An entry is kept only when
 * the container's current image is what the rules make of the recorded original: exactly what an earlier pass of this
 * webhook wrote (a reinvocation after another webhook). Everything else is replaced with the truth.
 *
 * @param kept the entries that hold, by annotation key ({@code containers/app})
 * @param corrected whether the record as brought differs from {@code kept} (entries that do not hold, or a value that
 *     is not a record), so that the answer must rewrite or remove it even when nothing else changes
 */
public record OriginalImages(Map<String, String> kept, boolean corrected) {

    /** What of the Pod's record holds; null when the Pod brought none (the plain, common case). */
    static OriginalImages check(PodView pod, ImagePlanner images) {
        PodView.Annotations annotations = pod.metadata().annotations();
        if (!annotations.hasOriginalImages()) {
            return null;
        }
        Map<String, String> brought = parse(annotations.originalImages());
        if (brought == null) {
            return new OriginalImages(Map.of(), true);
        }
        Map<String, String> kept = new TreeMap<>();
        for (Map.Entry<String, String> e : brought.entrySet()) {
            String current = currentImage(pod, e.getKey());
            if (current != null
                    && images.plan(e.getValue()) instanceof ImageTarget.Rewrite r
                    && r.rewritten().equals(current)) {
                kept.put(e.getKey(), e.getValue());
            }
        }
        return new OriginalImages(kept, kept.size() != brought.size());
    }

    /** The image of the container an annotation key names ({@code initContainers/setup}), or null. */
    private static String currentImage(PodView pod, String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String field = key.substring(0, slash);
        String name = key.substring(slash + 1);
        for (ContainerKind kind : ContainerKind.values()) {
            if (kind.field().equals(field) && pod.containers(kind) != null) {
                for (PodView.ContainerView c : pod.containers(kind)) {
                    if (c.name().equals(name)) {
                        return c.image();
                    }
                }
            }
        }
        return null;
    }

    /** The entries of a record; null when the value is not one (not a string, not a JSON object of strings). */
    static Map<String, String> parse(String recorded) {
        if (recorded == null) {
            return null;
        }
        Map<String, String> out = new TreeMap<>();
        try (JsonParser p = AdmissionJson.parser(recorded)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String name;
            while ((name = p.nextName()) != null) {
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    return null;
                }
                out.put(name, p.getString());
            }
            if (p.nextToken() != null) {
                return null; // text after the object
            }
        } catch (JacksonException e) {
            return null;
        }
        return out;
    }
}
