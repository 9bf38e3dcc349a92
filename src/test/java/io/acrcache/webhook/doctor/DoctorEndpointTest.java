package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.FakeArm;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /doctor}'s cache, and the start-up run's log lines. */
class DoctorEndpointTest extends BedTest {

    @Test
    void aReportIsReusedUntilItsTtlEnds() throws Exception {
        DoctorEndpoint endpoint = new DoctorEndpoint(bed.doctor(), bed::config, DoctorBed.CLUSTER);
        var first = endpoint.report(false);
        var second = endpoint.report(false);
        assertSame(first, second, "a refresh while one runs shares it");
        DoctorReport report = first.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        int armRequests = bed.arm.requests.size();
        assertSame(first, endpoint.report(false));
        assertEquals(armRequests, bed.arm.requests.size(), "no ARM call within the TTL");
        JsonObject json = new JsonObject(report.json());
        assertEquals("pass", json.getJsonArray("checks").getJsonObject(0).getString("status"));
    }

    @Test
    void anExpiredReportIsMadeAgain() throws Exception {
        DoctorEndpoint endpoint =
                new DoctorEndpoint(bed.doctor(), bed::config, null, java.time.Clock.systemUTC(), Duration.ZERO);
        var first = endpoint.report(false);
        first.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(first != endpoint.report(false));
    }

    @Test
    void startupRunLogsOneLinePerFailingCheckAndPullsNothing() throws Exception {
        bed.arm.registry = FakeArm.registryResource("otherregistry.azurecr.io");
        bed.arm.rule("dockerhub").getJsonObject("properties").put("provisioningState", "Failed");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(Doctor.class.getName());
        log.addHandler(capture);
        try {
            DoctorReport report = Doctor.atStartup(
                            bed.azure.vertx, bed.client, bed.azure.tokens, bed.config(), bed.env())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            assertEquals(2, report.failures().size(), report.text());
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("doctor: registry failed: "), lines.get(0));
            assertTrue(lines.get(1).contains("fix: az acr cache show"), lines.get(1));
            assertEquals(0, bed.acr.heads.get(), "the start-up run pulls nothing");
            assertTrue(report.checks().stream().noneMatch(c -> c.id().equals("cluster-pull")));
        } finally {
            log.removeHandler(capture);
        }
    }
}
