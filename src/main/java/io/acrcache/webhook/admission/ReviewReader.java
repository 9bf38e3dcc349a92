package io.acrcache.webhook.admission;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an AdmissionReview in one streaming pass, keeping only what admission needs and skipping the rest of the Pod
 * without building it. The whole body is still tokenized, so a truncated or otherwise invalid document is refused. A
 * member that appears twice counts once, the last time, as the Go decoder of kube-apiserver reads it.
 */
final class ReviewReader {
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

    /** The configured opt-out annotation, which the annotations collector looks for. */
    private final String optOut;

    private ReviewReader(String optOut) {
        this.optOut = optOut;
    }

    static Request read(byte[] body, int offset, int length, String optOutAnnotation) throws MalformedReviewException {
        try (JsonParser p = AdmissionJson.parser(body, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedReviewException("body must be a JSON object (an AdmissionReview)");
            }
            Envelope review = members(p, new ReviewReader(optOutAnnotation).new Envelope());
            if (p.nextToken() != null) {
                throw new MalformedReviewException("body has content after the AdmissionReview");
            }
            if (!AdmissionReviewHandler.API_VERSION.equals(review.apiVersion)) {
                throw new MalformedReviewException("apiVersion must be " + AdmissionReviewHandler.API_VERSION);
            }
            if (!"AdmissionReview".equals(review.kind)) {
                throw new MalformedReviewException("kind must be AdmissionReview");
            }
            if (review.request == null) {
                throw new MalformedReviewException("request must be an object");
            }
            Request request = review.request.build();
            if (request.uid() == null || request.uid().isEmpty()) {
                throw new MalformedReviewException("request.uid must be a non-empty string");
            }
            return request;
        } catch (JacksonException e) {
            throw new MalformedReviewException("body is not valid JSON: " + firstLine(e.getOriginalMessage()));
        }
    }

    /**
     * Collects what it needs from the members of one JSON object. {@link #member} is called with the parser on the
     * member's first token and must consume the whole value (read a scalar, or {@code skipChildren}).
     */
    private abstract static class Members {
        abstract void member(JsonParser p, String name, JsonToken t);
    }

    /** Feeds every member of the object the parser is in to {@code into}; the one loop over object members. */
    private static <M extends Members> M members(JsonParser p, M into) {
        String name;
        while ((name = p.nextName()) != null) {
            into.member(p, name, p.nextToken());
        }
        return into;
    }

    /** A member given twice replaces what the first one gave: each object value starts from a fresh collector. */
    private static <M extends Members> M object(JsonParser p, JsonToken t, M fresh) {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        return members(p, fresh);
    }

    private final class Envelope extends Members {
        String apiVersion;
        String kind;
        RequestMembers request;

        @Override
        void member(JsonParser p, String name, JsonToken t) {
            switch (name) {
                case "apiVersion" -> apiVersion = string(p, t);
                case "kind" -> kind = string(p, t);
                case "request" -> request = object(p, t, new RequestMembers());
                default -> p.skipChildren();
            }
        }
    }

    private final class RequestMembers extends Members {
        String uid, operation, subResource, namespace, name;
        KindMembers kind;
        boolean dryRun;
        PodMembers object, oldObject;

        @Override
        void member(JsonParser p, String field, JsonToken t) {
            switch (field) {
                case "uid" -> uid = string(p, t);
                case "operation" -> operation = string(p, t);
                case "subResource" -> subResource = string(p, t);
                case "namespace" -> namespace = string(p, t);
                case "name" -> name = string(p, t);
                case "dryRun" -> {
                    dryRun = t == JsonToken.VALUE_TRUE;
                    p.skipChildren();
                }
                case "kind" -> kind = object(p, t, new KindMembers());
                case "object" -> object = object(p, t, new PodMembers());
                case "oldObject" -> oldObject = object(p, t, new PodMembers());
                default -> p.skipChildren();
            }
        }

        Request build() {
            return new Request(
                    uid,
                    kind == null ? "" : kind.group,
                    kind == null ? null : kind.kind,
                    operation,
                    subResource,
                    namespace,
                    name,
                    dryRun,
                    object == null ? null : object.build(),
                    oldObject == null ? null : oldObject.build());
        }
    }

    /** {@code request.kind}: the group ("" unless a string) and kind of the object. */
    private static final class KindMembers extends Members {
        String group = "";
        String kind;

        @Override
        void member(JsonParser p, String name, JsonToken t) {
            switch (name) {
                case "group" -> group = stringOr(p, t, "");
                case "kind" -> kind = string(p, t);
                default -> p.skipChildren();
            }
        }
    }

    private final class PodMembers extends Members {
        PodView.Metadata metadata = PodView.Metadata.ABSENT;
        List<List<PodView.ContainerView>> containers = noContainers();

        @Override
        void member(JsonParser p, String name, JsonToken t) {
            switch (name) {
                case "metadata" -> {
                    MetadataMembers m = object(p, t, new MetadataMembers());
                    metadata =
                            m == null ? new PodView.Metadata(shape(t), "", "", PodView.Annotations.ABSENT) : m.build();
                }
                case "spec" -> {
                    SpecMembers spec = object(p, t, new SpecMembers());
                    containers = spec == null ? noContainers() : spec.containers;
                }
                default -> p.skipChildren();
            }
        }

        PodView build() {
            return new PodView(metadata, containers);
        }
    }

    private final class MetadataMembers extends Members {
        String name = "", generateName = "";
        PodView.Annotations annotations = PodView.Annotations.ABSENT;

        @Override
        void member(JsonParser p, String field, JsonToken t) {
            switch (field) {
                case "name" -> name = stringOr(p, t, "");
                case "generateName" -> generateName = stringOr(p, t, "");
                case "annotations" -> {
                    AnnotationMembers a = object(p, t, new AnnotationMembers());
                    annotations = a == null ? new PodView.Annotations(shape(t), false, null, false, null) : a.build();
                }
                default -> p.skipChildren();
            }
        }

        PodView.Metadata build() {
            return new PodView.Metadata(PodView.Shape.OBJECT, name, generateName, annotations);
        }
    }

    private final class AnnotationMembers extends Members {
        boolean mirror, hasOriginals;
        String optOutValue, originals;

        @Override
        void member(JsonParser p, String key, JsonToken t) {
            if (key.equals(MIRROR)) {
                mirror = true;
            }
            if (key.equals(optOut)) {
                optOutValue = string(p, t);
            }
            if (key.equals(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION)) {
                hasOriginals = true;
                originals = string(p, t);
            }
            p.skipChildren();
        }

        PodView.Annotations build() {
            return new PodView.Annotations(PodView.Shape.OBJECT, mirror, optOutValue, hasOriginals, originals);
        }
    }

    /** The three container lists of a spec, by {@link ContainerKind} ordinal; null where not an array. */
    private static final class SpecMembers extends Members {
        final List<List<PodView.ContainerView>> containers = noContainers();

        @Override
        void member(JsonParser p, String name, JsonToken t) {
            ContainerKind kind = switch (name) {
                case "containers" -> ContainerKind.CONTAINERS;
                case "initContainers" -> ContainerKind.INIT_CONTAINERS;
                case "ephemeralContainers" -> ContainerKind.EPHEMERAL_CONTAINERS;
                default -> null;
            };
            if (kind != null && t == JsonToken.START_ARRAY) {
                containers.set(kind.ordinal(), containerList(p));
            } else {
                if (kind != null) {
                    containers.set(kind.ordinal(), null);
                }
                p.skipChildren();
            }
        }
    }

    private static List<List<PodView.ContainerView>> noContainers() {
        return Arrays.asList(null, null, null);
    }

    private static List<PodView.ContainerView> containerList(JsonParser p) {
        List<PodView.ContainerView> list = new ArrayList<>(4);
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            ContainerMembers c = object(p, t, new ContainerMembers());
            // not a container: kept as a slot so that indexes in the patch stay those of the array
            list.add(c == null ? NOT_A_CONTAINER : new PodView.ContainerView(c.name, c.image, c.policy));
        }
        return list;
    }

    private static final PodView.ContainerView NOT_A_CONTAINER = new PodView.ContainerView("", null, null);

    private static final class ContainerMembers extends Members {
        String name = "", image, policy;

        @Override
        void member(JsonParser p, String field, JsonToken t) {
            switch (field) {
                case "name" -> name = stringOr(p, t, "");
                case "image" -> image = string(p, t);
                case "imagePullPolicy" -> policy = string(p, t);
                default -> p.skipChildren();
            }
        }
    }

    /** A string member's value, else null (the value skipped). */
    private static String string(JsonParser p, JsonToken t) {
        return stringOr(p, t, null);
    }

    private static String stringOr(JsonParser p, JsonToken t, String otherwise) {
        if (t == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        p.skipChildren();
        return otherwise;
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
