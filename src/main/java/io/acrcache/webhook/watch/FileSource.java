package io.acrcache.webhook.watch;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * A value read from files and kept current: when the files change it parses them, validates, applies and swaps, and
 * counts each attempt in {@code <metric>{result=success|failure}}. A change that does not parse or apply is refused,
 * logged and counted; the current value keeps serving and the next change is tried again. The configuration and the
 * serving certificate are both one of these.
 *
 * @param <T> the parsed value
 */
public final class FileSource<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileSource.class.getName());

    /** Reads the new contents (in the order of the files); throws with a message naming what is wrong. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(List<byte[]> contents) throws Exception;
    }

    /** Puts a parsed value to use; the value becomes current only when the future succeeds. */
    @FunctionalInterface
    public interface Applier<T> {
        Future<Void> apply(T previous, T next);
    }

    private final String what;
    private final List<Path> files;
    private final Parser<T> parser;
    private final Applier<T> applier;
    private final ReloadCounter reloads;
    private final FileContentWatcher watcher;
    private volatile T current;
    private volatile Instant lastSuccess;

    /**
     * Starts watching {@code files} every {@code interval}; {@code initial} is what is in force now (read from the same
     * files by the caller). Registers the counter {@code reloadMetric}.
     *
     * @param what what the files hold, for log lines ("configuration", "serving certificate")
     */
    public FileSource(
            Vertx vertx,
            String what,
            List<Path> files,
            Duration interval,
            T initial,
            Parser<T> parser,
            Applier<T> applier,
            MeterRegistry registry,
            String reloadMetric,
            String reloadDescription) {
        this.what = what;
        this.files = List.copyOf(files);
        this.parser = parser;
        this.applier = applier;
        this.reloads = new ReloadCounter(registry, reloadMetric, reloadDescription);
        this.current = initial;
        this.lastSuccess = Instant.now();
        // no files (a configuration on embedded defaults): nothing to watch, the meters still say when it was loaded
        this.watcher = files.isEmpty() ? null : FileContentWatcher.start(vertx, files, interval, this::changed);
    }

    /** The value in force. */
    public T current() {
        return current;
    }

    /** When the value in force was loaded: at start, then at each successful reload. */
    public Instant lastSuccess() {
        return lastSuccess;
    }

    private void changed(List<byte[]> contents) {
        T next;
        try {
            next = parser.parse(contents);
        } catch (Exception e) {
            reloads.failure();
            LOG.warning(what + " change in " + files + " refused; the current one stays in force. " + e.getMessage());
            return;
        }
        Future<Void> applied;
        try {
            applied = applier.apply(current, next);
        } catch (RuntimeException e) {
            applied = Future.failedFuture(e);
        }
        applied.onComplete(ar -> {
            if (ar.succeeded()) {
                current = next;
                lastSuccess = Instant.now();
                reloads.success();
            } else {
                reloads.failure();
                LOG.warning("applying the " + what + " change in " + files + " failed; the current one stays in force: "
                        + ar.cause());
            }
        });
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
