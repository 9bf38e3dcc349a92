package io.acrcache.bench.jmh;

import io.acrcache.webhook.guard.Candidate;
import io.acrcache.webhook.guard.Guard;
import io.acrcache.webhook.guard.GuardSettings;
import io.acrcache.webhook.guard.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The guard's steady state: four images (as in the load benchmark's review) all decided from a warm verdict cache. What
 * admission adds per review with the guard on and warm; compare with {@code AdmissionPathBenchmark.handle}. A loopback
 * Vert.x server answering every manifest HEAD with 200 warms the cache once in the set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class GuardFastPathBenchmark {
    private Vertx vertx;
    private HttpServer registry;
    private Guard guard;
    private List<Candidate> candidates;

    @Setup
    public void setUp() throws Exception {
        vertx = Vertx.vertx();
        registry = vertx.createHttpServer()
                .requestHandler(req -> req.response()
                        .putHeader("Docker-Content-Digest", "sha256:" + "c".repeat(64))
                        .end())
                .listen(0, "127.0.0.1")
                .await();
        String login = "127.0.0.1:" + registry.actualPort();
        guard = new Guard(
                vertx,
                GuardSettings.builder()
                        .scheme("http")
                        .auth(GuardSettings.Auth.ANONYMOUS)
                        .tagTtl(Duration.ofHours(1))
                        .heartbeatInterval(Duration.ofHours(1))
                        .build(),
                null,
                new SimpleMeterRegistry(),
                Clock.systemUTC());
        candidates = new ArrayList<>();
        for (String repo : List.of(
                "docker/library/nginx", "docker/library/redis", "docker/bitnami/kubectl", "docker/library/busybox")) {
            candidates.add(new Candidate("docker-hub", login, repo, "1.0", null, login + "/" + repo + ":1.0"));
        }
        for (Verdict v : guard.resolve(candidates, Duration.ofSeconds(5), false).await()) {
            if (!v.rewrite()) {
                throw new IllegalStateException("not warm: " + v);
            }
        }
    }

    @Benchmark
    public List<Verdict> resolveWarm() {
        Future<List<Verdict>> f = guard.resolve(candidates, Duration.ofMillis(750), false);
        if (!f.isComplete()) {
            throw new IllegalStateException("the warm path must not wait");
        }
        return f.result();
    }

    @TearDown
    public void tearDown() {
        guard.close();
        registry.close().await();
        vertx.close().await();
    }
}
