package io.acrcache.webhook.status;

import io.acrcache.webhook.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page as a real browser renders it, served by Vert.x as the ops listener serves it. The screenshot goes to
 * {@code target/}; with {@code -Dacw.refreshScreenshots=true} it replaces the README's ({@code docs/images}).
 */
class StatusPageBrowserTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void aBrowserShowsRulesGuardDecisionsAndTheReport() throws Exception {
        Chromium chromium = Chromium.find(); // before anything else: a missing browser is the message to see
        StatusPage page =
                StatusFixture.page(new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        Router ops = Router.router(vertx);
        page.mount(ops);
        HttpServer server = vertx.createHttpServer()
                .requestHandler(ops)
                .listen(0, "127.0.0.1")
                .await();
        String url = "http://127.0.0.1:" + server.actualPort() + StatusPage.PATH;

        String dom = chromium.dumpDom(url);
        for (String visible : List.of(
                "acr-cache-webhook status",
                "<td>docker-hub</td>", // a rule
                "<td>quay.io/*</td>",
                "<span class=\"bad\">open</span> credential set quay-creds is Unhealthy", // a guard state
                "→ myacr.azurecr.io/docker/library/nginx:1.27 by docker-hub", // a rewrite
                "<span class=\"skip\">left alone</span> no-rule", // a skip reason
                "<td>redis:7</td>", // a report entry
                "the Pod was created before the webhook served: restart it")) {
            assertTrue(dom.contains(visible), () -> "the browser's DOM lacks " + visible + ":\n" + dom);
        }

        Path png = Boolean.getBoolean("acw.refreshScreenshots")
                ? Path.of("docs/images/status-page.png")
                : Path.of("target/status-page.png");
        chromium.screenshot(url, png, 1280, 1600);
    }
}
