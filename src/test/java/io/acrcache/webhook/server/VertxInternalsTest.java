package io.acrcache.webhook.server;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link VertxInternals} relies on in Vert.x's internals. A Vert.x upgrade that changes them breaks here, with a
 * message naming the class to revisit, instead of silently losing the fast path (a body copied per review) or failing
 * at the first request.
 */
class VertxInternalsTest {
    private static final String REVISIT = "Vert.x internals changed: revisit server.VertxInternals: ";
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void aGatheredBodyIsReadWhereItLies() {
        Buffer body = Buffer.buffer(64);
        body.appendBuffer(Buffer.buffer("xx"));
        body.appendString("{\"a\":1}");
        byte[] array = VertxInternals.heapArray(body);
        assertNotNull(array, REVISIT + "Buffer.buffer(n) is no longer a heap BufferInternal");
        int offset = VertxInternals.heapOffset(body);
        assertEquals(
                "xx{\"a\":1}",
                new String(array, offset, body.length(), StandardCharsets.UTF_8),
                REVISIT + "the heap array does not hold the body at its reader index");
    }

    @Test
    void anAnswerIsWrappedWithoutACopy() {
        byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        Buffer wrapped = VertxInternals.wrap(answer);
        assertArrayEquals(answer, wrapped.getBytes(), REVISIT + "wrap does not give back the bytes");
        answer[2] = 'O';
        assertEquals('O', wrapped.getByte(2), REVISIT + "wrap copies the answer");
    }

    @Test
    void theNettyEventLoopOfTheCurrentContextRunsATask() throws Exception {
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            EventLoop loop = VertxInternals.nettyEventLoop();
            loop.schedule(() -> ran.complete(loop.inEventLoop()), 1, TimeUnit.MILLISECONDS);
        });
        assertTrue(ran.get(5, TimeUnit.SECONDS), REVISIT + "the context's Netty event loop did not run the task");
    }
}
