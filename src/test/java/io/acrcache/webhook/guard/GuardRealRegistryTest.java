package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.Breaker.State;
import io.acrcache.webhook.guard.Verdict.Basis;
import io.acrcache.webhook.guard.Verdict.Decision;
import io.acrcache.webhook.testing.DistributionRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end against a real registry: Debian's docker-registry (CNCF distribution 2.8) as a pull-through cache in front
 * of a second instance standing in for Docker Hub. The guard probes the cache exactly as it would probe ACR.
 */
class GuardRealRegistryTest {
    @TempDir
    Path tmp;

    private Vertx vertx;
    private DistributionRegistry hub;
    private DistributionRegistry cache;
    private Guard guard;

    @BeforeEach
    void setUp() throws Exception {
        DistributionRegistry.requireBinary();
        vertx = Vertx.vertx();
        hub = new DistributionRegistry(tmp.resolve("hub"), null).start();
        cache = new DistributionRegistry(tmp.resolve("cache"), hub.url()).start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (guard != null) {
            guard.close();
        }
        if (cache != null) {
            cache.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private Candidate image(String repo, String tag, String digest) {
        return new Candidate(
                "docker-hub",
                cache.hostPort(),
                repo,
                tag,
                digest,
                cache.hostPort() + "/" + repo + (digest == null ? ":" + tag : "@" + digest));
    }

    private Verdict resolve(Candidate c, Duration budget) throws Exception {
        return get(guard.resolve(List.of(c), budget, false)).get(0);
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void rewritesWhatTheCacheServesLeavesTheRestAndStopsWhenTheCacheDies() throws Exception {
        String digest = hub.pushImage("library/nginx", "1.25");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        guard = new Guard(
                vertx,
                GuardSettings.builder()
                        .scheme("http")
                        .auth(GuardSettings.Auth.ANONYMOUS)
                        .heartbeatInterval(Duration.ofMillis(200))
                        .registryFailureThreshold(2)
                        .breakerBackoff(Duration.ofSeconds(1))
                        .connectTimeout(Duration.ofMillis(500))
                        .requestTimeout(Duration.ofSeconds(2))
                        .build(),
                null,
                meters,
                Clock.systemUTC());
        get(guard.start(List.of(cache.hostPort())));
        Candidate nginx = image("library/nginx", "1.25", null);

        // first sight: one HEAD through the pull-through cache, within the default budget
        long t0 = System.nanoTime();
        Verdict first = resolve(nginx, Duration.ofMillis(750));
        long firstSightMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Decision.REWRITE, first.decision(), first.toString());
        assertEquals(Basis.INLINE_SERVABLE, first.basis());
        System.out.println("guard e2e: first-sight inline wait " + firstSightMs + " ms (HEAD through the cache)");
        assertTrue(
                java.nio.file.Files.exists(cache.dir.resolve(
                        "data/docker/registry/v2/repositories/library/nginx/_manifests/tags/1.25/current/link")),
                "a HEAD on an uncached tag made the cache fetch and store it (what the kubelet's pull would do)");

        assertEquals(
                Decision.REWRITE,
                resolve(image("library/nginx", "1.25", digest), Duration.ofMillis(750))
                        .decision());
        Verdict nowhere = resolve(image("library/nginx", "9.99", null), Duration.ofMillis(750));
        assertEquals(Decision.LEAVE, nowhere.decision());
        assertEquals(Basis.INLINE_NOT_FOUND, nowhere.basis());
        assertEquals(
                Basis.CACHE_SERVABLE, resolve(nginx, Duration.ofMillis(750)).basis());

        // the cache dies while every verdict is still cached servable: the breaker must win over the cache
        long stopped = System.nanoTime();
        cache.stop();
        eventually("the registry breaker opens", () -> guard.registryState(cache.hostPort()) == State.OPEN);
        long openedMs = (System.nanoTime() - stopped) / 1_000_000;
        System.out.println("guard e2e: registry breaker open " + openedMs + " ms after the cache stopped");
        Verdict kept = resolve(nginx, Duration.ofMillis(750));
        assertEquals(Decision.LEAVE, kept.decision(), "the Pod keeps its original image");
        assertEquals(Basis.BREAKER_OPEN, kept.basis());
        assertEquals("guard-breaker-open", kept.skipLabel());

        // back on the same port and storage: half-open after the back-off, closed by a successful ping
        cache.start();
        eventually("the registry breaker closes", () -> guard.registryState(cache.hostPort()) == State.CLOSED);
        assertEquals(Decision.REWRITE, resolve(nginx, Duration.ofMillis(750)).decision());
        assertTrue(meters.find(GuardMetrics.PROBES)
                        .tags("kind", "heartbeat", "result", "unavailable", "origin", "absent")
                        .counter()
                        .count()
                >= 2);
    }

    @Test
    void workloadIdentityTokenFlowIsEnforcedByTheRealRegistry() throws Exception {
        hub.pushImage("library/nginx", "1.25");
        cache.stop();
        try (FakeTokenServer tokenServer = new FakeTokenServer(vertx)) {
            cache.extraConfig = tokenServer.registryAuthConfig(cache.hostPort(), tmp.resolve("token-root.pem"));
            cache.start();
            assertEquals(401, cache.get("/v2/").statusCode(), "the cache now demands tokens");
            TestEntra entra = new TestEntra(Clock.systemUTC());
            guard = new Guard(
                    vertx,
                    GuardSettings.builder().scheme("http").build(),
                    entra,
                    new SimpleMeterRegistry(),
                    Clock.systemUTC());
            get(guard.start(List.of(cache.hostPort())));
            assertEquals(1, tokenServer.exchanges.get(), "refresh token fetched at start, from the challenge's realm");

            Verdict v = resolve(image("library/nginx", "1.25", null), Duration.ofMillis(750));
            assertEquals(Basis.INLINE_SERVABLE, v.basis(), v.toString());
            assertEquals(List.of("repository:library/nginx:pull"), tokenServer.scopes);
            assertEquals(
                    Basis.INLINE_NOT_FOUND,
                    resolve(image("library/nginx", "9.99", null), Duration.ofMillis(750))
                            .basis());
            assertEquals(1, tokenServer.scopes.size(), "one token per repository scope");
            assertEquals(List.of(GuardSettings.ACR_SCOPE), entra.scopes);
        }
    }
}
