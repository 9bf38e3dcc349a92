package io.acrcache.webhook.pullfailures;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Pull-failure meters. Labels stay bounded: namespaces are the cluster's, registries are Docker Hub or a rule's source
 * (else {@code other}), categories an enum; never an image or a Pod.
 *
 * <p>Every replica watches every Event, so each replica counts each failure: dashboards take {@code max without (pod,
 * instance)} across replicas rather than a sum.
 */
public final class PullFailureMetrics {
    public static final String RATE_LIMITED = "acw.pull.failures.rate.limited";
    public static final String ENTRIES = "acw.pull.failures.entries";
    /** Pulls from the ACR login server that failed for another reason than rate limiting (cache-* categories). */
    public static final String CACHE = "acw.pull.failures.cache";

    /** Checks of kubelet Events against their Pods before the registry guard hears them, by result. */
    public static final String KUBELET_CHECKS = "acw.pull.failures.kubelet.checks";

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    public PullFailureMetrics(MeterRegistry registry, PullFailureStore store) {
        this.registry = registry;
        Gauge.builder(ENTRIES, store, PullFailureStore::size)
                .description("Entries held by the pull-failure report")
                .strongReference(true)
                .register(registry);
    }

    /** Adds {@code delta} rate-limited pulls (an Event's count increase). */
    public void rateLimited(String namespace, Explanation explanation, long delta) {
        if (delta <= 0) {
            return;
        }
        String category = explanation.category().label();
        String key = namespace + '|' + explanation.registry() + '|' + category;
        counters.computeIfAbsent(
                        key,
                        k -> Counter.builder(RATE_LIMITED)
                                .description(
                                        "Image pulls refused for rate limiting, from kubelet Events (every replica counts each one)")
                                .tag("namespace", namespace == null ? "" : namespace)
                                .tag("registry", explanation.registry())
                                .tag("category", category)
                                .register(registry))
                .increment(delta);
    }

    /** Adds {@code delta} failed pulls from the login server that were not rate limited. */
    public void cacheFailed(String namespace, Explanation explanation, long delta) {
        if (delta <= 0) {
            return;
        }
        String category = explanation.category().label();
        String key = "cache|" + namespace + '|' + explanation.registry() + '|' + category;
        counters.computeIfAbsent(
                        key,
                        k -> Counter.builder(CACHE)
                                .description("Image pulls from the ACR login server that failed without rate limiting,"
                                        + " from kubelet Events (every replica counts each one)")
                                .tag("namespace", namespace == null ? "" : namespace)
                                .tag("registry", explanation.registry())
                                .tag("category", category)
                                .register(registry))
                .increment(delta);
    }

    /** One check of a kubelet Event against its Pod; {@code result} is one of a fixed set. */
    public void kubeletCheck(String result) {
        counters.computeIfAbsent(
                        "kubelet|" + result,
                        k -> Counter.builder(KUBELET_CHECKS)
                                .description("Kubelet Events about failed pulls from the login server, checked against"
                                        + " their Pod before the registry guard hears them")
                                .tag("result", result)
                                .register(registry))
                .increment();
    }
}
