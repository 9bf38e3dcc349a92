package io.acrcache.webhook.guard;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.testing.DistributionRegistry;
import io.acrcache.webhook.testing.OpsMetrics;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.acrcache.webhook.testing.TlsClients;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole application (real TLS admission) with the guard on, anonymous, against Debian's docker-registry as the
 * pull-through cache in front of a second instance standing in for Docker Hub. The scheme {@code http} and the fast
 * heartbeat come through {@link WebhookApp.Options#guardTuning()}: no configuration key offers them.
 */
class GuardThroughTheAppTest {
    @TempDir
    Path tmp;

    private DistributionRegistry hub;
    private DistributionRegistry cache;
    private WebhookApp app;
    private HttpClient https;

    @BeforeEach
    void setUp() throws Exception {
        DistributionRegistry.requireBinary();
        hub = new DistributionRegistry(tmp.resolve("hub"), null).start();
        cache = new DistributionRegistry(tmp.resolve("cache"), hub.url()).start();
        // the default rule maps docker.io/library/nginx to docker/library/nginx, which the cache fetches from the hub
        hub.pushImage("docker/library/nginx", "1.25");
        hub.pushImage("docker/library/nginx", "2.0");
        app = WebhookApp.start(
                TestConfigs.yaml("acrLoginServer: '" + cache.hostPort() + "'\n"
                        + "server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: 0}\n"
                        + "guard: {enabled: true, auth: anonymous, inlineBudgetMillis: 2000}\n"),
                new WebhookApp.Options(null, Map.of(), tmp.resolve("certs"), 1, Duration.ofSeconds(5))
                        .withGuardTuning(s -> s.toBuilder()
                                .scheme("http")
                                .heartbeatInterval(Duration.ofMillis(200))
                                .registryFailureThreshold(2)
                                .breakerBackoff(Duration.ofSeconds(1))
                                .connectTimeout(Duration.ofMillis(500))
                                .requestTimeout(Duration.ofSeconds(2))
                                .build()));
        https = TlsClients.client(tmp.resolve("certs/ca.crt"), HttpClient.Version.HTTP_1_1);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (app != null) {
            app.stop(Duration.ZERO);
        }
        if (cache != null) {
            cache.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private AdmissionResponse admit(Pod pod, boolean dryRun) throws Exception {
        HttpResponse<byte[]> r = https.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + app.admissionPort() + "/mutate?timeout=10s"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Reviews.review(pod, null, "CREATE", null, dryRun)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        AdmissionResponse response = Reviews.answer(r.body()).getResponse();
        assertTrue(response.getAllowed());
        return response;
    }

    private String metrics() throws Exception {
        return OpsMetrics.scrape(app.opsPort());
    }

    private String image(Pod pod, String base64Patch) {
        return Reviews.apply(pod, base64Patch).getSpec().getContainers().get(0).getImage();
    }

    @Test
    void rewritesWhatTheCacheServesLeavesTheRestSaysWhyAndStopsWhenTheCacheDies() throws Exception {
        assertTrue(app.guard() != null, "guard.enabled: true builds the guard");

        // a tag present upstream: rewritten on first sight, within the budget (one HEAD through the cache)
        Pod served = TestPods.withImages("nginx:1.25");
        AdmissionResponse first = admit(served, false);
        assertEquals(cache.hostPort() + "/docker/library/nginx:1.25", image(served, first.getPatch()));
        io.micrometer.core.instrument.Timer waited =
                app.registry().find(GuardMetrics.INLINE_WAIT).timer();
        assertEquals(1, waited.count(), "one admission waited for a probe");
        double firstSightMs = waited.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
        assertTrue(firstSightMs < 2000, "within the budget: " + firstSightMs);
        assertEquals(
                cache.hostPort() + "/docker/library/nginx:1.25",
                image(served, admit(served, false).getPatch()));
        assertEquals(1, waited.count(), "the second admission was answered from memory, without waiting");
        System.out.println("guard through the app: first sight waited " + Math.round(firstSightMs)
                + " ms for the HEAD through the cache (acw_guard_inline_wait_seconds)");

        // a tag that exists nowhere: left alone, with a warning, the annotation and the skip metric
        Pod missing = TestPods.withImages("nginx:9.99");
        AdmissionResponse left = admit(missing, false);
        assertTrue(
                left.getWarnings().stream()
                        .anyMatch(w -> w.contains("\"c0\" image nginx:9.99 left as written")
                                && w.contains("guard-not-servable")),
                left.getWarnings().toString());
        Pod annotated = Reviews.apply(missing, left.getPatch());
        assertEquals("nginx:9.99", annotated.getSpec().getContainers().get(0).getImage());
        assertEquals(
                "{\"containers/c0\":\"not-servable\"}",
                annotated.getMetadata().getAnnotations().get(AdmissionReviewHandler.GUARD_ANNOTATION));
        assertFalse(annotated
                .getMetadata()
                .getAnnotations()
                .containsKey(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION));
        assertTrue(metrics().contains("reason=\"guard-not-servable\"} 1.0"), "skip metric");

        // a dry run of an image not seen yet sends no probe: answered from memory, and the cache never fetched it
        Pod dry = TestPods.withImages("nginx:2.0");
        AdmissionResponse dryAnswer = admit(dry, true);
        assertTrue(dryAnswer.getWarnings().stream().anyMatch(w -> w.contains("guard-not-checked")));
        assertEquals("nginx:2.0", image(dry, dryAnswer.getPatch()));
        Thread.sleep(300); // a background probe, had one been sent, would have reached the cache by now
        assertFalse(
                Files.exists(cache.dir.resolve(
                        "data/docker/registry/v2/repositories/docker/library/nginx/_manifests/tags/2.0")),
                "a dry run made the cache fetch nothing");

        // the cache dies while nginx:1.25 is cached servable: rewrites stop within the breaker's window
        long stopped = System.nanoTime();
        cache.stop();
        eventually("rewrites stop", () -> {
            try {
                AdmissionResponse r = admit(served, false);
                return served.getSpec().getContainers().get(0).getImage().equals(image(served, r.getPatch()))
                        && r.getWarnings().stream().anyMatch(w -> w.contains("guard-breaker-open"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        System.out.println("guard through the app: rewrites stopped " + (System.nanoTime() - stopped) / 1_000_000
                + " ms after the cache stopped");
        AdmissionResponse kept = admit(served, false);
        Pod after = Reviews.apply(served, kept.getPatch());
        assertEquals("nginx:1.25", after.getSpec().getContainers().get(0).getImage(), "the Pod keeps its image");
        assertEquals(
                "{\"containers/c0\":\"breaker-open\"}",
                after.getMetadata().getAnnotations().get(AdmissionReviewHandler.GUARD_ANNOTATION));
        // docs/operations.md's metrics table and what /metrics serves with the guard on: the same acw_guard_ families
        String scrape = metrics();
        java.util.Set<String> families = new java.util.TreeSet<>();
        java.util.regex.Matcher family = java.util.regex.Pattern.compile("(?m)^# TYPE (acw_guard_\\w+?)(_max)? ")
                .matcher(scrape);
        while (family.find()) {
            families.add(family.group(1));
        }
        java.util.Set<String> documented = new java.util.TreeSet<>();
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `(acw_guard_\\w+)` \\|")
                .matcher(Files.readString(Path.of("docs/operations.md")));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertEquals(5, documented.size(), documented.toString());
        assertEquals(documented, families);
    }

    @Test
    void theAuditEndpointWarnsWhatTheGuardWouldDoAndPatchesNothing() throws Exception {
        Pod missing = TestPods.withImages("nginx:9.99");
        HttpResponse<byte[]> r = https.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + app.admissionPort() + "/mutate/audit"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Reviews.create(missing), StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        AdmissionResponse response = Reviews.answer(r.body()).getResponse();
        assertNull(response.getPatch());
        assertTrue(
                response.getWarnings().stream()
                        .anyMatch(w -> w.startsWith("acr-cache-webhook (audit, not applied)")
                                && w.contains("guard-not-servable")),
                response.getWarnings().toString());
    }
}
