package io.acrcache.webhook.outbound;

import io.acrcache.webhook.outbound.OutboundException.Kind;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundExceptionTest {

    @Test
    void statusesAndTransportFailuresHaveOneClassEach() {
        assertEquals(Kind.UNAUTHORIZED, Kind.ofStatus(401));
        assertEquals(Kind.FORBIDDEN, Kind.ofStatus(403));
        assertEquals(Kind.NOT_FOUND, Kind.ofStatus(404));
        assertEquals(Kind.THROTTLED, Kind.ofStatus(429));
        assertEquals(Kind.SERVER_ERROR, Kind.ofStatus(503));
        assertEquals(Kind.REJECTED, Kind.ofStatus(400));
        assertEquals(Kind.TIMEOUT, Kind.ofTransport(new TimeoutException("t")));
        assertEquals(Kind.CONNECTION, Kind.ofTransport(new ConnectException("refused")));
        assertEquals("server-error", Kind.SERVER_ERROR.label());
    }

    @Test
    void transportKeepsAClassifiedFailureAndNamesTheCall() {
        OutboundException e = new OutboundException(Kind.THROTTLED, "TooMany", "slow down", Duration.ofSeconds(7));
        assertSame(e, OutboundException.transport(e, "ARM"));
        assertEquals(7, e.retryAfterSeconds().orElseThrow());
        assertEquals("throttled TooMany: slow down", e.describe());
        OutboundException t = OutboundException.transport(new TimeoutException("5000 ms"), "Entra ID");
        assertEquals(Kind.TIMEOUT, t.kind());
        assertTrue(t.getMessage().startsWith("Entra ID: "), t.getMessage());
    }

    @Test
    void messagesAreBounded() {
        OutboundException e = new OutboundException(Kind.REJECTED, "x".repeat(10_000));
        assertTrue(
                e.getMessage().length() <= OutboundException.MAX_MESSAGE + 1,
                "" + e.getMessage().length());
        assertTrue(new OutboundException(Kind.REJECTED, null, "short")
                .retryAfterSeconds()
                .isEmpty());
    }
}
