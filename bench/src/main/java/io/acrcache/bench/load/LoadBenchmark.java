package io.acrcache.bench.load;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The load benchmark: the bare floor and the real webhook, each in a child JVM with the same flags, driven in
 * turn over TLS from this JVM with the same review, scenario by scenario. Prints and saves the tables.
 */
public final class LoadBenchmark {
    private LoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
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

        Workspace ws = Workspace.create();
        StringBuilder out = new StringBuilder();
        out.append("## Load benchmark ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append("\n\n");
        out.append("- review: ").append(ws.review.length).append(" bytes, answer: ").append(ws.answer.length).append(" bytes\n");
        out.append("- child JVM flags (both servers): `").append(String.join(" ", flags)).append("`\n");
        if (webhookFlags.size() > flags.size()) {
            out.append("- webhook only: `").append(String.join(" ", webhookFlags.subList(flags.size(), webhookFlags.size())))
                    .append("`\n");
        }
        out.append("- webhook logging.level: ").append(logLevel).append(", admission instances: ").append(ws.instances)
                .append("\n");
        out.append("- each server JVM pre-warmed once after start for ").append(prewarm.toMillis() / 1000.0)
                .append(" s (half HTTP/1.1, half HTTP/2, c16); then per scenario and server: ");
        out.append("warm-up ").append(warmup.toMillis() / 1000.0).append(" s, measured ").append(measure.toMillis() / 1000.0)
                .append(" s; load generator: ").append(clientLoops)
                .append(" event loops in this JVM; HTTP/2: ").append(h2Connections * clientLoops).append(" connection(s)\n\n");
        System.out.print(out);

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientLoops));
        Map<String, Workspace.Server> started = new LinkedHashMap<>();
        List<LoadDriver.Result> results = new ArrayList<>();
        try {
            for (String s : servers) {
                Workspace.Server server = switch (s) {
                    case "bare" -> ws.startBare("bare", flags);
                    case "webhook" -> ws.startWebhook("webhook", webhookFlags, logLevel);
                    default -> throw new IllegalArgumentException("unknown server " + s + " (bare, webhook)");
                };
                started.put(s, server);
                System.out.printf("%s: pid %d, ready %.0f ms after launch, RSS %.1f MiB%n", s, server.jvm().pid(),
                        server.jvm().readyMillis(), server.jvm().memory().rssMiB());
                verify(vertx, server.target(), ws.review, ws.answer);
            }
            LoadDriver driver = new LoadDriver(vertx, clientLoops, h2Connections);
            for (Workspace.Server server : started.values()) {
                driver.prewarm(server.target(), ws.review, prewarm);
                server.jvm().truncateLog();
            }
            for (LoadDriver.Scenario scenario : scenarios) {
                for (Map.Entry<String, Workspace.Server> e : started.entrySet()) {
                    ChildJvm jvm = e.getValue().jvm();
                    ChildJvm.Memory[] max = {new ChildJvm.Memory(-1, -1)};
                    LoadDriver.Result r = driver.run(e.getValue().target(), scenario, ws.review, warmup, measure,
                            () -> max[0] = max[0].max(jvm.memory()));
                    if (!jvm.alive()) {
                        throw new IllegalStateException(e.getKey() + " died during " + scenario.label() + "\n"
                                + ChildJvm.tail(jvm.log(), 40));
                    }
                    r = r.withMemory(max[0], jvm.memory());
                    results.add(r);
                    jvm.truncateLog();
                    System.out.printf("%-14s %-8s %9.0f req/s  p50 %6s ms  p99 %6s ms  max %6s ms  errors %d  RSS %.1f MiB%s%n",
                            scenario.label(), e.getKey(), r.throughput(), Table.ms(r.millis(50)), Table.ms(r.millis(99)),
                            Table.ms(r.maxMillis()), r.errors(), r.memoryMax().rssMiB(),
                            r.firstError() == null ? "" : "  first error: " + r.firstError());
                    System.out.printf("%-23s CPU cores: server %.2f, load generator %.2f, others %.2f%n", "",
                            r.cpu().server(), r.cpu().loadGenerator(), r.cpu().others());
                }
            }
        } finally {
            for (Workspace.Server s : started.values()) {
                s.close();
            }
            vertx.close().await(30, TimeUnit.SECONDS);
        }

        String report = report(results, started);
        System.out.println();
        System.out.print(report);
        out.append(report);
        Path dir = Path.of(Props.string("bench.outDir", "bench/target/results"));
        Files.createDirectories(dir);
        Path file = dir.resolve("load-" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, out.toString());
        System.out.println("\nsaved to " + file);
    }

    /** One request, answer compared byte for byte with what the handler computes in this JVM. */
    static void verify(Vertx vertx, LoadDriver.Target target, byte[] review, byte[] expected) {
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2)
                .setTrustOptions(new PemTrustOptions().addCertPath(target.caFile().toString())));
        try {
            Buffer body = client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                            .setPort(target.port()).setURI(target.path()).putHeader("content-type", "application/json"))
                    .compose(req -> req.send(Buffer.buffer(review)))
                    .compose(resp -> resp.body())
                    .await(30, TimeUnit.SECONDS);
            if (!Arrays.equals(body.getBytes(), expected)) {
                throw new IllegalStateException(target.name() + " answered something else than expected:\n"
                        + body.toString(StandardCharsets.UTF_8) + "\nexpected:\n" + new String(expected, StandardCharsets.UTF_8));
            }
        } catch (Exception e) {
            throw new IllegalStateException(target.name() + ": first request failed: " + e, e);
        } finally {
            client.close().await();
        }
    }

    static String report(List<LoadDriver.Result> results, Map<String, Workspace.Server> started) {
        StringBuilder sb = new StringBuilder();
        Table all = new Table("scenario", "server", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors",
                "RSS max MiB", "VmHWM MiB", "CPU server", "CPU load gen", "CPU others");
        for (LoadDriver.Result r : results) {
            all.row(r.scenario().label(), r.server(), Table.f(r.throughput(), 0), Table.ms(r.millis(50)),
                    Table.ms(r.millis(99)), Table.ms(r.millis(99.9)), Table.ms(r.maxMillis()), r.errors(),
                    Table.f(r.memoryMax().rssMiB(), 1), Table.f(r.memoryEnd().hwmMiB(), 1),
                    Table.f(r.cpu().server(), 2), Table.f(r.cpu().loadGenerator(), 2), Table.f(r.cpu().others(), 2));
        }
        sb.append("### Every scenario\n\n").append(all).append('\n');
        sb.append("CPU columns: cores used during the measured window (CPU seconds per second, from /proc) by the server "
                + "under test, by the load generator (this JVM), and by everything else on the machine (the idle other "
                + "server, other builds). The machine has " + Runtime.getRuntime().availableProcessors() + " cores.\n\n");

        Map<LoadDriver.Scenario, LoadDriver.Result> bare = new LinkedHashMap<>();
        Map<LoadDriver.Scenario, LoadDriver.Result> webhook = new LinkedHashMap<>();
        for (LoadDriver.Result r : results) {
            (r.server().equals("bare") ? bare : webhook).put(r.scenario(), r);
        }
        if (!bare.isEmpty() && !webhook.isEmpty()) {
            Table cmp = new Table("scenario", "bare req/s", "webhook req/s", "throughput ratio (target >= 0.80)",
                    "bare p99 ms", "webhook p99 ms", "p99 ratio (target <= 1.5 at c16)");
            for (Map.Entry<LoadDriver.Scenario, LoadDriver.Result> e : webhook.entrySet()) {
                LoadDriver.Result b = bare.get(e.getKey());
                if (b == null) {
                    continue;
                }
                LoadDriver.Result w = e.getValue();
                double tr = w.throughput() / b.throughput();
                double pr = w.millis(99) / b.millis(99);
                boolean c16 = e.getKey().concurrency() == 16;
                cmp.row(e.getKey().label(), Table.f(b.throughput(), 0), Table.f(w.throughput(), 0),
                        Table.f(tr, 2) + (tr >= 0.8 ? " ok" : " MISSED"),
                        Table.ms(b.millis(99)), Table.ms(w.millis(99)),
                        Table.f(pr, 2) + (c16 ? (pr <= 1.5 ? " ok" : " MISSED") : ""));
            }
            sb.append("### Webhook against the bare floor\n\n").append(cmp).append('\n');
        }

        Table start = new Table("server", "ready after launch ms (target <= 2000 for the webhook)",
                "RSS max under load MiB (target <= 256)", "VmHWM at end MiB");
        for (Map.Entry<String, Workspace.Server> e : started.entrySet()) {
            double maxRss = results.stream().filter(r -> r.server().equals(e.getKey()))
                    .mapToDouble(r -> r.memoryMax().rssMiB()).max().orElse(-1);
            double hwm = results.stream().filter(r -> r.server().equals(e.getKey()))
                    .mapToDouble(r -> r.memoryEnd().hwmMiB()).max().orElse(-1);
            start.row(e.getKey(), Table.f(e.getValue().jvm().readyMillis(), 0), Table.f(maxRss, 1), Table.f(hwm, 1));
        }
        sb.append("### Start and memory\n\n").append(start);
        return sb.toString();
    }
}
