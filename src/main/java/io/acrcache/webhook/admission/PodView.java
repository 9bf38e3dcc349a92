package io.acrcache.webhook.admission;

import java.util.List;

/**
 * The few fields of a Pod the webhook reads, taken from the review in one streaming pass (no tree of the whole Pod is
 * built). Shapes that a valid Pod never has are kept as states rather than guessed at, so the patch is only ever made
 * for what is really there.
 *
 * @param containers one list per {@link ContainerKind} (by ordinal); null where the field is absent or not an array
 */
public record PodView(Metadata metadata, List<List<ContainerView>> containers) {

    /** How a JSON member is present. */
    public enum Shape {
        ABSENT,
        NULL,
        OBJECT,
        OTHER
    }

    /** {@code metadata}: its names ("" unless strings) and the annotations the webhook reads. */
    public record Metadata(Shape shape, String name, String generateName, Annotations annotations) {
        static final Metadata ABSENT = new Metadata(Shape.ABSENT, "", "", Annotations.ABSENT);
    }

    /**
     * The annotations the webhook reads.
     *
     * @param mirror whether the mirror-Pod annotation is present
     * @param optOutValue the opt-out annotation's value, null unless a string
     * @param hasOriginalImages whether the webhook's own record of original images is present
     * @param originalImages that record, null unless a string
     */
    public record Annotations(
            Shape shape, boolean mirror, String optOutValue, boolean hasOriginalImages, String originalImages) {
        static final Annotations ABSENT = new Annotations(Shape.ABSENT, false, null, false, null);
    }

    /** One container: its name ("" when absent) and its image and pull policy (null unless strings). */
    public record ContainerView(String name, String image, String imagePullPolicy) {}

    public List<ContainerView> containers(ContainerKind kind) {
        return containers.get(kind.ordinal());
    }
}
