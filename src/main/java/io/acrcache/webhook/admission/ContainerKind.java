package io.acrcache.webhook.admission;

/** The three container lists of a Pod spec, by their JSON field names. */
public enum ContainerKind {
    CONTAINERS("containers"),
    INIT_CONTAINERS("initContainers"),
    EPHEMERAL_CONTAINERS("ephemeralContainers");

    private final String field;

    ContainerKind(String field) {
        this.field = field;
    }

    public String field() {
        return field;
    }
}
