package io.acrcache.webhook.guard;

/**
 * How the kubelet failed to pull an image the webhook had rewritten (fed by the pull-failure report once the Pod's own
 * status confirms it). Only {@link #NOT_FOUND} is about one image; every other kind is kubelet evidence about the rule
 * ({@link KubeletEvidence}), never about the registry.
 */
public enum PullFailureKind {
    /** manifest unknown on the login server: that image is marked not servable. */
    NOT_FOUND,
    /** 401/403 from the login server (e.g. a node pool without AcrPull). */
    UNAUTHORIZED,
    /** 424, the cache's request to the source failed. */
    UPSTREAM_FAILED,
    /** The source registry throttled the rule. */
    UPSTREAM_THROTTLED,
    /** The login server answered 429: still evidence about the rule only, since Events never open the registry. */
    REGISTRY_THROTTLED,
    /** A layer failed on the login server (5xx, timeout): our HEAD of the manifest cannot see it, the kubelet can. */
    BLOB_FAILED
}
