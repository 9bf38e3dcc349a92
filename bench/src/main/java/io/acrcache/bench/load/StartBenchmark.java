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

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fresh starts of the webhook as the image runs it: launch to {@code /readyz} 200, then at once the first admission
 * over a new HTTP/2 TLS connection (as kube-apiserver sends it after a rollout: connect, handshake, review, answer),
 * then one over a new HTTP/1.1 connection and one more over a new HTTP/2 connection. The load generator's own code is
 * warmed on a reference launch that stays up (right before each measured request too), so the figures are the
 * webhook's.
 */
public final class StartBenchmark {
    private StartBenchmark() {}

    public static void main(String[] args) throws Exception {
        LoadBenchmark.save("start", run());
    }

    /** Runs {@code bench.start.runs} fresh starts; prints progress and returns the Markdown report. */
    static String run() throws Exception {
        int runs = Props.integer("bench.start.runs", 5);
        List<String> flags = new ArrayList<>(Workspace.jvmFlags());
        flags.addAll(Props.words("bench.webhook.extraFlags", ""));
        String logLevel = Props.string("bench.webhook.logLevel", "info");
        Workspace ws = Workspace.create();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        StringBuilder out = new StringBuilder();
        out.append("## Start-up and first admission ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n- webhook JVM flags: `")
                .append(String.join(" ", flags))
                .append("`, logging.level: ")
                .append(logLevel)
                .append(", ")
                .append(runs)
                .append(" fresh launches\n- ready: launch to the first `/readyz` 200 (polled every 2 ms); listening"
                        + " and warmed: time stamps of the log lines `admission listener (TLS) on port` and `admission"
                        + " path warmed up`; first admission: right after ready, send to last byte of the answer on a"
                        + " new connection (TCP connect and TLS handshake included), then the same over HTTP/1.1 and"
                        + " again over HTTP/2; the load generator warms its own code on a reference launch that stays"
                        + " up, at length first and again right before each measured request\n\n");
        System.out.print(out);
        Table table = new Table(
                "launch",
                "ready ms (target <= 2000)",
                "listening ms",
                "warmed ms",
                "first admission HTTP/2 ms (target <= 50)",
                "then HTTP/1.1 ms",
                "then HTTP/2 ms",
                "RSS at ready MiB");
        double[] ready = new double[runs];
        double[] first = new double[runs];
        HttpClientAgent h2Client = client(vertx, ws.caFile, HttpVersion.HTTP_2);
        HttpClientAgent h1Client = client(vertx, ws.caFile, HttpVersion.HTTP_1_1);
        HttpClientAgent h2Again = client(vertx, ws.caFile, HttpVersion.HTTP_2);
        try {
            // a reference webhook that stays up: the load generator warms its own TLS handshake and HTTP code on it,
            // first at length, then again right before each measured request, so that what is measured is the webhook
            try (Workspace.Server reference = ws.startWebhook("webhook-reference", flags, logLevel)) {
                for (int i = 0; i < 100; i++) {
                    clientSideWarmUp(vertx, ws, reference);
                }
                for (int n = 0; n < 200; n++) {
                    int i = n;
                    unmeasured(() -> firstAdmission(i % 2 == 0 ? h2Client : h1Client, reference.target(), ws.review));
                    unmeasured(() -> firstAdmission(h2Again, reference.target(), ws.review));
                }
                for (int i = 0; i < runs; i++) {
                    try (Workspace.Server s = ws.startWebhook("webhook-start", flags, logLevel)) {
                        ready[i] = s.jvm().readyMillis();
                        clientSideWarmUp(vertx, ws, reference);
                        unmeasured(() -> firstAdmission(h2Client, reference.target(), ws.review));
                        unmeasured(() -> firstAdmission(h1Client, reference.target(), ws.review));
                        unmeasured(() -> firstAdmission(h2Again, reference.target(), ws.review));
                        first[i] = firstAdmission(h2Client, s.target(), ws.review);
                        double h1 = firstAdmission(h1Client, s.target(), ws.review);
                        double again = firstAdmission(h2Again, s.target(), ws.review);
                        double rss = s.jvm().memory().rssMiB();
                        double listening = s.jvm().logLineMillis("admission listener (TLS) on port");
                        double warmed = s.jvm().logLineMillis("admission path warmed up");
                        table.row(
                                i + 1,
                                Table.f(ready[i], 0),
                                Table.f(listening, 0),
                                Table.f(warmed, 0),
                                Table.f(first[i], 1),
                                Table.f(h1, 1),
                                Table.f(again, 1),
                                Table.f(rss, 1));
                        System.out.printf(
                                "launch %d: ready %.0f ms, first admission %.1f ms (HTTP/2), %.1f ms (HTTP/1.1)%n",
                                i + 1, ready[i], first[i], h1);
                    }
                }
            }
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
        double[] r = ready.clone();
        double[] f = first.clone();
        Arrays.sort(r);
        Arrays.sort(f);
        Table summary = new Table("", "min", "median", "max", "target");
        summary.row(
                "ready after launch ms", Table.f(r[0], 0), Table.f(r[runs / 2], 0), Table.f(r[runs - 1], 0), "<= 2000");
        summary.row(
                "first admission after ready ms (HTTP/2, new connection)",
                Table.f(f[0], 1),
                Table.f(f[runs / 2], 1),
                Table.f(f[runs - 1], 1),
                "<= 50 (median)");
        String report = out + summary.toString() + "\n" + table;
        System.out.println();
        System.out.print(summary + "\n" + table);
        return report;
    }

    /**
     * The load generator's own warm-up tolerates a lost request: in two runs of 2026-12-02 one request of this loop got
     * no answer (the reference webhook idle, its 10 s request timeout not fired, so the request never reached its
     * router); cause not found. Measured requests stay strict.
     */
    private static void unmeasured(Runnable request) {
        try {
            request.run();
        } catch (IllegalStateException e) {
            System.out.println("load generator warm-up: " + e.getMessage() + " (not measured; going on)");
        }
    }

    /** One review on a new connection of a new client of each protocol (not measured). */
    private static void clientSideWarmUp(Vertx vertx, Workspace ws, Workspace.Server server) {
        for (HttpVersion v : List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)) {
            HttpClientAgent fresh = client(vertx, ws.caFile, v);
            unmeasured(() -> firstAdmission(fresh, server.target(), ws.review));
            fresh.close().await();
        }
    }

    /** A load-generator client, made once: its own TLS set-up is not the webhook's start-up. */
    static HttpClientAgent client(Vertx vertx, Path caFile, HttpVersion version) {
        return vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setProtocolVersion(version)
                .setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString())));
    }

    /**
     * One review; milliseconds from the request to the answer's last byte. The first request to a server opens a new
     * connection (TCP connect and TLS handshake).
     */
    static double firstAdmission(HttpClientAgent client, LoadDriver.Target target, byte[] review) {
        try {
            long start = System.nanoTime();
            Buffer body = client.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setHost("127.0.0.1")
                            .setPort(target.port())
                            .setURI(target.path() + "?timeout=10s")
                            .setTimeout(15_000)
                            .putHeader("content-type", "application/json"))
                    .compose(req -> req.send(Buffer.buffer(review)))
                    .compose(resp -> resp.statusCode() == 200
                            ? resp.body()
                            : io.vertx.core.Future.failedFuture("HTTP " + resp.statusCode()))
                    .await(30, TimeUnit.SECONDS);
            double millis = (System.nanoTime() - start) / 1e6;
            if (body.length() != target.expectedAnswerLength()) {
                throw new IllegalStateException(target.name() + " answered " + body.length() + " bytes, expected "
                        + target.expectedAnswerLength());
            }
            return millis;
        } catch (Exception e) {
            throw new IllegalStateException(target.name() + ": admission failed: " + e, e);
        }
    }
}
