package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.pullfailures.KubeletEvidenceCheck.Result;
import io.acrcache.webhook.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.acrcache.webhook.pullfailures.KubeletEvidenceMockServerTest.IMAGE;
import static io.acrcache.webhook.pullfailures.KubeletEvidenceMockServerTest.NODE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The check's bounds: a flood of forged Events costs the API server a fixed number of Pod reads a minute. */
class KubeletEvidenceCheckTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final Map<String, Pod> cluster = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final KubeletEvidenceCheck check = new KubeletEvidenceCheck(
            (namespace, name) -> {
                reads.incrementAndGet();
                return Future.succeededFuture(cluster.get(name));
            },
            clock);

    @Test
    void aFloodOfForgedEventsReadsAtMostTheCapOfPodsAMinute() {
        int cap = KubeletEvidenceCheck.MAX_CHECKS_PER_MINUTE;
        for (int i = 0; i < cap + 40; i++) {
            Result r = result(failure("ghost-" + i, NODE));
            assertEquals(i < cap ? Result.NO_POD : Result.RATE_CAPPED, r, "event " + i);
        }
        assertEquals(cap, reads.get());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Result.NO_POD, result(failure("ghost-new", NODE)), "a new minute, new reads");
        assertEquals(cap + 1, reads.get());
    }

    @Test
    void aRepeatedEventIsAnsweredFromMemoryARefusalOnlyBriefly() {
        assertEquals(Result.NO_POD, result(failure("web-1", NODE)));
        assertEquals(Result.NO_POD, result(failure("web-1", NODE)));
        assertEquals(1, reads.get(), "the second Event asks nobody");

        // the Pod's status may trail its Event: a refusal is asked again soon
        cluster.put("web-1", KubeletEvidenceMockServerTest.pod("web-1", NODE, true, "ErrImagePull", IMAGE));
        clock.advance(KubeletEvidenceCheck.REFUSED_TTL);
        assertEquals(Result.VERIFIED, result(failure("web-1", NODE)));
        clock.advance(KubeletEvidenceCheck.REFUSED_TTL);
        assertEquals(Result.VERIFIED, result(failure("web-1", NODE)));
        assertEquals(2, reads.get(), "a confirmation is remembered longer");
    }

    @Test
    void anEventWithoutContainerOrNodeIsNotCheckedAtAll() {
        PullFailure noNode = failure("web-1", null);
        assertEquals(Result.INCOMPLETE, result(noNode));
        assertEquals(0, reads.get());
    }

    @Test
    void aPodThatCannotBeReadIsNotCountedAndAskedAgain() {
        KubeletEvidenceCheck failing = new KubeletEvidenceCheck(
                (namespace, name) -> {
                    reads.incrementAndGet();
                    return Future.failedFuture(new IllegalStateException("pods is forbidden"));
                },
                clock);
        assertEquals(Result.API_ERROR, failing.check(failure("web-1", NODE)).result());
        assertEquals(Result.API_ERROR, failing.check(failure("web-1", NODE)).result());
        assertEquals(2, reads.get());
    }

    private Result result(PullFailure f) {
        return check.check(f).result();
    }

    private PullFailure failure(String pod, String node) {
        Instant now = clock.instant();
        return new PullFailure(
                "uid-" + pod, "shop", pod, "app", node, IMAGE, "Failed to pull image", false, 1, now, now);
    }
}
