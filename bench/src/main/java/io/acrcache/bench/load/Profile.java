package io.acrcache.bench.load;

import io.acrcache.bench.JfrSummary;
import io.acrcache.bench.Props;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the webhook spends CPU and allocates under load: the webhook child as in the load benchmark, a JFR
 * recording (settings {@code profile}) started with {@code jcmd JFR.start} after the warm-up and stopped at the end
 * of the measured window, then summarized ({@link JfrSummary}).
 */
public final class Profile {
    private Profile() {
    }

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
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientLoops));
        LoadDriver.Result result;
        try (Workspace.Server webhook = ws.startWebhook("webhook-profile", flags, logLevel)) {
            LoadBenchmark.verify(vertx, webhook.target(), ws.review, ws.answer);
            long pid = webhook.jvm().pid();
            boolean[] started = {false};
            LoadDriver driver = new LoadDriver(vertx, clientLoops, Props.integer("bench.h2Connections", 1));
            driver.prewarm(webhook.target(), ws.review, Props.duration("bench.prewarm", "20s"));
            result = driver.run(webhook.target(),
                    scenario, ws.review, warmup, measure, phase -> {
                        if (phase == LoadDriver.START && !started[0]) {
                            started[0] = true;
                            jcmd(pid, "JFR.start", "name=bench", "settings=profile");
                        }
                    });
            jcmd(pid, "JFR.stop", "name=bench", "filename=" + jfr);
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("## Profile ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append("\n\n");
        sb.append("- ").append(scenario.label()).append(", logging.level ").append(logLevel).append(", flags `")
                .append(String.join(" ", flags)).append("`\n");
        sb.append("- under JFR: ").append(Table.f(result.throughput(), 0)).append(" req/s, p99 ")
                .append(Table.ms(result.millis(99))).append(" ms; CPU cores: webhook ").append(Table.f(result.cpu().server(), 2))
                .append(", load generator ").append(Table.f(result.cpu().loadGenerator(), 2)).append(", others ")
                .append(Table.f(result.cpu().others(), 2)).append(" (JFR's profile settings slow the webhook down)\n\n");
        sb.append(JfrSummary.summarize(jfr, Props.integer("bench.profile.top", 25)));
        System.out.print(sb);
        Path dir = Path.of(Props.string("bench.outDir", "bench/target/results"));
        Files.createDirectories(dir);
        Path file = dir.resolve("profile-" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, sb.toString());
        System.out.println("\nrecording " + jfr + "\nsaved to " + file);
    }

    static void jcmd(long pid, String... command) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run jcmd: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
