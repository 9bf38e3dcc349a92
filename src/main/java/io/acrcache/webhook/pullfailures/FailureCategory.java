package io.acrcache.webhook.pullfailures;

import java.util.Locale;
import java.util.Optional;

/**
 * Why a rate-limited pull happened, or why a pull from the ACR login server failed, from the webhook's point of view.
 * {@link #label()} is what the report and the metric show; the set is fixed, so the metric label stays bounded.
 */
public enum FailureCategory {
    /** No cache rule covers the image: the webhook could never have rewritten it. */
    NOT_COVERED("not-covered"),
    /** A rule covers the image, but the Pod still names the upstream image. */
    NOT_REWRITTEN("not-rewritten"),
    /** The image is on the ACR, whose cache rule was throttled by the upstream registry. */
    CACHE_UPSTREAM_THROTTLED("cache-upstream-throttled"),
    /** The image is on the ACR, and the ACR itself answered 429. */
    REGISTRY_THROTTLED("registry-throttled"),
    /** Not rate limited: the image is on the ACR, which does not have it (manifest unknown, not found). */
    CACHE_NOT_FOUND("cache-not-found"),
    /** Not rate limited: the image is on the ACR, which refused the node's credentials (401/403). */
    CACHE_UNAUTHORIZED("cache-unauthorized"),
    /** Not rate limited: the image is on the ACR, whose cache rule failed to fetch it upstream (424, source errors). */
    CACHE_UPSTREAM_FAILED("cache-upstream-failed"),
    /** Not rate limited: the manifest resolved, but a layer failed on the ACR (a 5xx or a timeout on a blob). */
    CACHE_BLOB_FAILED("cache-blob-failed");

    private final String label;

    FailureCategory(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The category with this label (as a report filter would name it), if any. */
    public static Optional<FailureCategory> fromLabel(String label) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        for (FailureCategory c : values()) {
            if (c.label.equals(wanted)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
