package io.acrcache.webhook.watch;

import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Notices when the content of a set of files changes. Kubernetes updates a mounted ConfigMap or Secret by swapping the
 * {@code ..data} symlink, which file-system events report unreliably (the watched names never change); reading the few
 * small files on a timer sees every kind of update — symlink swap, in-place write, rename — the same way. Reads run on
 * a worker thread, never on the event loop.
 */
public final class FileContentWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileContentWatcher.class.getName());

    private final Vertx vertx;
    private final List<Path> files;
    private final Consumer<List<byte[]>> onChange;
    private final long timerId;
    private volatile List<byte[]> last;
    private volatile boolean busy;
    private volatile boolean closed;

    private FileContentWatcher(
            Vertx vertx, List<Path> files, List<byte[]> initial, Duration interval, Consumer<List<byte[]>> onChange) {
        this.vertx = vertx;
        this.files = List.copyOf(files);
        this.onChange = onChange;
        this.last = initial;
        this.timerId = vertx.setPeriodic(interval.toMillis(), id -> poll());
    }

    /**
     * Starts watching. {@code onChange} gets the new contents (in the order of {@code files}) on a worker thread, once
     * per change; it is not called for the content present at start, nor once {@link #close()} has returned.
     */
    public static FileContentWatcher start(
            Vertx vertx, List<Path> files, Duration interval, Consumer<List<byte[]>> onChange) {
        return new FileContentWatcher(vertx, files, readAll(files), interval, onChange);
    }

    private void poll() {
        if (busy) {
            return;
        }
        busy = true;
        vertx.executeBlocking(
                        () -> {
                            List<byte[]> now = readAll(files);
                            // a poll under way when close() ran must not report what it read after
                            if (now != null && !closed && !same(now, last)) {
                                last = now;
                                onChange.accept(now);
                            }
                            return null;
                        },
                        false)
                .onComplete(ar -> {
                    busy = false;
                    if (ar.failed()) {
                        LOG.log(Level.WARNING, "watching " + files + " failed", ar.cause());
                    }
                });
    }

    /** Null when a file is missing or unreadable (mid-update): the next poll tries again. */
    private static List<byte[]> readAll(List<Path> files) {
        List<byte[]> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                out.add(Files.readAllBytes(f));
            } catch (IOException e) {
                return null;
            }
        }
        return out;
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        if (b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        vertx.cancelTimer(timerId);
    }
}
