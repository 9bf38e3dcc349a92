package io.acrcache.webhook.logging;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Routes java.util.logging (ours, Vert.x's and Netty's) to stderr in the configured format and level, written off the
 * event loop.
 */
public final class LogSetup {
    private LogSetup() {}

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
        // Vert.x registers one connection gauge per HTTP server instance and Micrometer warns about the
        // duplicates; the metric itself is right, the warning is noise
        Logger.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.SEVERE);
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
}
