package io.acrcache.webhook.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * The only class that touches Vert.x internals ({@code io.vertx.core.internal}): reading a body where it lies, sending
 * an answer without a copy, and a timer on the Netty event loop itself. Together about 5 % of a review's CPU under load
 * (docs/benchmarks.md). They are not public API and may change with any Vert.x release: {@code VertxInternalsTest}
 * fails, naming this class, when they do.
 */
final class VertxInternals {
    private VertxInternals() {}

    /** The array behind a heap buffer (the body gatherer's are), or null when there is none to read in place. */
    static byte[] heapArray(Buffer body) {
        if (body instanceof BufferInternal internal) {
            ByteBuf buf = internal.getByteBuf();
            if (buf.hasArray()) {
                return buf.array();
            }
        }
        return null;
    }

    /** Where the body starts in {@link #heapArray}; only meaningful when that is not null. */
    static int heapOffset(Buffer body) {
        ByteBuf buf = ((BufferInternal) body).getByteBuf();
        return buf.arrayOffset() + buf.readerIndex();
    }

    /** The bytes as a buffer, not copied: the answer is written once and dropped. */
    static Buffer wrap(byte[] bytes) {
        return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
    }

    /**
     * The current context's Netty event loop: a task scheduled there costs no Vert.x promise or listener (a Vert.x
     * timer adds both per request). Call on an event loop.
     */
    static EventLoop nettyEventLoop() {
        return ContextInternal.current().nettyEventLoop();
    }
}
