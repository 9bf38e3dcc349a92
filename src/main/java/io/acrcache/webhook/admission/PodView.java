package io.acrcache.webhook.admission;

import java.util.List;

/**
 * The few fields of a Pod the webhook reads, taken from the review in one streaming pass (no tree of the whole Pod is
 * built). Shapes that a valid Pod never has are kept as states rather than guessed at, so the patch is only ever made
 * for what is really there.
 *
 * @param containers one list per {@link ContainerKind} (by ordinal); null where the field is absent or not an array
 */
public record PodView(
        Shape metadata,
        String name,
        String generateName,
        Shape annotations,
        boolean mirror,
        String optOutValue,
        boolean hasOriginalImages,
        String originalImages,
        List<List<ContainerView>> containers) {

    /** How a JSON member is present. */
    public enum Shape {
        ABSENT,
        NULL,
        OBJECT,
        OTHER
    }

    /** One container: its name ("" when absent) and its image and pull policy (null unless strings). */
    public record ContainerView(String name, String image, String imagePullPolicy) {}

    public List<ContainerView> containers(ContainerKind kind) {
        return containers.get(kind.ordinal());
    }
}
