package io.acrcache.bench.load;

import io.acrcache.bench.Fixture;
import io.acrcache.bench.Props;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The load benchmark: the bare floor and the real webhook, each in a child JVM with the same flags, driven in turn over
 * TLS from this JVM with the same review, scenario by scenario. Prints and saves the tables.
 */
public final class LoadBenchmark {
    private LoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        save("load", run());
    }

    /** Writes a report to {@code bench.outDir} as {@code PREFIX-TIME.md}. */
    static Path save(String prefix, String report) throws java.io.IOException {
        Path dir = Path.of(Props.string("bench.outDir", "bench/target/results"));
        Files.createDirectories(dir);
        Path file = dir.resolve(
                prefix + "-" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, report);
        System.out.println("\nsaved to " + file);
        return file;
    }

    /** Runs the scenarios against the servers; prints progress and returns the Markdown report. */
    static String run() throws Exception {
        Duration warmup = Props.duration("bench.warmup", "5s");
        Duration measure = Props.duration("bench.measure", "15s");
        Duration prewarm = Props.duration("bench.prewarm", "20s");
        List<LoadDriver.Scenario> scenarios = new ArrayList<>();
        for (String s : Props.list("bench.scenarios", "h1:16,h1:64,h2:16,h2:64")) {
            scenarios.add(LoadDriver.Scenario.parse(s));
        }
        List<String> servers = Props.list("bench.servers", "bare,webhook");
        List<String> flags = Workspace.jvmFlags();
        List<String> webhookFlags = new ArrayList<>(flags);
        webhookFlags.addAll(Props.words("bench.webhook.extraFlags", ""));
        String logLevel = Props.string("bench.webhook.logLevel", "info");
        int clientLoops = Props.integer("bench.clientLoops", 2);
        int h2Connections = Props.integer("bench.h2Connections", 1);
        int rounds = Props.integer("bench.rounds", 1);

        Workspace ws = Workspace.create();
        // the registry guard's run: a registry of its own, and a review whose images all exist there, for every server
        GuardRegistry registry = null;
        byte[] guardedAnswer = null;
        if (servers.contains("webhook-guard")) {
            registry = GuardRegistry.start(ws);
            ws = ws.withReview(registry.reviewFor(ws.review));
            guardedAnswer = Fixture.expectedAnswer(ws.review, Fixture.config(registry.hostPort()));
        }
        StringBuilder out = new StringBuilder();
        out.append("## Load benchmark ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n");
        out.append("- review: ")
                .append(ws.review.length)
                .append(" bytes, answer: ")
                .append(ws.answer.length)
                .append(" bytes\n");
        out.append("- child JVM flags (both servers): `")
                .append(String.join(" ", flags))
                .append("`\n");
        if (webhookFlags.size() > flags.size()) {
            out.append("- webhook only: `")
                    .append(String.join(" ", webhookFlags.subList(flags.size(), webhookFlags.size())))
                    .append("`\n");
        }
        out.append("- webhook logging.level: ")
                .append(logLevel)
                .append(", admission instances: ")
                .append(ws.instances)
                .append("\n");
        out.append("- each server JVM pre-warmed once after start for ")
                .append(prewarm.toMillis() / 1000.0)
                .append(" s (half HTTP/1.1, half HTTP/2, c16); then per scenario and server: ");
        out.append("warm-up ")
                .append(warmup.toMillis() / 1000.0)
                .append(" s, measured ")
                .append(measure.toMillis() / 1000.0)
                .append(" s; ")
                .append(rounds)
                .append(" round(s) of all scenarios; load generator: ")
                .append(clientLoops)
                .append(" event loops in this JVM; HTTP/2: ")
                .append(h2Connections * clientLoops)
                .append(" connection(s)\n\n");
        System.out.print(out);

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientLoops));
        Map<String, Workspace.Server> started = new LinkedHashMap<>();
        List<LoadDriver.Result> results = new ArrayList<>();
        try {
            for (String s : servers) {
                Workspace.Server server = switch (s) {
                    case "bare" -> ws.startBare("bare", flags);
                    case "webhook" -> ws.startWebhook("webhook", webhookFlags, logLevel);
                    // the same webhook logging only warnings: what the per-rewrite info lines cost
                    case "webhook-warn" -> ws.startWebhook("webhook-warn", webhookFlags, "warn");
                    // the same webhook with the registry guard on: what checking the cache costs once its verdicts
                    // are known (a verdict per image, kept for minutes)
                    case "webhook-guard" ->
                        ws.startGuardedWebhook("webhook-guard", webhookFlags, logLevel, registry, guardedAnswer);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown server " + s + " (bare, webhook, webhook-warn, webhook-guard)");
                };
                started.put(s, server);
                System.out.printf(
                        "%s: pid %d, ready %.0f ms after launch, RSS %.1f MiB%n",
                        s,
                        server.jvm().pid(),
                        server.jvm().readyMillis(),
                        server.jvm().memory().rssMiB());
                verify(vertx, server.target(), ws.review, s.equals("webhook-guard") ? guardedAnswer : ws.answer);
            }
            LoadDriver driver = new LoadDriver(vertx, clientLoops, h2Connections);
            for (Workspace.Server server : started.values()) {
                driver.prewarm(server.target(), ws.review, prewarm);
            }
            for (int round = 1; round <= rounds; round++) {
                for (LoadDriver.Scenario scenario : scenarios) {
                    List<Map.Entry<String, Workspace.Server>> order = new ArrayList<>(started.entrySet());
                    if (round % 2 == 0) {
                        Collections.reverse(
                                order); // who goes first alternates, so a drift in machine speed cancels out
                    }
                    for (Map.Entry<String, Workspace.Server> e : order) {
                        ChildJvm jvm = e.getValue().jvm();
                        Workspace.Server server = e.getValue();
                        Sampler sampler = new Sampler(server);
                        LoadDriver.Result r =
                                driver.run(server.target(), scenario, ws.review, warmup, measure, sampler);
                        if (!jvm.alive()) {
                            throw new IllegalStateException(
                                    e.getKey() + " died during " + scenario.label() + "\n" + jvm.tail());
                        }
                        r = r.withMemory(sampler.max, jvm.memory())
                                .withAllocated(sampler.allocated())
                                .withRound(round);
                        results.add(r);
                        System.out.printf(
                                "r%d %-14s %-8s %9.0f req/s  p50 %6s ms  p99 %6s ms  max %6s ms  errors %d  RSS %.1f MiB%s%n",
                                round,
                                scenario.label(),
                                e.getKey(),
                                r.throughput(),
                                Table.ms(r.millis(50)),
                                Table.ms(r.millis(99)),
                                Table.ms(r.maxMillis()),
                                r.errors(),
                                r.memoryMax().rssMiB(),
                                r.firstError() == null ? "" : "  first error: " + r.firstError());
                        System.out.printf(
                                "%-26s CPU cores: server %.2f, load generator %.2f, others %.2f; server CPU %.0f us/req%n",
                                "",
                                r.cpu().server(),
                                r.cpu().loadGenerator(),
                                r.cpu().others(),
                                r.cpuMicrosPerRequest());
                    }
                }
            }
        } finally {
            for (Workspace.Server s : started.values()) {
                s.close();
            }
            if (registry != null) {
                registry.close();
            }
            vertx.close().await(30, TimeUnit.SECONDS);
        }

        String report = report(results, started);
        System.out.println();
        System.out.print(report);
        out.append(report);
        return out.toString();
    }

    /** Samples a server during a measured window: peak RSS, and bytes allocated from start to end. */
    static final class Sampler implements java.util.function.IntConsumer {
        private final Workspace.Server server;
        ChildJvm.Memory max = new ChildJvm.Memory(-1, -1);
        private long allocStart = -1;
        private long allocEnd = -1;

        Sampler(Workspace.Server server) {
            this.server = server;
        }

        @Override
        public void accept(int phase) {
            max = max.max(server.jvm().memory());
            if (phase == LoadDriver.START) {
                allocStart = server.allocatedBytes();
            } else if (phase == LoadDriver.END) {
                allocEnd = server.allocatedBytes();
            }
        }

        long allocated() {
            return allocStart < 0 || allocEnd < 0 ? -1 : allocEnd - allocStart;
        }
    }

    /** One request, answer compared byte for byte with what the handler computes in this JVM. */
    static void verify(Vertx vertx, LoadDriver.Target target, byte[] review, byte[] expected) {
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setTrustOptions(
                        new PemTrustOptions().addCertPath(target.caFile().toString())));
        try {
            Buffer body = client.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setHost("127.0.0.1")
                            .setPort(target.port())
                            .setURI(target.path())
                            .putHeader("content-type", "application/json"))
                    .compose(req -> req.send(Buffer.buffer(review)))
                    .compose(resp -> resp.body())
                    .await(30, TimeUnit.SECONDS);
            if (!Arrays.equals(body.getBytes(), expected)) {
                throw new IllegalStateException(target.name() + " answered something else than expected:\n"
                        + body.toString(StandardCharsets.UTF_8) + "\nexpected:\n"
                        + new String(expected, StandardCharsets.UTF_8));
            }
        } catch (Exception e) {
            throw new IllegalStateException(target.name() + ": first request failed: " + e, e);
        } finally {
            client.close().await();
        }
    }

    static String report(List<LoadDriver.Result> results, Map<String, Workspace.Server> started) {
        StringBuilder sb = new StringBuilder();
        Table all = new Table(
                "round",
                "scenario",
                "server",
                "req/s",
                "p50 ms",
                "p99 ms",
                "p99.9 ms",
                "max ms",
                "errors",
                "RSS max MiB",
                "VmHWM MiB",
                "KB alloc/req",
                "CPU us/req",
                "CPU server",
                "CPU load gen",
                "CPU others");
        for (LoadDriver.Result r : results) {
            all.row(
                    r.round(),
                    r.scenario().label(),
                    r.server(),
                    Table.f(r.throughput(), 0),
                    Table.ms(r.millis(50)),
                    Table.ms(r.millis(99)),
                    Table.ms(r.millis(99.9)),
                    Table.ms(r.maxMillis()),
                    r.errors(),
                    Table.f(r.memoryMax().rssMiB(), 1),
                    Table.f(r.memoryEnd().hwmMiB(), 1),
                    r.allocatedBytes() < 0 ? "?" : Table.f(r.allocatedBytes() / 1000.0 / r.count(), 1),
                    Table.f(r.cpuMicrosPerRequest(), 0),
                    Table.f(r.cpu().server(), 2),
                    Table.f(r.cpu().loadGenerator(), 2),
                    Table.f(r.cpu().others(), 2));
        }
        sb.append("### Every scenario\n\n").append(all).append('\n');
        sb.append("KB alloc/req: bytes the server allocated during the window per answered request (webhook: "
                + "Micrometer's jvm_gc_memory_allocated_bytes_total from its /metrics; bare: its threads' allocation "
                + "counters). CPU us/req: the server's CPU time per answered request. CPU columns: cores used during the "
                + "window (CPU seconds per second, from /proc) by the server under test, by the load generator (this "
                + "JVM), and by everything else in this machine (the idle other server, other builds); CPU time taken "
                + "by the hypervisor for other machines does not show there. The machine has "
                + Runtime.getRuntime().availableProcessors() + " cores.\n\n");

        Map<LoadDriver.Scenario, Map<Integer, LoadDriver.Result>> bare = new LinkedHashMap<>();
        for (LoadDriver.Result r : results) {
            if (r.server().equals("bare")) {
                bare.computeIfAbsent(r.scenario(), k -> new LinkedHashMap<>()).put(r.round(), r);
            }
        }
        for (String name : started.keySet()) {
            if (name.equals("bare") || bare.isEmpty()) {
                continue;
            }
            Map<LoadDriver.Scenario, Map<Integer, LoadDriver.Result>> webhook = new LinkedHashMap<>();
            for (LoadDriver.Result r : results) {
                if (r.server().equals(name)) {
                    webhook.computeIfAbsent(r.scenario(), k -> new LinkedHashMap<>())
                            .put(r.round(), r);
                }
            }
            Table cmp = new Table(
                    "scenario",
                    "bare req/s",
                    name + " req/s",
                    "throughput ratio (target >= 0.80)",
                    "bare p99 ms",
                    name + " p99 ms",
                    "p99 ratio (target <= 1.5)",
                    "bare CPU us/req",
                    name + " CPU us/req");
            for (Map.Entry<LoadDriver.Scenario, Map<Integer, LoadDriver.Result>> e : webhook.entrySet()) {
                Map<Integer, LoadDriver.Result> b = bare.get(e.getKey());
                if (b == null) {
                    continue;
                }
                List<Double> tr = new ArrayList<>();
                List<Double> pr = new ArrayList<>();
                for (Map.Entry<Integer, LoadDriver.Result> w : e.getValue().entrySet()) {
                    LoadDriver.Result br = b.get(w.getKey());
                    if (br != null) {
                        tr.add(w.getValue().throughput() / br.throughput());
                        pr.add(w.getValue().millis(99) / br.millis(99));
                    }
                }
                double t = median(tr);
                double p = median(pr);
                cmp.row(
                        e.getKey().label(),
                        Table.f(median(b.values(), LoadDriver.Result::throughput), 0),
                        Table.f(median(e.getValue().values(), LoadDriver.Result::throughput), 0),
                        Table.f(t, 2) + range(tr) + (t >= 0.8 ? " ok" : " MISSED"),
                        Table.ms(median(b.values(), r -> r.millis(99))),
                        Table.ms(median(e.getValue().values(), r -> r.millis(99))),
                        Table.f(p, 2) + range(pr) + (p <= 1.5 ? " ok" : " MISSED"),
                        Table.f(median(b.values(), LoadDriver.Result::cpuMicrosPerRequest), 0),
                        Table.f(median(e.getValue().values(), LoadDriver.Result::cpuMicrosPerRequest), 0));
            }
            sb.append("### ").append(name).append(" against the bare floor\n\n");
            if (results.stream().mapToInt(LoadDriver.Result::round).max().orElse(1) > 1) {
                sb.append("Medians over the rounds; each ratio is the median of the per-round ratios (bare and webhook "
                        + "of the same round ran back to back), with their range in brackets.\n\n");
            }
            sb.append(cmp).append('\n');
        }

        Table start = new Table(
                "server",
                "ready after launch ms (target <= 2000 for the webhook)",
                "RSS max under load MiB (target <= 256)",
                "VmHWM at end MiB");
        for (Map.Entry<String, Workspace.Server> e : started.entrySet()) {
            double maxRss = results.stream()
                    .filter(r -> r.server().equals(e.getKey()))
                    .mapToDouble(r -> r.memoryMax().rssMiB())
                    .max()
                    .orElse(-1);
            double hwm = results.stream()
                    .filter(r -> r.server().equals(e.getKey()))
                    .mapToDouble(r -> r.memoryEnd().hwmMiB())
                    .max()
                    .orElse(-1);
            start.row(e.getKey(), Table.f(e.getValue().jvm().readyMillis(), 0), Table.f(maxRss, 1), Table.f(hwm, 1));
        }
        sb.append("### Start and memory\n\n").append(start);
        return sb.toString();
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    static double median(
            java.util.Collection<LoadDriver.Result> results, java.util.function.ToDoubleFunction<LoadDriver.Result> f) {
        List<Double> v = new ArrayList<>();
        for (LoadDriver.Result r : results) {
            v.add(f.applyAsDouble(r));
        }
        return median(v);
    }

    private static String range(List<Double> values) {
        if (values.size() < 2) {
            return "";
        }
        return " [" + Table.f(Collections.min(values), 2) + "-" + Table.f(Collections.max(values), 2) + "]";
    }
}
