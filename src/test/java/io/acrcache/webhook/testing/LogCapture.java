package io.acrcache.webhook.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps every record a logger (and those below it) publishes, for tests that check what was logged. {@link #detach()}
 * puts the logger back as it was; {@link #close()} does nothing, since JUL closes root handlers on a reset.
 */
public final class LogCapture extends Handler {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final Level levelBefore;
    private final boolean levelSet;

    private LogCapture(Logger logger, Level level) {
        this.logger = logger;
        this.levelBefore = logger.getLevel();
        this.levelSet = level != null;
        if (levelSet) {
            logger.setLevel(level);
        }
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Captures what reaches the root logger, its level untouched. */
    public static LogCapture root() {
        return new LogCapture(Logger.getLogger(""), null);
    }

    /** Captures what {@code logger} publishes, with its level set to {@code level} until {@link #detach()}. */
    public static LogCapture on(Logger logger, Level level) {
        return new LogCapture(logger, level);
    }

    /** What was captured so far, in order; {@code clear()} forgets it. */
    public List<LogRecord> records() {
        return records;
    }

    public void detach() {
        logger.removeHandler(this);
        if (levelSet) {
            logger.setLevel(levelBefore);
        }
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
