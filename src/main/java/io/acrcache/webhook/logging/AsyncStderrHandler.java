package io.acrcache.webhook.logging;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * Writes log records to stderr from a background thread: the event loop only enqueues, so a slow log pipe (a busy node,
 * a blocked container runtime) never stalls an admission. When the queue is full, records are dropped and the count is
 * reported with the next line written.
 */
final class AsyncStderrHandler extends Handler {
    private static final int CAPACITY = 8192;
    private final BlockingQueue<LogRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final PrintStream out;
    private final Thread writer;
    private volatile boolean closed;

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
        if (!queue.offer(record)) {
            dropped.incrementAndGet();
        }
    }

    private void drainForever() {
        List<LogRecord> batch = new ArrayList<>(256);
        while (!closed) {
            try {
                LogRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, 255);
                    write(batch);
                    batch.clear();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void write(List<LogRecord> batch) {
        long lost = dropped.getAndSet(0);
        StringBuilder sb = new StringBuilder();
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
        out.print(sb);
        out.flush();
    }

    /** Writes everything queued so far, on the calling thread (shutdown, tests). */
    @Override
    public void flush() {
        List<LogRecord> rest = new ArrayList<>();
        queue.drainTo(rest);
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
