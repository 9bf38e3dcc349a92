package io.acrcache.bench.load;

import io.acrcache.bench.JfrSummary;
import io.acrcache.bench.Props;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the webhook spends CPU and allocates under load: the webhook child as in the load benchmark, a JFR recording
 * (by default only sampling events, {@code /bench/sampling.jfc}; {@code -Dbench.profile.settings=profile} for the JDK's
 * profile settings) started with the JVM and written when it exits; the events of the measured window are summarized
 * ({@link JfrSummary}).
 */
public final class Profile {
    private Profile() {}

    public static void main(String[] args) throws Exception {
        Duration warmup = Props.duration("bench.warmup", "5s");
        Duration measure = Props.duration("bench.measure", "15s");
        LoadDriver.Scenario scenario = LoadDriver.Scenario.parse(Props.string("bench.profile.scenario", "h1:16"));
        String logLevel = Props.string("bench.webhook.logLevel", "info");
        List<String> flags = new ArrayList<>(Workspace.jvmFlags());
        flags.addAll(Props.words("bench.webhook.extraFlags", ""));
        int clientLoops = Props.integer("bench.clientLoops", 2);
        Workspace ws = Workspace.create();
        Path jfr = ws.dir.resolve("webhook-" + scenario.protocol() + "-c" + scenario.concurrency() + ".jfr");
        Files.deleteIfExists(jfr);
        String chosen = Props.string("bench.profile.settings", "sampling");
        if (chosen.equals("sampling")) {
            Path jfc = ws.dir.resolve("sampling.jfc");
            try (var in = Profile.class.getResourceAsStream("/bench/sampling.jfc")) {
                Files.write(jfc, in.readAllBytes());
            }
            chosen = jfc.toString();
        }
        String settings = chosen;
        // Recording from launch: a recording started later with jcmd JFR.start slowed this webhook down several
        // times (compiled code thrown away?), one started with the JVM does not. Only the measured window is
        // summarized.
        flags.add("-XX:StartFlightRecording=settings=" + settings + ",filename=" + jfr);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientLoops));
        LoadDriver.Result result;
        Instant[] window = new Instant[2];
        try (Workspace.Server webhook = ws.startWebhook("webhook-profile", flags, logLevel)) {
            LoadBenchmark.verify(vertx, webhook.target(), ws.review, ws.answer);
            LoadDriver driver = new LoadDriver(vertx, clientLoops, Props.integer("bench.h2Connections", 1));
            driver.prewarm(webhook.target(), ws.review, Props.duration("bench.prewarm", "20s"));
            result = driver.run(webhook.target(), scenario, ws.review, warmup, measure, phase -> {
                if (phase == LoadDriver.START) {
                    window[0] = Instant.now();
                } else if (phase == LoadDriver.END) {
                    window[1] = Instant.now();
                }
            });
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
        if (!Files.isRegularFile(jfr)) {
            throw new IllegalStateException("the webhook wrote no recording to " + jfr);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("## Profile ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n");
        sb.append("- ")
                .append(scenario.label())
                .append(", logging.level ")
                .append(logLevel)
                .append(", flags `")
                .append(String.join(" ", flags))
                .append("`\n");
        sb.append("- under JFR: ")
                .append(Table.f(result.throughput(), 0))
                .append(" req/s, p99 ")
                .append(Table.ms(result.millis(99)))
                .append(" ms; CPU cores: webhook ")
                .append(Table.f(result.cpu().server(), 2))
                .append(", load generator ")
                .append(Table.f(result.cpu().loadGenerator(), 2))
                .append(", others ")
                .append(Table.f(result.cpu().others(), 2))
                .append(" (compare with the same scenario in the load benchmark for the cost of recording)\n\n");
        sb.append(JfrSummary.summarize(jfr, Props.integer("bench.profile.top", 25), window[0], window[1]));
        System.out.print(sb);
        Path dir = Path.of(Props.string("bench.outDir", "bench/target/results"));
        Files.createDirectories(dir);
        Path file = dir.resolve(
                "profile-" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, sb.toString());
        System.out.println("\nrecording " + jfr + "\nsaved to " + file);
    }
}
