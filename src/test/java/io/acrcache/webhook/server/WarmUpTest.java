package io.acrcache.webhook.server;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.testing.LogCapture;
import io.acrcache.webhook.testing.OpsMetrics;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.acrcache.webhook.testing.TlsClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm-up before ready: synthetic reviews through the real TLS listener and handler on both protocols, which
 * neither count in metrics nor log rewrites; the marker header without this process's token is an ordinary request.
 */
class WarmUpTest {
    private static final Logger ACW = Logger.getLogger("io.acrcache.webhook");

    @TempDir
    Path certs;

    WebhookApp app;
    private LogCapture capture;

    @BeforeEach
    void start() throws Exception {
        capture = LogCapture.on(ACW, Level.INFO);
        app = WebhookApp.start(
                TestConfigs.yaml("acrLoginServer: warm.azurecr.io\n"
                        + "server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: 0}\n"),
                new WebhookApp.Options(null, Map.of(), certs, 2, Duration.ofSeconds(2)));
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop(Duration.ZERO);
        }
        capture.detach();
    }

    private String scrape() throws Exception {
        return OpsMetrics.scrape(app.opsPort());
    }

    private static double value(String scrape, String series) {
        return OpsMetrics.value(scrape, series).orElse(0.0);
    }

    private List<String> messages(String logger, Level level) {
        return capture.records().stream()
                .filter(r -> logger.equals(r.getLoggerName()) && r.getLevel() == level)
                .map(LogRecord::getMessage)
                .toList();
    }

    @Test
    void readyOnlyAfterSyntheticReviewsWentThroughUncountedAndUnlogged() throws Exception {
        assertTrue(
                app.readiness().isReady(),
                "ready once start returns: " + app.readiness().missing());

        List<String> warmed = messages(WarmUp.class.getName(), Level.INFO);
        assertEquals(
                1,
                warmed.size(),
                "one warm-up line: "
                        + capture.records().stream().map(LogRecord::getMessage).toList());
        Matcher sent = Pattern.compile("\\((\\d+) synthetic reviews").matcher(warmed.get(0));
        assertTrue(sent.find(), warmed.get(0));
        assertTrue(Integer.parseInt(sent.group(1)) >= 2, "both protocols answered: " + warmed.get(0));

        String s = scrape();
        assertEquals(0.0, value(s, "acw_admission_requests_total{operation=\"CREATE\",outcome=\"patched\"}"));
        assertEquals(0.0, value(s, "acw_admission_duration_seconds_count{operation=\"CREATE\"}"));
        assertEquals(0.0, value(s, "acw_images_skipped_total{reason=\"no-rule\"}"));
        assertEquals(List.of(), messages("io.acrcache.webhook.admission", Level.INFO));
        // the meter the first real rewrite counts in exists already (creating it was the first admission's cost)
        assertTrue(
                s.contains("\nacw_images_rewritten_total{registry=\"docker.io\",rule=\"docker-hub\"} 0.0\n"),
                "rewrite counter prepared at zero");
    }

    @Test
    void withoutThisProcesssTokenTheWarmUpRouteIsNotFoundAndTheMarkerMeansNothingElsewhere() throws Exception {
        HttpClient http = TlsClients.client(certs.resolve("ca.crt"), HttpClient.Version.HTTP_2);
        String review = Reviews.create(TestPods.withImages("nginx"));
        for (String token : new String[] {null, "guessed"}) {
            HttpRequest.Builder guess = HttpRequest.newBuilder(
                            URI.create("https://localhost:" + app.admissionPort() + WarmUp.PATH))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(review));
            if (token != null) {
                guess.header(WarmUp.HEADER, token);
            }
            assertEquals(
                    404,
                    http.send(guess.build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode());
        }
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + app.admissionPort() + "/mutate"))
                        .header("content-type", "application/json")
                        .header(WarmUp.HEADER, "guessed")
                        .POST(HttpRequest.BodyPublishers.ofString(review))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());

        String s = scrape();
        assertEquals(1.0, value(s, "acw_admission_requests_total{operation=\"CREATE\",outcome=\"patched\"}"));
        assertEquals(1.0, value(s, "acw_images_rewritten_total{registry=\"docker.io\",rule=\"docker-hub\"}"));
        List<String> rewrites = messages("io.acrcache.webhook.admission", Level.INFO);
        assertEquals(1, rewrites.size(), rewrites.toString());
        assertTrue(rewrites.get(0).startsWith("rewrite namespace=apps pod=p images=1: container=c0 from=nginx"));
    }

    @Test
    void theSyntheticReviewIsRewrittenByTheDefaultRules() throws Exception {
        io.acrcache.webhook.admission.AdmissionResult r = new io.acrcache.webhook.admission.AdmissionReviewHandler(
                        () -> app.config().get())
                .handle(WarmUp.review(3).getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
        assertEquals(io.acrcache.webhook.admission.Outcome.PATCHED, r.outcome());
        assertEquals(
                3,
                r.decisions().stream().filter(d -> d.isRewrite()).count(),
                "init, app and sidecar: " + r.decisions());
    }
}
