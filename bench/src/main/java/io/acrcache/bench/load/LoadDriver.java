package io.acrcache.bench.load;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Closed-loop load over TLS: a fixed number of requests in flight, each sent again as soon as its answer has been read.
 * The load is spread over {@code clientLoops} verticles, each with its own HTTP client, so every client event loop owns
 * its connections: HTTP/1.1 keep-alive with one connection per request in flight (no pipelining), or HTTP/2 with
 * {@code h2Connections} connections per loop, multiplexing the loop's requests.
 *
 * <p>Latency is send-to-last-byte of the answer, recorded in microseconds. A closed loop slows down with the server, so
 * it under-reports latency under overload (coordinated omission); it measures the throughput a fixed concurrency gets
 * and the latency each request saw.
 */
public final class LoadDriver {

    /** What one run drives. */
    public record Scenario(String protocol, int concurrency) {
        public Scenario {
            if (!protocol.equals("h1") && !protocol.equals("h2")) {
                throw new IllegalArgumentException("protocol must be h1 or h2: " + protocol);
            }
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be positive");
            }
        }

        /** {@code h1:16}. */
        public static Scenario parse(String text) {
            String[] p = text.split(":");
            return new Scenario(p[0].trim(), Integer.parseInt(p[1].trim()));
        }

        public String label() {
            return (protocol.equals("h1") ? "HTTP/1.1" : "HTTP/2") + " c" + concurrency;
        }
    }

    /** Where to send. */
    public record Target(String name, long pid, int port, String path, Path caFile, int expectedAnswerLength) {}

    /** What one run measured. */
    public record Result(
            Scenario scenario,
            String server,
            Histogram latencyMicros,
            double seconds,
            long errors,
            String firstError,
            CpuMeter.Usage cpu,
            ChildJvm.Memory memoryMax,
            ChildJvm.Memory memoryEnd,
            long allocatedBytes,
            int round) {
        public long count() {
            return latencyMicros.getTotalCount();
        }

        public double throughput() {
            return count() / seconds;
        }

        public double millis(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        public double maxMillis() {
            return latencyMicros.getMaxValue() / 1000.0;
        }

        public Result withMemory(ChildJvm.Memory max, ChildJvm.Memory end) {
            return new Result(
                    scenario, server, latencyMicros, seconds, errors, firstError, cpu, max, end, allocatedBytes, round);
        }

        public Result withAllocated(long bytes) {
            return new Result(
                    scenario,
                    server,
                    latencyMicros,
                    seconds,
                    errors,
                    firstError,
                    cpu,
                    memoryMax,
                    memoryEnd,
                    bytes,
                    round);
        }

        public Result withRound(int r) {
            return new Result(
                    scenario,
                    server,
                    latencyMicros,
                    seconds,
                    errors,
                    firstError,
                    cpu,
                    memoryMax,
                    memoryEnd,
                    allocatedBytes,
                    r);
        }

        /** Server CPU time per answered request, in microseconds. */
        public double cpuMicrosPerRequest() {
            return cpu.server() < 0 ? -1 : cpu.server() * seconds * 1e6 / count();
        }
    }

    private final Vertx vertx;
    private final int clientLoops;
    private final int h2Connections;

    public LoadDriver(Vertx vertx, int clientLoops, int h2Connections) {
        this.vertx = vertx;
        this.clientLoops = clientLoops;
        this.h2Connections = h2Connections;
    }

    /** {@code tick} argument: the measured window starts. */
    public static final int START = 0;
    /** {@code tick} argument: about once a second during the window. */
    public static final int DURING = 1;
    /** {@code tick} argument: the window has ended. */
    public static final int END = 2;

    /**
     * Warms up for {@code warmup}, measures for {@code measure}, calls {@code tick} with {@link #START}, about once a
     * second with {@link #DURING}, and with {@link #END} (memory and allocation sampling), then lets the requests in
     * flight finish.
     */
    public Result run(
            Target target, Scenario scenario, byte[] body, Duration warmup, Duration measure, IntConsumer tick)
            throws Exception {
        Run run = new Run(target, body);
        List<Future<String>> deployed = new ArrayList<>();
        int loops = Math.min(clientLoops, scenario.concurrency());
        for (int i = 0; i < loops; i++) {
            int users = scenario.concurrency() / loops + (i < scenario.concurrency() % loops ? 1 : 0);
            deployed.add(vertx.deployVerticle(new Users(run, scenario, users, h2Connections), new DeploymentOptions()));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> f : deployed) {
            ids.add(f.await(30, TimeUnit.SECONDS));
        }
        try {
            Thread.sleep(warmup.toMillis());
            run.recorder.getIntervalHistogram(); // discard the warm-up
            run.errors.set(0);
            run.firstError.set(null);
            run.measuring = true;
            CpuMeter.Snapshot cpuStart = CpuMeter.snapshot(target.pid());
            long start = System.nanoTime();
            long end = start + measure.toNanos();
            tick.accept(START);
            long nextTick = start + 1_000_000_000L;
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                if (now >= nextTick) {
                    tick.accept(DURING);
                    nextTick += 1_000_000_000L;
                }
                Thread.sleep(Math.max(
                        1,
                        Math.min(
                                TimeUnit.NANOSECONDS.toMillis(end - now),
                                TimeUnit.NANOSECONDS.toMillis(nextTick - now))));
            }
            Histogram window = run.recorder.getIntervalHistogram();
            double seconds = (System.nanoTime() - start) / 1e9;
            CpuMeter.Usage cpu = CpuMeter.between(cpuStart, CpuMeter.snapshot(target.pid()));
            run.measuring = false;
            run.running = false;
            long errors = run.errors.get();
            tick.accept(END);
            return new Result(
                    scenario, target.name(), window, seconds, errors, run.firstError.get(), cpu, null, null, -1, 1);
        } finally {
            run.running = false;
            long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (run.inFlight.get() > 0 && System.nanoTime() < wait) {
                Thread.sleep(5);
            }
            for (String id : ids) {
                vertx.undeploy(id).await(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Gets a fresh server's JIT going before the first scenario: half of {@code total} over HTTP/1.1, half over HTTP/2,
     * 16 in flight, nothing recorded. The request path (TLS, both codecs, Jackson, the webhook's code) needs well over
     * 5 s of load before C2 has compiled it, more on a busy machine.
     */
    public void prewarm(Target target, byte[] body, Duration total) throws Exception {
        if (total.isZero() || total.isNegative()) {
            return;
        }
        Duration half = total.dividedBy(2);
        for (String p : List.of("h1", "h2")) {
            run(target, new Scenario(p, 16), body, Duration.ZERO, half, noTick());
        }
    }

    /** State shared by the verticles of one run. */
    private static final class Run {
        final Target target;
        final byte[] body;
        final Recorder recorder = new Recorder(3);
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        final AtomicLong inFlight = new AtomicLong();
        volatile boolean running = true;
        volatile boolean measuring;

        Run(Target target, byte[] body) {
            this.target = target;
            this.body = body;
        }

        void error(String what) {
            if (measuring) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, what);
            }
        }
    }

    /** One client event loop: its own HTTP client and {@code users} closed loops. */
    private static final class Users extends VerticleBase {
        private final Run run;
        private final Scenario scenario;
        private final int users;
        private final int h2Connections;
        private HttpClientAgent client;
        private RequestOptions request;

        Users(Run run, Scenario scenario, int users, int h2Connections) {
            this.run = run;
            this.scenario = scenario;
            this.users = users;
            this.h2Connections = h2Connections;
        }

        @Override
        public Future<?> start() {
            boolean h2 = scenario.protocol().equals("h2");
            HttpClientOptions options = new HttpClientOptions()
                    .setSsl(true)
                    .setTrustOptions(new PemTrustOptions()
                            .addCertPath(run.target.caFile().toAbsolutePath().toString()))
                    .setVerifyHost(true)
                    .setUseAlpn(true)
                    .setProtocolVersion(h2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1)
                    .setAlpnVersions(List.of(h2 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1))
                    .setKeepAlive(true)
                    .setPipelining(false)
                    .setHttp2MultiplexingLimit((users + h2Connections - 1) / h2Connections);
            PoolOptions pool = new PoolOptions()
                    .setHttp1MaxSize(users)
                    .setHttp2MaxSize(h2Connections)
                    .setMaxWaitQueueSize(-1);
            client = vertx.httpClientBuilder().with(options).with(pool).build();
            request = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(run.target.port())
                    .setURI(run.target.path())
                    .putHeader("content-type", "application/json");
            for (int i = 0; i < users; i++) {
                send();
            }
            return Future.succeededFuture();
        }

        private void send() {
            if (!run.running) {
                return;
            }
            run.inFlight.incrementAndGet();
            long t0 = System.nanoTime();
            client.request(request)
                    .compose(req -> req.send(Buffer.buffer(run.body)))
                    .compose(resp -> resp.body().map(b -> {
                        if (resp.statusCode() != 200) {
                            throw new IllegalStateException("status " + resp.statusCode() + ": " + b);
                        }
                        if (b.length() != run.target.expectedAnswerLength()) {
                            throw new IllegalStateException("answer of " + b.length() + " bytes, expected "
                                    + run.target.expectedAnswerLength() + ": " + b);
                        }
                        return b;
                    }))
                    .onComplete(ar -> {
                        long micros = (System.nanoTime() - t0) / 1000;
                        run.inFlight.decrementAndGet();
                        if (ar.succeeded()) {
                            run.recorder.recordValue(Math.max(1, micros));
                        } else {
                            run.error(String.valueOf(ar.cause()));
                            if (!run.running) {
                                return;
                            }
                            // back off a little so a refusing server does not turn into a busy loop
                            vertx.setTimer(10, t -> send());
                            return;
                        }
                        send();
                    });
        }

        @Override
        public Future<?> stop() {
            Promise<Void> done = Promise.promise();
            client.close().onComplete(ar -> done.complete());
            return done.future();
        }
    }

    /** For callers that sample nothing. */
    public static IntConsumer noTick() {
        return phase -> {};
    }
}
