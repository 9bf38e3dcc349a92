package io.acrcache.webhook.guard;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the canary and the heartbeat turn any probe into an answer, so that a granted half-open trial is always released:
 * a probe that throws becomes a failed future, and a failed (or empty) future an unavailable result.
 */
class EvidenceSettlingTest {
    @Test
    void aProbeThatThrowsBecomesAFailedFutureInsteadOfEscaping() {
        IllegalStateException bug = new IllegalStateException("probe bug");
        Future<ProbeResult> f = Evidence.attempt(() -> {
            throw bug;
        });
        assertTrue(f.failed());
        assertSame(bug, f.cause());
    }

    @Test
    void aFailedOrEmptyFutureSettlesAsUnavailable() {
        assertEquals(
                ProbeResult.Outcome.UNAVAILABLE,
                Evidence.settled(Future.failedFuture(new IllegalStateException("rejected task")))
                        .outcome());
        assertEquals(
                ProbeResult.Outcome.UNAVAILABLE,
                Evidence.settled(Future.<ProbeResult>succeededFuture(null)).outcome());
    }

    @Test
    void anAnswerSettlesAsItself() {
        ProbeResult servable = ProbeResult.of(ProbeResult.Outcome.SERVABLE, "200");
        assertSame(servable, Evidence.settled(Future.succeededFuture(servable)));
    }
}
