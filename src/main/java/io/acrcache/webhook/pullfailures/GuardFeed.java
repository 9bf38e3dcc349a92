package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.guard.Guard;
import io.acrcache.webhook.guard.PullFailureKind;

import java.util.function.Supplier;

/** Confirmed kubelet failures, as the registry guard takes them; nothing while the guard is off. */
public final class GuardFeed implements PullFailureReporter.CacheListener {
    private final Supplier<Guard> guard;

    /** @param guard the guard in force, or null while it is off (read per failure: reloads apply at once) */
    public GuardFeed(Supplier<Guard> guard) {
        this.guard = guard;
    }

    @Override
    public boolean listening() {
        return guard.get() != null;
    }

    @Override
    public void cachePullFailed(KubeletFailure f) {
        Guard g = guard.get();
        PullFailureKind kind = kind(f.category());
        if (g != null && kind != null) {
            g.kubeletFailure(f.rule(), f.image(), kind, f.pod(), f.node());
        }
    }

    /** The guard's kind of a report category; null for failures that are not the cache's. */
    static PullFailureKind kind(FailureCategory category) {
        return switch (category) {
            case CACHE_NOT_FOUND -> PullFailureKind.NOT_FOUND;
            case CACHE_UNAUTHORIZED -> PullFailureKind.UNAUTHORIZED;
            case CACHE_UPSTREAM_FAILED -> PullFailureKind.UPSTREAM_FAILED;
            case CACHE_UPSTREAM_THROTTLED -> PullFailureKind.UPSTREAM_THROTTLED;
            case CACHE_BLOB_FAILED -> PullFailureKind.BLOB_FAILED;
            case REGISTRY_THROTTLED -> PullFailureKind.REGISTRY_THROTTLED;
            case NOT_COVERED, NOT_REWRITTEN -> null;
        };
    }
}
