package io.acrcache.webhook.pullfailures;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTimeBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
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
    private static final String RATE_LIMIT_TEXT = "You have reached your pull rate limit. You may increase the limit "
            + "by authenticating and upgrading: https://www.docker.com/increase-rate-limit";

    /**
     * reason, message, fieldPath → image (null: not a pull failure), container, rate limited. The messages are the
     * shapes kubelets print, per runtime; images and digests are made up.
     */
    static Stream<Arguments> events() {
        return Stream.of(
                // --- rate limiting, every wording ---
                row(
                        "docker",
                        "Failed",
                        "Failed to pull image \"nginx:1.25\": rpc error: code = Unknown desc = Error "
                                + "response from daemon: toomanyrequests: " + RATE_LIMIT_TEXT,
                        "spec.containers{web}",
                        "nginx:1.25",
                        "web",
                        true),
                row(
                        "containerd",
                        "Failed",
                        "Failed to pull image \"redis:7\": " + TestFixtures.containerd429("redis:7"),
                        "spec.initContainers{migrate}",
                        "redis:7",
                        "migrate",
                        true),
                row(
                        "cri-o",
                        "Failed",
                        "Failed to pull image \"redis:7\": rpc error: code = Unknown desc = Error reading "
                                + "manifest 7 in docker.io/library/redis: toomanyrequests: " + RATE_LIMIT_TEXT,
                        "spec.ephemeralContainers{debugger-x7k2p}",
                        "redis:7",
                        "debugger-x7k2p",
                        true),
                row(
                        "kubelet without rpc wrapper, unauthenticated wording",
                        "Failed",
                        "Failed to pull image \"busybox:1.36\": failed to pull and unpack image "
                                + "\"docker.io/library/busybox:1.36\": failed to copy: httpReadSeeker: failed open: "
                                + "unexpected status code https://registry-1.docker.io/v2/library/busybox/manifests/1.36: "
                                + "429 Too Many Requests - Server message: toomanyrequests: You have reached your "
                                + "unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit",
                        C,
                        "busybox:1.36",
                        "app",
                        true),
                row(
                        "token endpoint, bare 429",
                        "Failed",
                        "Failed to pull image \"alpine:3.19\": failed to pull and unpack image \"docker.io/library/alpine:3.19\": "
                                + "failed to resolve reference \"docker.io/library/alpine:3.19\": failed to authorize: "
                                + "failed to fetch oauth token: unexpected status: 429 Too Many Requests",
                        C,
                        "alpine:3.19",
                        "app",
                        true),
                row(
                        "status code without text",
                        "Failed",
                        "Failed to pull image \"alpine:3.19\": failed to fetch anonymous token: unexpected status code: 429",
                        C,
                        "alpine:3.19",
                        "app",
                        true),
                row(
                        "capitals",
                        "Failed",
                        "Failed to pull image \"python:3.12\": Error response from daemon: " + "TOOMANYREQUESTS: "
                                + RATE_LIMIT_TEXT.toUpperCase(),
                        C,
                        "python:3.12",
                        "app",
                        true),
                row(
                        "back-off carrying the last error",
                        "BackOff",
                        "Back-off pulling image \"nginx:1.25\": ErrImagePull: toomanyrequests: " + RATE_LIMIT_TEXT,
                        C,
                        "nginx:1.25",
                        "app",
                        true),
                row(
                        "acr cache rule throttled at its source",
                        "Failed",
                        "Failed to pull image \"myacr.azurecr.io/docker/library/nginx:1.25\": "
                                + TestFixtures.acrSourceThrottled("dockerhub"),
                        C,
                        "myacr.azurecr.io/docker/library/nginx:1.25",
                        "app",
                        true),
                row(
                        "acr itself",
                        "Failed",
                        "Failed to pull image \"myacr.azurecr.io/docker/library/nginx:1.25\": "
                                + "rpc error: code = Unknown desc = failed to pull and unpack image "
                                + "\"myacr.azurecr.io/docker/library/nginx:1.25\": failed to resolve reference: unexpected "
                                + "status from HEAD request to https://myacr.azurecr.io/v2/docker/library/nginx/manifests/1.25: "
                                + "429 Too Many Requests",
                        C,
                        "myacr.azurecr.io/docker/library/nginx:1.25",
                        "app",
                        true),

                // --- pull failures that are not rate limiting ---
                row(
                        "not found",
                        "Failed",
                        "Failed to pull image \"nginx:does-not-exist\": rpc error: code = NotFound "
                                + "desc = failed to pull and unpack image \"docker.io/library/nginx:does-not-exist\": "
                                + "failed to resolve reference \"docker.io/library/nginx:does-not-exist\": "
                                + "docker.io/library/nginx:does-not-exist: not found",
                        C,
                        "nginx:does-not-exist",
                        "app",
                        false),
                row(
                        "unauthorized",
                        "Failed",
                        "Failed to pull image \"myacr.azurecr.io/private/app:1\": rpc error: code "
                                + "= Unknown desc = failed to pull and unpack image \"myacr.azurecr.io/private/app:1\": "
                                + "failed to resolve reference \"myacr.azurecr.io/private/app:1\": failed to authorize: "
                                + "failed to fetch anonymous token: unexpected status: 401 Unauthorized",
                        C,
                        "myacr.azurecr.io/private/app:1",
                        "app",
                        false),
                row(
                        "manifest unknown",
                        "Failed",
                        "Failed to pull image \"ghcr.io/acme/tool:v9\": rpc error: code = "
                                + "Unknown desc = Error response from daemon: manifest unknown: manifest unknown",
                        C,
                        "ghcr.io/acme/tool:v9",
                        "app",
                        false),
                row(
                        "timeout",
                        "Failed",
                        "Failed to pull image \"quay.io/prometheus/node-exporter:v1.8.0\": rpc error: "
                                + "code = Unknown desc = failed to pull and unpack image: failed to do request: Head "
                                + "\"https://quay.io/v2/prometheus/node-exporter/manifests/v1.8.0\": dial tcp "
                                + "192.0.2.10:443: i/o timeout",
                        C,
                        "quay.io/prometheus/node-exporter:v1.8.0",
                        "app",
                        false),
                row(
                        "x509",
                        "Failed",
                        "Failed to pull image \"registry.internal:5000/app:2\": rpc error: code = Unknown "
                                + "desc = failed to pull and unpack image: failed to resolve reference: failed to do "
                                + "request: Head \"https://registry.internal:5000/v2/app/manifests/2\": tls: failed to "
                                + "verify certificate: x509: certificate signed by unknown authority",
                        C,
                        "registry.internal:5000/app:2",
                        "app",
                        false),
                row(
                        "429 inside a digest is no status",
                        "Failed",
                        "Failed to pull image \"nginx@sha256:4290000000000000000000000000000000000000000000000000000000000429\": "
                                + "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
                        C,
                        "nginx@sha256:4290000000000000000000000000000000000000000000000000000000000429",
                        "app",
                        false),
                row(
                        "back-off of an older kubelet, no error",
                        "BackOff",
                        "Back-off pulling image \"nginx:1.25\"",
                        C,
                        "nginx:1.25",
                        "app",
                        false),

                // --- not about pulling an image ---
                row("ErrImagePull follow-up", "Failed", "Error: ErrImagePull", C, null, null, false),
                row("ImagePullBackOff follow-up", "Failed", "Error: ImagePullBackOff", C, null, null, false),
                row(
                        "crash loop",
                        "BackOff",
                        "Back-off restarting failed container app in pod web-0_default(1234)",
                        C,
                        null,
                        null,
                        false),
                row("pulling (Normal)", "Pulling", "Pulling image \"nginx:1.25\"", C, null, null, false),
                row(
                        "sandbox",
                        "FailedCreatePodSandBox",
                        "Failed to create pod sandbox: rpc error: code = Unknown desc "
                                + "= failed to pull image \"registry.k8s.io/pause:3.9\": 429 Too Many Requests",
                        null,
                        null,
                        null,
                        false));
    }

    private static Arguments row(
            String name,
            String reason,
            String message,
            String fieldPath,
            String image,
            String container,
            boolean rateLimited) {
        return Arguments.of(name, reason, message, fieldPath, image, container, rateLimited);
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
