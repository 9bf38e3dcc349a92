package io.acrcache.webhook.guard;

/** How the kubelet failed to pull an image the webhook had rewritten (fed by the pull-failure watcher). */
public enum PullFailureKind {
    /** manifest unknown on the login server: that image is marked not servable. */
    NOT_FOUND,
    /** 401/403 from the login server: counts toward the rule's breaker. */
    UNAUTHORIZED,
    /** 424, the cache's request to the source failed: counts toward the rule's breaker. */
    UPSTREAM_FAILED,
    /** The source registry throttled the rule: counts toward the rule's breaker. */
    UPSTREAM_THROTTLED,
    /** The login server answered 429: opens the registry's breaker. */
    REGISTRY_THROTTLED
}
