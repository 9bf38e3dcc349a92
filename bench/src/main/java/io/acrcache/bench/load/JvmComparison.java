package io.acrcache.bench.load;

import io.acrcache.bench.Props;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

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
 * JVM settings for the container, measured: for each variant of the webhook's JVM flags, the time from launch to
 * {@code /readyz} 200 (several launches, median) and a short load run (throughput, p99, RSS). The variants keep
 * {@code -XX:MaxRAM=256m} (the chart's 256Mi limit) unless named otherwise.
 */
public final class JvmComparison {
    private static final String PKCS12_FAST =
            "-Dkeystore.pkcs12.keyPbeIterationCount=1 -Dkeystore.pkcs12.macIterationCount=1";
    private static final String LIMIT = "-XX:MaxRAM=256m -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError";

    private JvmComparison() {}

    public static void main(String[] args) throws Exception {
        Workspace ws = Workspace.create();
        Path jsa = ws.dir.resolve("webhook-appcds.jsa");
        Map<String, String> all = new LinkedHashMap<>();
        all.put(
                "serial",
                LIMIT + " -XX:+UseSerialGC"); // the chart before 8f3180d; serial-xmn32m is the chart since then
        all.put("g1", LIMIT + " -XX:+UseG1GC");
        all.put("parallel", LIMIT + " -XX:+UseParallelGC");
        all.put("serial-c1", LIMIT + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        all.put("serial-appcds", LIMIT + " -XX:+UseSerialGC -XX:SharedArchiveFile=" + jsa);
        all.put(
                "serial-appcds-c1",
                LIMIT + " -XX:+UseSerialGC -XX:SharedArchiveFile=" + jsa + " -XX:TieredStopAtLevel=1");
        all.put("serial-xss512k", LIMIT + " -XX:+UseSerialGC -Xss512k");
        // Serial starts with an 8 MB heap and, as long as the old generation stays small, never grows it: the young
        // generation stays at a few MB and is collected 100+ times a second under load
        all.put("serial-xmn32m", LIMIT + " -XX:+UseSerialGC -Xmn32m");
        all.put("serial-xmn64m", LIMIT + " -XX:+UseSerialGC -Xmn64m");
        all.put("serial-initial50", LIMIT + " -XX:+UseSerialGC -XX:InitialRAMPercentage=50");
        // Vert.x turns the PEM key into an in-memory PKCS#12 key store; JDK 17 protects its entries with PBKDF2
        // (10,000 iterations), which is a large part of the start-up. These JDK properties lower the iteration counts.
        all.put("serial-pkcs12fast", LIMIT + " -XX:+UseSerialGC " + PKCS12_FAST);
        all.put(
                "serial-appcds-pkcs12fast",
                LIMIT + " -XX:+UseSerialGC -XX:SharedArchiveFile=" + jsa + " " + PKCS12_FAST);
        all.put("serial-nolimit", "-XX:MaxRAMPercentage=75 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError");
        Map<String, String> variants = new LinkedHashMap<>();
        for (String name : Props.list("bench.jvm.variants", String.join(",", all.keySet()))) {
            String flags = all.get(name);
            if (flags == null) {
                throw new IllegalArgumentException("unknown variant " + name + "; known: " + all.keySet());
            }
            variants.put(name, flags);
        }
        int startRuns = Props.integer("bench.jvm.startRuns", 5);
        Duration warmup = Props.duration("bench.jvm.warmup", "5s");
        Duration measure = Props.duration("bench.jvm.measure", "10s");
        Duration prewarm = Props.duration("bench.prewarm", "20s");
        List<LoadDriver.Scenario> scenarios = new ArrayList<>();
        for (String s : Props.list("bench.jvm.scenarios", "h1:16,h2:64")) {
            if (!s.equals("none")) { // none: start-up only
                scenarios.add(LoadDriver.Scenario.parse(s));
            }
        }
        String logLevel = Props.string("bench.webhook.logLevel", "info");
        int clientLoops = Props.integer("bench.clientLoops", 2);

        StringBuilder out = new StringBuilder();
        out.append("## JVM settings ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n");
        out.append("- ready: launch to first `/readyz` 200, ")
                .append(startRuns)
                .append(" launches per variant (min / median / "
                        + "max); config loaded and listening: medians, from the time stamps of the webhook's log lines "
                        + "`configuration ...` (Main, after the JVM started and the config was read) and `admission listener "
                        + "(TLS) on port ...` (both listeners up)\n");
        out.append("- load: ")
                .append(scenarios.stream().map(LoadDriver.Scenario::label).toList())
                .append(", warm-up ")
                .append(warmup.toMillis() / 1000.0)
                .append(" s, measured ")
                .append(measure.toMillis() / 1000.0)
                .append(" s, after a pre-warm of ")
                .append(prewarm.toMillis() / 1000.0)
                .append(" s; one webhook JVM per variant\n");
        out.append("- `")
                .append(LIMIT)
                .append(
                        "` in every variant but serial-nolimit (MaxRAM=256m stands in for the "
                                + "chart's 256Mi limit; serial-nolimit is the chart's flags on this host without any limit)\n\n");
        System.out.print(out);

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientLoops));
        LoadDriver driver = new LoadDriver(vertx, clientLoops, Props.integer("bench.h2Connections", 1));
        Table start = new Table(
                "variant",
                "ready ms min",
                "ready ms median",
                "ready ms max",
                "config loaded ms",
                "listening ms",
                "RSS at ready MiB");
        Table load = new Table(
                "variant",
                "scenario",
                "req/s",
                "p50 ms",
                "p99 ms",
                "max ms",
                "RSS max MiB",
                "VmHWM MiB",
                "CPU webhook",
                "CPU others");
        try {
            if (variants.values().stream().anyMatch(v -> v.contains("SharedArchiveFile"))) {
                out.append(createArchive(ws, vertx, driver, jsa, logLevel)).append("\n\n");
            }
            for (Map.Entry<String, String> v : variants.entrySet()) {
                List<String> flags = Arrays.asList(v.getValue().split("\\s+"));
                double[] ready = new double[startRuns];
                double[] rss = new double[startRuns];
                double[] config = new double[startRuns];
                double[] listening = new double[startRuns];
                for (int i = 0; i < startRuns; i++) {
                    try (Workspace.Server s = ws.startWebhook("webhook-jvm", flags, logLevel)) {
                        ready[i] = s.jvm().readyMillis();
                        rss[i] = s.jvm().memory().rssMiB();
                        config[i] = s.jvm().logLineMillis("INFO Main: configuration");
                        listening[i] = s.jvm().logLineMillis("admission listener (TLS) on port");
                    }
                }
                Arrays.sort(ready);
                Arrays.sort(rss);
                Arrays.sort(config);
                Arrays.sort(listening);
                start.row(
                        v.getKey(),
                        Table.f(ready[0], 0),
                        Table.f(ready[startRuns / 2], 0),
                        Table.f(ready[startRuns - 1], 0),
                        Table.f(config[startRuns / 2], 0),
                        Table.f(listening[startRuns / 2], 0),
                        Table.f(rss[startRuns / 2], 1));
                System.out.printf(
                        "%-28s ready min %.0f / median %.0f / max %.0f ms%n",
                        v.getKey(), ready[0], ready[startRuns / 2], ready[startRuns - 1]);
                if (scenarios.isEmpty()) {
                    continue;
                }
                try (Workspace.Server s = ws.startWebhook("webhook-jvm", flags, logLevel)) {
                    LoadBenchmark.verify(vertx, s.target(), ws.review, ws.answer);
                    driver.prewarm(s.target(), ws.review, prewarm);
                    for (LoadDriver.Scenario sc : scenarios) {
                        LoadBenchmark.Sampler sampler = new LoadBenchmark.Sampler(s);
                        LoadDriver.Result r = driver.run(s.target(), sc, ws.review, warmup, measure, sampler);
                        ChildJvm.Memory[] max = {sampler.max};
                        ChildJvm.Memory end = s.jvm().memory();
                        load.row(
                                v.getKey(),
                                sc.label(),
                                Table.f(r.throughput(), 0),
                                Table.ms(r.millis(50)),
                                Table.ms(r.millis(99)),
                                Table.ms(r.maxMillis()),
                                Table.f(max[0].rssMiB(), 1),
                                Table.f(end.hwmMiB(), 1),
                                Table.f(r.cpu().server(), 2),
                                Table.f(r.cpu().others(), 2));
                        System.out.printf(
                                "%-28s %-14s %7.0f req/s p99 %s ms RSS %.1f MiB errors %d%n",
                                v.getKey(),
                                sc.label(),
                                r.throughput(),
                                Table.ms(r.millis(99)),
                                max[0].rssMiB(),
                                r.errors());
                    }
                }
            }
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
        StringBuilder tables = new StringBuilder();
        tables.append("### Start\n\n")
                .append(start)
                .append("\n### Under load\n\n")
                .append(load);
        for (Map.Entry<String, String> v : variants.entrySet()) {
            tables.append(v.getKey().equals(variants.keySet().iterator().next()) ? "\n### Flags\n\n" : "")
                    .append("- ")
                    .append(v.getKey())
                    .append(": `")
                    .append(v.getValue().replace(ws.dir.toString(), "WORK"))
                    .append("`\n");
        }
        System.out.println();
        System.out.print(tables);
        out.append(tables);
        Path dir = Path.of(Props.string("bench.outDir", "bench/target/results"));
        Files.createDirectories(dir);
        Path file = dir.resolve(
                "jvm-" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, out.toString());
        System.out.println("\nsaved to " + file);
    }

    /**
     * A dynamic AppCDS archive (JDK 13+): the webhook runs with {@code -XX:ArchiveClassesAtExit}, serves both protocols
     * for a few seconds so the request path's classes are loaded, and writes the archive when it exits on SIGTERM. A
     * container image would do the same training run at build time.
     */
    private static String createArchive(Workspace ws, Vertx vertx, LoadDriver driver, Path jsa, String logLevel)
            throws Exception {
        Files.deleteIfExists(jsa);
        List<String> flags = new ArrayList<>(Arrays.asList((LIMIT + " -XX:+UseSerialGC").split("\\s+")));
        flags.add("-XX:ArchiveClassesAtExit=" + jsa);
        long t0 = System.nanoTime();
        try (Workspace.Server s = ws.startWebhook("webhook-cds-training", flags, logLevel)) {
            LoadBenchmark.verify(vertx, s.target(), ws.review, ws.answer);
            for (String sc : List.of("h1:16", "h2:16")) {
                driver.run(
                        s.target(),
                        LoadDriver.Scenario.parse(sc),
                        ws.review,
                        Duration.ZERO,
                        Duration.ofSeconds(2),
                        LoadDriver.noTick());
            }
        }
        if (!Files.isRegularFile(jsa)) {
            throw new IllegalStateException(
                    "no CDS archive was written to " + jsa + "; see " + ws.dir.resolve("webhook-cds-training.log"));
        }
        String line = String.format(
                "AppCDS archive: %.1f MiB, training run (start, 4 s of load, SIGTERM, dump) %.1f s",
                Files.size(jsa) / 1048576.0, (System.nanoTime() - t0) / 1e9);
        System.out.println(line);
        return "- " + line;
    }
}
