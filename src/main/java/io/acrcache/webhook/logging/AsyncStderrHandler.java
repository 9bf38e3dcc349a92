package io.acrcache.webhook.logging;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * Writes log records to stderr from a background thread: the event loop only enqueues, so a slow log pipe (a busy node,
 * a blocked container runtime) never stalls an admission. When the queue is full, records are dropped and the count is
 * reported with the next line written.
 *
 * <p>The queue is lock-free: with a lock (an {@code ArrayBlockingQueue}), an event loop enqueueing while the writer
 * drained waited on the lock, parked and was woken again, two context switches; at one line per admission that cost the
 * webhook about a fifth of its throughput at {@code info} (docs/benchmarks.md).
 */
final class AsyncStderrHandler extends Handler {
    private static final int CAPACITY = 8192;
    private static final int BATCH = 1024;
    private static final int TEXT = 64 * 1024;
    private static final int MAX_KEPT_TEXT = 1024 * 1024;
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private final Queue<LogRecord> queue = new ConcurrentLinkedQueue<>();
    /** Records queued and not yet taken: the bound, kept apart because the queue's own size is a walk. */
    private final AtomicInteger queued = new AtomicInteger();

    private final AtomicLong dropped = new AtomicLong();
    private final PrintStream out;
    private final Thread writer;
    private volatile boolean closed;
    /** The text of a batch, kept from one batch to the next (a batch of admission lines is tens of kilobytes). */
    private StringBuilder text = new StringBuilder(TEXT);

    AsyncStderrHandler(PrintStream out) {
        this.out = out;
        this.writer = new Thread(this::drainForever, "log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void publish(LogRecord record) {
        if (closed || !isLoggable(record)) {
            return;
        }
        if (queued.incrementAndGet() > CAPACITY) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(record);
    }

    /**
     * Writes what has queued up, then sleeps a little, busy or not: the event loops never wake this thread (a wake-up
     * per record costs both sides a context switch, more than formatting the line), a busy webhook writes one batch per
     * {@link #IDLE_WAIT_NANOS} instead of chasing each new line (on 2 cores, a third thread always runnable costs the
     * event loops preemptions), and lines reach stderr within that time. A full batch goes on without a pause.
     */
    private void drainForever() {
        List<LogRecord> batch = new ArrayList<>(BATCH);
        while (!closed) {
            boolean full;
            synchronized (this) { // taken and written as one, so that a flush finds nothing in between
                take(batch, BATCH);
                full = batch.size() == BATCH;
                if (!batch.isEmpty()) {
                    write(batch);
                    batch.clear();
                }
            }
            if (!full) {
                LockSupport.parkNanos(IDLE_WAIT_NANOS);
            }
        }
    }

    private synchronized void write(List<LogRecord> batch) {
        long lost = dropped.getAndSet(0);
        StringBuilder sb = text;
        sb.setLength(0);
        if (lost > 0) {
            sb.append("(").append(lost).append(" log records dropped: the log writer could not keep up)\n");
        }
        for (LogRecord r : batch) {
            try {
                sb.append(getFormatter().format(r));
            } catch (RuntimeException e) {
                sb.append(r.getMessage()).append('\n');
            }
        }
        // one write of the whole batch: the PrintStream's own path encodes chars in 8 KB pieces, a system call each
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        out.flush();
        if (sb.capacity() > MAX_KEPT_TEXT) {
            text = new StringBuilder(TEXT);
        }
    }

    private void take(List<LogRecord> into, int max) {
        LogRecord r;
        int n = 0;
        while (n < max && (r = queue.poll()) != null) {
            into.add(r);
            n++;
        }
        queued.addAndGet(-n);
    }

    /** Writes everything queued so far, on the calling thread (shutdown, tests). */
    @Override
    public synchronized void flush() {
        List<LogRecord> rest = new ArrayList<>();
        take(rest, Integer.MAX_VALUE);
        if (!rest.isEmpty()) {
            write(rest);
        }
        out.flush();
    }

    @Override
    public void close() {
        flush();
        closed = true;
        writer.interrupt();
    }
}
