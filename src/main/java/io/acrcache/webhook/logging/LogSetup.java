package io.acrcache.webhook.logging;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes java.util.logging (ours, Vert.x's and Netty's) to stderr in the configured format and level, written off the
 * event loop.
 */
public final class LogSetup {
    /**
     * Vert.x's Micrometer binding registers its connection and request gauges again for each new connection, and
     * Micrometer warns once ("Gauge has been already registered"); the metric is right, the warning is noise. The level
     * set on this logger is kept only as long as the logger lives: JUL holds loggers weakly, so without this reference
     * a garbage collection before the second connection dropped the setting and the warning appeared on some starts.
     */
    private static final Logger METER_REGISTRY = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

    private LogSetup() {}

    /** One line in the given format ({@code text} or {@code json}), for what is written before logging is set up. */
    public static String line(String format, Level level, String loggerName, String message) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(loggerName);
        return ("json".equals(format) ? new JsonLogFormatter() : new TextLogFormatter()).format(r);
    }

    public static void configure(LogOptions logging) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new AsyncStderrHandler(System.err);
        handler.setLevel(Level.ALL);
        handler.setFormatter("json".equals(logging.format()) ? new JsonLogFormatter() : new TextLogFormatter());
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        // our own level is configurable; libraries stay at info so debug does not flood with Netty internals
        Logger.getLogger("io.acrcache").setLevel(level(logging.level()));
        METER_REGISTRY.setLevel(Level.SEVERE);
    }

    /** Writes out queued log lines; called last on shutdown. */
    public static void flush() {
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.flush();
        }
    }

    static Level level(String name) {
        switch (name) {
            case "error":
                return Level.SEVERE;
            case "warn":
                return Level.WARNING;
            case "debug":
                return Level.FINE;
            default:
                return Level.INFO;
        }
    }

    /** After a reload: reconfigures only when the options changed (that replaces the writer thread). */
    public static void follow(LogOptions before, LogOptions after) {
        if (!before.equals(after)) {
            configure(after);
        }
    }
}
