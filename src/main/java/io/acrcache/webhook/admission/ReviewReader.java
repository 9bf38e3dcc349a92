package io.acrcache.webhook.admission;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an AdmissionReview in one streaming pass, keeping only what admission needs and skipping the rest of the Pod
 * without building it. The whole body is still tokenized, so a truncated or otherwise invalid document is refused. A
 * member that appears twice counts once, the last time, as the Go decoder of kube-apiserver reads it.
 */
final class ReviewReader {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MIRROR = "kubernetes.io/config.mirror";

    /** The request part of a review; {@code object}/{@code oldObject} are null unless JSON objects. */
    record Request(
            String uid,
            String kindGroup,
            String kindKind,
            String operation,
            String subResource,
            String namespace,
            String name,
            boolean dryRun,
            PodView object,
            PodView oldObject) {}

    private ReviewReader() {}

    static Request read(byte[] body, String optOutAnnotation) throws MalformedReviewException {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedReviewException("body must be a JSON object (an AdmissionReview)");
            }
            String apiVersion = null;
            String kind = null;
            Request request = null;
            boolean requestPresent = false;
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "apiVersion" -> apiVersion = t == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "kind" -> kind = t == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "request" -> {
                        requestPresent = t == JsonToken.START_OBJECT;
                        request = requestPresent ? request(p, optOutAnnotation) : null;
                        if (!requestPresent) {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new MalformedReviewException("body has content after the AdmissionReview");
            }
            if (!AdmissionReviewHandler.API_VERSION.equals(apiVersion)) {
                throw new MalformedReviewException("apiVersion must be " + AdmissionReviewHandler.API_VERSION);
            }
            if (!"AdmissionReview".equals(kind)) {
                throw new MalformedReviewException("kind must be AdmissionReview");
            }
            if (request == null) {
                throw new MalformedReviewException("request must be an object");
            }
            if (request.uid() == null || request.uid().isEmpty()) {
                throw new MalformedReviewException("request.uid must be a non-empty string");
            }
            return request;
        } catch (JacksonException e) {
            throw new MalformedReviewException("body is not valid JSON: " + firstLine(e.getOriginalMessage()));
        }
    }

    private static Request request(JsonParser p, String optOut) {
        String uid = null, group = "", kind = null, operation = null, subResource = null, namespace = null, name = null;
        boolean dryRun = false;
        PodView object = null, oldObject = null;
        String field;
        while ((field = p.nextName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "uid" -> uid = string(p, t);
                case "operation" -> operation = string(p, t);
                case "subResource" -> subResource = string(p, t);
                case "namespace" -> namespace = string(p, t);
                case "name" -> name = string(p, t);
                case "dryRun" -> dryRun = t == JsonToken.VALUE_TRUE;
                case "kind" -> {
                    group = "";
                    kind = null;
                    if (t == JsonToken.START_OBJECT) {
                        String k;
                        while ((k = p.nextName()) != null) {
                            JsonToken v = p.nextToken();
                            if (k.equals("group")) {
                                group = v == JsonToken.VALUE_STRING ? p.getString() : "";
                            } else if (k.equals("kind")) {
                                kind = string(p, v);
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "object" -> object = t == JsonToken.START_OBJECT ? pod(p, optOut) : skip(p);
                case "oldObject" -> oldObject = t == JsonToken.START_OBJECT ? pod(p, optOut) : skip(p);
                default -> p.skipChildren();
            }
        }
        return new Request(uid, group, kind, operation, subResource, namespace, name, dryRun, object, oldObject);
    }

    /** The annotations the webhook reads; a member given twice replaces the whole record. */
    private record Annotations(
            PodView.Shape shape, boolean mirror, String optOutValue, boolean hasOriginals, String originals) {
        static final Annotations ABSENT = new Annotations(PodView.Shape.ABSENT, false, null, false, null);
    }

    /** The metadata fields the webhook reads. */
    private record Metadata(PodView.Shape shape, String name, String generateName, Annotations annotations) {
        static final Metadata ABSENT = new Metadata(PodView.Shape.ABSENT, "", "", Annotations.ABSENT);
    }

    private static PodView pod(JsonParser p, String optOut) {
        Metadata metadata = Metadata.ABSENT;
        List<List<PodView.ContainerView>> containers = Arrays.asList(null, null, null);
        String field;
        while ((field = p.nextName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "metadata" -> metadata = metadata(p, t, optOut);
                case "spec" -> containers = spec(p, t);
                default -> p.skipChildren();
            }
        }
        Annotations a = metadata.annotations();
        return new PodView(
                metadata.shape(),
                metadata.name(),
                metadata.generateName(),
                a.shape(),
                a.mirror(),
                a.optOutValue(),
                a.hasOriginals(),
                a.originals(),
                containers);
    }

    private static Metadata metadata(JsonParser p, JsonToken t, String optOut) {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new Metadata(shape(t), "", "", Annotations.ABSENT);
        }
        String name = "", generateName = "";
        Annotations annotations = Annotations.ABSENT;
        String m;
        while ((m = p.nextName()) != null) {
            JsonToken v = p.nextToken();
            switch (m) {
                case "name" -> name = v == JsonToken.VALUE_STRING ? p.getString() : "";
                case "generateName" -> generateName = v == JsonToken.VALUE_STRING ? p.getString() : "";
                case "annotations" -> annotations = annotations(p, v, optOut);
                default -> p.skipChildren();
            }
        }
        return new Metadata(PodView.Shape.OBJECT, name, generateName, annotations);
    }

    private static Annotations annotations(JsonParser p, JsonToken t, String optOut) {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new Annotations(shape(t), false, null, false, null);
        }
        boolean mirror = false, hasOriginals = false;
        String optOutValue = null, originals = null;
        String key;
        while ((key = p.nextName()) != null) {
            JsonToken a = p.nextToken();
            if (key.equals(MIRROR)) {
                mirror = true;
            }
            if (key.equals(optOut)) {
                optOutValue = string(p, a);
            }
            if (key.equals(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION)) {
                hasOriginals = true;
                originals = string(p, a);
            }
            p.skipChildren();
        }
        return new Annotations(PodView.Shape.OBJECT, mirror, optOutValue, hasOriginals, originals);
    }

    /** The three container lists of a spec, by {@link ContainerKind} ordinal; null where not an array. */
    private static List<List<PodView.ContainerView>> spec(JsonParser p, JsonToken t) {
        List<List<PodView.ContainerView>> containers = Arrays.asList(null, null, null);
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return containers;
        }
        String s;
        while ((s = p.nextName()) != null) {
            JsonToken v = p.nextToken();
            ContainerKind kind = switch (s) {
                case "containers" -> ContainerKind.CONTAINERS;
                case "initContainers" -> ContainerKind.INIT_CONTAINERS;
                case "ephemeralContainers" -> ContainerKind.EPHEMERAL_CONTAINERS;
                default -> null;
            };
            if (kind != null && v == JsonToken.START_ARRAY) {
                containers.set(kind.ordinal(), containerList(p));
            } else {
                if (kind != null) {
                    containers.set(kind.ordinal(), null);
                }
                p.skipChildren();
            }
        }
        return containers;
    }

    private static List<PodView.ContainerView> containerList(JsonParser p) {
        List<PodView.ContainerView> list = new ArrayList<>(4);
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                // not a container: kept as a slot so that indexes in the patch stay those of the array
                p.skipChildren();
                list.add(new PodView.ContainerView("", null, null));
                continue;
            }
            String name = "", image = null, policy = null;
            String f;
            while ((f = p.nextName()) != null) {
                JsonToken v = p.nextToken();
                switch (f) {
                    case "name" -> name = v == JsonToken.VALUE_STRING ? p.getString() : "";
                    case "image" -> image = string(p, v);
                    case "imagePullPolicy" -> policy = string(p, v);
                    default -> p.skipChildren();
                }
            }
            list.add(new PodView.ContainerView(name, image, policy));
        }
        return list;
    }

    private static PodView skip(JsonParser p) {
        p.skipChildren();
        return null;
    }

    private static String string(JsonParser p, JsonToken t) {
        if (t == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        p.skipChildren();
        return null;
    }

    private static PodView.Shape shape(JsonToken t) {
        if (t == JsonToken.START_OBJECT) {
            return PodView.Shape.OBJECT;
        }
        return t == JsonToken.VALUE_NULL ? PodView.Shape.NULL : PodView.Shape.OTHER;
    }

    private static String firstLine(String msg) {
        if (msg == null) {
            return "";
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
