package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.testing.Resources;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTimeBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.type.TypeReference;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.acrcache.webhook.pullfailures.TestFixtures.kubeletEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PullFailureClassifierTest {
    private static final Instant FIRST = Instant.parse("2025-03-01T10:00:00Z");
    private static final Instant LAST = Instant.parse("2025-03-01T10:05:30Z");
    private static final Instant FALLBACK = Instant.parse("2030-01-01T00:00:00Z");
    private static final String C = "spec.containers{app}";

    /** One row of {@code pullfailures/kubelet-events.json}; {@code image} null: not a pull failure. */
    record KubeletEvent(
            String name,
            String reason,
            String message,
            String fieldPath,
            String image,
            String container,
            boolean rateLimited) {}

    /**
     * reason, message, fieldPath → image (null: not a pull failure), container, rate limited. The messages are the
     * shapes kubelets print, per runtime; images and digests are made up.
     */
    static Stream<Arguments> events() {
        return Resources.json("pullfailures/kubelet-events.json", new TypeReference<List<KubeletEvent>>() {}).stream()
                .map(e -> Arguments.of(
                        e.name(), e.reason(), e.message(), e.fieldPath(), e.image(), e.container(), e.rateLimited()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void classifiesKubeletEvents(
            String name,
            String reason,
            String message,
            String fieldPath,
            String image,
            String container,
            boolean rateLimited) {
        Event event = kubeletEvent("uid-1", "shop", "web-7d9f", fieldPath, reason, message, 4, FIRST, LAST)
                .build();

        Optional<PullFailure> got = PullFailureClassifier.classify(event, FALLBACK);

        if (image == null) {
            assertTrue(got.isEmpty(), "not a pull failure: " + got);
            return;
        }
        PullFailure f = got.orElseThrow(() -> new AssertionError("expected a pull failure"));
        assertEquals(image, f.image(), "image");
        assertEquals(container, f.container(), "container");
        assertEquals(rateLimited, f.rateLimited(), "rate limited");
        assertEquals(rateLimited, PullFailureClassifier.isRateLimited(message), "isRateLimited(message)");
        assertEquals("uid-1", f.eventUid(), "uid");
        assertEquals("shop", f.namespace(), "namespace");
        assertEquals("web-7d9f", f.pod(), "pod");
        assertEquals("aks-nodepool1-12345678-vmss000000", f.node(), "node");
        assertEquals(message, f.message(), "message");
        assertEquals(4, f.count(), "count");
        assertEquals(FIRST, f.firstSeen(), "first seen");
        assertEquals(LAST, f.lastSeen(), "last seen");
    }

    @Test
    void containerFromEachFieldPathForm() {
        assertEquals("app", PullFailureClassifier.container("spec.containers{app}"));
        assertEquals("init-db", PullFailureClassifier.container("spec.initContainers{init-db}"));
        assertEquals("debugger-abc", PullFailureClassifier.container("spec.ephemeralContainers{debugger-abc}"));
        assertNull(PullFailureClassifier.container(null));
        assertNull(PullFailureClassifier.container(""));
        assertNull(PullFailureClassifier.container("spec.volumes{data}"));
        assertNull(PullFailureClassifier.container("spec.containers{app"));
    }

    @Test
    void newerEventShape_reportingInstanceSeriesAndEventTime() {
        Event event = new EventBuilder(kubeletEvent(
                                "u",
                                "shop",
                                "p",
                                C,
                                "Failed",
                                "Failed to pull image \"nginx:1.25\": " + TestFixtures.DOCKER_429,
                                1,
                                FIRST,
                                LAST)
                        .build())
                .withSource(null)
                .withReportingComponent("kubelet")
                .withReportingInstance("node-b")
                .withCount(null)
                .withFirstTimestamp(null)
                .withLastTimestamp(null)
                .withEventTime(new MicroTimeBuilder()
                        .withTime("2025-03-01T10:00:00.123456Z")
                        .build())
                .withNewSeries()
                .withCount(9)
                .withLastObservedTime(new MicroTimeBuilder()
                        .withTime("2025-03-01T10:09:00.000001Z")
                        .build())
                .endSeries()
                .build();

        PullFailure f = PullFailureClassifier.classify(event, FALLBACK).orElseThrow();

        assertEquals("node-b", f.node());
        assertEquals(9, f.count());
        assertEquals(Instant.parse("2025-03-01T10:00:00.123456Z"), f.firstSeen());
        assertEquals(Instant.parse("2025-03-01T10:09:00.000001Z"), f.lastSeen());
    }

    @Test
    void missingCountAndTimesFallBack() {
        Event event = new EventBuilder(kubeletEvent(
                                "u",
                                "shop",
                                "p",
                                null,
                                "Failed",
                                "Failed to pull image \"nginx:1.25\": " + TestFixtures.DOCKER_429,
                                1,
                                FIRST,
                                LAST)
                        .build())
                .withCount(0)
                .withFirstTimestamp(null)
                .withLastTimestamp("not a time")
                .withSource(null)
                .build();

        PullFailure f = PullFailureClassifier.classify(event, FALLBACK).orElseThrow();

        assertEquals(1, f.count(), "a failure reported is at least one");
        assertEquals(FALLBACK, f.lastSeen());
        assertEquals(FALLBACK, f.firstSeen());
        assertNull(f.container());
        assertNull(f.node());
    }

    @Test
    void eventAboutSomethingOtherThanAPodIsIgnored() {
        Event event = new EventBuilder(kubeletEvent(
                                "u",
                                "shop",
                                "p",
                                C,
                                "Failed",
                                "Failed to pull image \"nginx:1.25\": " + TestFixtures.DOCKER_429,
                                1,
                                FIRST,
                                LAST)
                        .build())
                .editInvolvedObject()
                .withKind("Node")
                .endInvolvedObject()
                .build();

        assertFalse(PullFailureClassifier.classify(event, FALLBACK).isPresent());
        assertFalse(PullFailureClassifier.classify(null, FALLBACK).isPresent());
    }
}
