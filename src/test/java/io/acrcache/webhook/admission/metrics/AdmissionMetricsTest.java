package io.acrcache.webhook.admission.metrics;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.MalformedReviewException;
import io.acrcache.webhook.admission.SkipReason;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AdmissionMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AdmissionMetrics metrics = new AdmissionMetrics(registry);
    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(TestConfigs::defaults);

    private static Pod pod(String... images) {
        return TestPods.withImages(images);
    }

    private AdmissionResult answer(String review, Mode mode) throws MalformedReviewException {
        return handler.handle(review.getBytes(StandardCharsets.UTF_8), mode);
    }

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void requestsAreCountedByOperationAndOutcomeAndTimed() throws Exception {
        metrics.record(answer(Reviews.create(pod("nginx")), null), 1_000_000);
        metrics.record(answer(Reviews.create(pod("ghcr.io/org/app")), null), 2_000_000);
        Pod pod = pod("nginx");
        metrics.record(answer(Reviews.review(pod, pod, "DELETE", null, false), null), 500);
        metrics.record(answer(Reviews.review(pod, pod, "PATCH-ish", null, false), null), 500);

        assertEquals(1.0, count(AdmissionMetrics.REQUESTS, "operation", "CREATE", "outcome", "patched"));
        assertEquals(1.0, count(AdmissionMetrics.REQUESTS, "operation", "CREATE", "outcome", "unchanged"));
        assertEquals(1.0, count(AdmissionMetrics.REQUESTS, "operation", "DELETE", "outcome", "skipped"));
        assertEquals(1.0, count(AdmissionMetrics.REQUESTS, "operation", "other", "outcome", "skipped"));
        assertEquals(0.0, count(AdmissionMetrics.REQUESTS, "operation", "CREATE", "outcome", "error"));
        assertEquals(
                2,
                registry.get(AdmissionMetrics.DURATION)
                        .tags("operation", "CREATE")
                        .timer()
                        .count());
        assertEquals(
                3.0,
                registry.get(AdmissionMetrics.DURATION)
                        .tags("operation", "CREATE")
                        .timer()
                        .totalTime(TimeUnit.MILLISECONDS));
    }

    @Test
    void imagesAreCountedByRuleOrSkipReasonAndAuditApart() throws Exception {
        metrics.record(answer(Reviews.create(pod("nginx", "redis", "ghcr.io/org/app", "Bad:Image")), null), 1);
        metrics.record(answer(Reviews.create(pod("busybox")), Mode.AUDIT), 1);

        assertEquals(2.0, count(AdmissionMetrics.REWRITTEN, "registry", "docker.io", "rule", "docker-hub"));
        assertEquals(1.0, count(AdmissionMetrics.AUDIT, "registry", "docker.io", "rule", "docker-hub"));
        assertEquals(1.0, count(AdmissionMetrics.SKIPPED, "reason", "no-rule"));
        assertEquals(1.0, count(AdmissionMetrics.SKIPPED, "reason", "invalid-reference"));
        assertEquals(0.0, count(AdmissionMetrics.SKIPPED, "reason", "target-too-long"));
    }

    @Test
    void excludedImagesAreASkipReasonOfTheirOwn() throws Exception {
        AdmissionReviewHandler excluding = new AdmissionReviewHandler(
                () -> TestConfigs.yaml("excludeImages: ['docker.io/library/busybox:*', 'docker.io/myorg/*']\n"));
        AdmissionResult result = excluding.handle(
                Reviews.create(pod("busybox:1.36", "myorg/team/app:2", "nginx", "busybox"))
                        .getBytes(StandardCharsets.UTF_8),
                null);
        metrics.record(result, 1);
        assertEquals(3.0, count(AdmissionMetrics.SKIPPED, "reason", "excluded-image"));
        assertEquals(1.0, count(AdmissionMetrics.REWRITTEN, "registry", "docker.io", "rule", "docker-hub"));
    }

    @Test
    void aDryRunCountsTheRequestButNoImages() throws Exception {
        metrics.record(answer(Reviews.review(pod("nginx"), null, "CREATE", null, true), null), 1);
        assertEquals(1.0, count(AdmissionMetrics.REQUESTS, "operation", "CREATE", "outcome", "patched"));
        assertNull(registry.find(AdmissionMetrics.REWRITTEN).counter());
    }

    @Test
    void malformedBodiesHaveTheirOwnCounter() {
        metrics.malformed();
        metrics.malformed();
        assertEquals(2.0, count(AdmissionMetrics.MALFORMED));
        assertEquals("acw.admission.malformed", AdmissionMetrics.MALFORMED);
    }

    @Test
    void everyLabelSetIsRegisteredUpFrontSoScrapesShowZeros() {
        // 5 operations x 4 outcomes, 5 timers, one counter per skip reason, one malformed counter
        assertEquals(20, registry.find(AdmissionMetrics.REQUESTS).counters().size());
        assertEquals(5, registry.find(AdmissionMetrics.DURATION).timers().size());
        assertEquals(
                SkipReason.values().length,
                registry.find(AdmissionMetrics.SKIPPED).counters().size());
        assertEquals(1, registry.find(AdmissionMetrics.MALFORMED).counters().size());
        assertEquals(0, registry.find(AdmissionMetrics.REWRITTEN).counters().size(), "rule counters come with use");
    }
}
